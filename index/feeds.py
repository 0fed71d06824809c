"""RSS and Atom feeds (feedparser): each entry an article record with its title, date, link, author and content
(or summary), keyed by its GUID or link, so a feed ingested again updates its entries instead of duplicating them."""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qa.errors import InputError

FEED_SUFFIXES = (".rss", ".atom", ".xml")


def feed_records(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    """(entry number, record) of a feed; an entry without text is yielded as a record without text (skipped).

    Raises:
        InputError: a file that is no RSS or Atom feed.
    """
    import feedparser

    from index.html import html_to_text

    parsed = feedparser.parse(text)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise InputError(f"{path}: not an RSS or Atom feed")
    outlet = parsed.feed.get("title", "") if parsed.feed else ""
    for number, entry in enumerate(parsed.entries, 1):
        content = entry.get("content") or []
        body = content[0].get("value", "") if content else entry.get("summary", "")
        moment = entry.get("published_parsed") or entry.get("updated_parsed")
        yield number, {
            "id": entry.get("id") or entry.get("guid") or entry.get("link") or "",
            "title": entry.get("title", ""), "text": html_to_text(body) if "<" in body else body,
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", moment) if moment else "",
            "url": entry.get("link", ""),
            "author": _author(entry),
            "outlet": outlet}


def _author(entry: Any) -> str:
    """The entry's author's name: RSS writes "tomas@courier.example (Tomas Berg)", Atom a name."""
    said = str(entry.get("author", "") or "")
    named = re.match(r"^\S+@\S+\s*\((.+)\)$", said.strip())
    return named.group(1) if named else said or str((entry.get("author_detail") or {}).get("name", ""))
