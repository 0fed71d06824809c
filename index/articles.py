"""Articles as their stored chunks describe them: library rows from chunk metadata, bodies from chunk texts."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def article_rows(metadatas: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per article among these chunks' metadata: id, title, chunks, date added, size in characters,
    published, outlet; sorted by id."""
    rows: dict[str, dict[str, Any]] = {}
    for meta in metadatas:
        if "source" not in meta:
            continue
        row = rows.setdefault(meta["source"], {"id": meta["source"], "title": meta.get("title", ""), "chunks": 0,
                                               "added": meta.get("added", ""), "size": meta.get("size", 0),
                                               "published": meta.get("date", "") or "",
                                               "outlet": meta.get("outlet", "") or ""})
        row["chunks"] += 1
        row["size"] = max(row["size"] or 0, int(meta.get("end", 0) or 0))
    return sorted(rows.values(), key=lambda r: r["id"])


def reassemble(pieces: Iterable[tuple[dict[str, Any], str]]) -> tuple[dict[str, Any], str] | None:
    """(metadata of the first chunk, the body put back together from the chunks' offsets) of one article's
    (metadata, text) chunks; None when there are none."""
    ordered = sorted(pieces, key=lambda p: int(p[0].get("start", 0)))
    if not ordered:
        return None
    body = ""
    for meta, text in ordered:
        start = int(meta.get("start", len(body)))
        body = body[:start].ljust(start) + text  # chunks overlap; a gap (never expected) becomes spaces
    return dict(ordered[0][0]), body
