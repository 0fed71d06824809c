"""Reading a collection's chunks by article: which chunks each article has, and the records of finished ones. At
1M chunks Chroma's every read by source costs ~0.2-0.4 s (SQLite walks the segment's ids before the filter), a read
by id ~1 ms, so what can be read by id is."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from index.articles import reassemble
from index.chroma import each_page, rows
from index.manifest import pages


class ChunkReads:
    """Chunk reads of a ChunkStore (its `_collection`, with the Manifest's `finished`)."""

    _collection: Any

    def finished(self, ids: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:  # pragma: no cover - Manifest
        raise NotImplementedError

    def chunk_sources(self, ids: Sequence[str] | None = None) -> dict[str, int]:
        """Article id -> number of chunks actually in the collection (finished or not): of every article, or of
        those among ids."""
        return {a: len(held) for a, held in self.chunk_ids(ids).items()}

    def first_chunks(self, ids: Sequence[str]) -> set[str]:
        """The articles among ids whose first chunk ("{id}:0") is in the collection: those with any chunk, since an
        article's chunks are written in one Chroma write and removed in one (a read by id: ~1 ms at 1M chunks,
        where a read by source costs ~0.2-0.4 s)."""
        return {i.rsplit(":", 1)[0] for part in pages([f"{a}:0" for a in ids])
                for i in self._collection.get(ids=part, include=[])["ids"]}

    def chunk_ids(self, ids: Sequence[str] | None = None) -> dict[str, list[str]]:
        """Article id -> the ids of its chunks actually in the collection (finished or not): of every article, or
        of those among ids (one read by their source per page of ids)."""
        found = each_page(self._collection, ["metadatas"]) if ids is None else self._by_source(ids, ["metadatas"])
        held: dict[str, list[str]] = {}
        for chunk_id, _, meta in found:
            if "source" in meta:
                held.setdefault(meta["source"], []).append(chunk_id)
        return held

    def finished_records(self, article_ids: Sequence[str] | None = None) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of the chunks of finished articles: of these articles, or all when None."""
        if article_ids is None:
            done = set(self.finished())
            return [r for r in each_page(self._collection, ["documents", "metadatas"]) if r[2].get("source") in done]
        if not article_ids:
            return []
        finished = self.finished(article_ids)
        # read by their ids ("{article}:{n}", n below the manifest's chunk count); an article whose chunks are not
        # all found so is read by its source
        ids = [f"{a}:{n}" for a, m in finished.items() for n in range(int(m.get("chunks", 0)))]
        got = [r for part in pages(ids) for r in self.records(part)]
        found = Counter(meta.get("source", "") for _, _, meta in got)
        other = [a for a, m in finished.items() if found[a] != int(m.get("chunks", 0))]
        return [r for r in got if r[2].get("source") not in other] + self._by_source(other, ["documents", "metadatas"])

    def _by_source(self, article_ids: Sequence[str], include: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of every chunk of these articles, finished or not: one read by source per page of
        ids (at 1M chunks ~0.2-0.4 s each)."""
        return [r for part in pages(article_ids) for r in rows(self._collection.get(
            where={"source": {"$in": part}}, include=include))]

    def records(self, ids: Sequence[str] | None = None) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of the chunks with these ids (all chunks, read a page at a time, when ids is None)."""
        if ids is None:
            return list(each_page(self._collection, ["documents", "metadatas"]))
        if not ids:
            return []
        return rows(self._collection.get(ids=list(ids), include=["documents", "metadatas"]))

    def article_text(self, article_id: str) -> tuple[str, str] | None:
        """(title, body) of a stored article, put back together from its chunks' offsets; None if unknown."""
        stored = self.stored_article(article_id)
        return None if stored is None else (str(stored[0].get("title", "")), stored[1])

    def stored_article(self, article_id: str) -> tuple[dict[str, Any], str] | None:
        """(metadata of its first chunk, body put back together from the chunks' offsets); None if unknown. A
        finished article is read by its chunks' ids (a citation opened in the chat at 1M chunks: ~0.3 s by source),
        one half-written by a killed ingest by source."""
        found = self.finished_records([article_id]) or rows(self._collection.get(
            where={"source": article_id}, include=["documents", "metadatas"]))
        return reassemble((meta, text) for _, text, meta in found)
