"""Opening Chroma (embedded on disk, or a server), checking collection names, reading a collection a page at a
time. The only module that imports chromadb; index.store works on the client it opens."""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from qa.errors import BackendError, IndexMissingError, InputError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")
PAGE = 250
PAGES = 200       # a read of a whole collection takes at most this many pages…
MAX_PAGE = 5000   # …of at most this many records (one get of ~40k fails: too many SQL variables)
# Chroma logs telemetry failures loudly when offline; they are harmless.
logging.getLogger("chromadb.telemetry").setLevel(logging.CRITICAL)


def check_collection_name(name: str) -> str:
    """Validate a collection name up front, with a message a user can act on.

    Raises:
        InputError: when Chroma would reject the name.
    """
    if not _NAME.match(name or ""):
        raise InputError(f"Bad collection name {name!r}: use 3-512 letters, digits, '.', '_' or '-', "
                         "starting and ending with a letter or digit")
    return name


def open_client(location: str, chroma_url: str | None, create: bool, hint: str) -> Any:
    """A Chroma client: of the server at chroma_url, else of the embedded database at location.

    Raises:
        IndexMissingError: no embedded database there and create is False.
        BackendError: the server cannot be reached.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        try:
            client = chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                         ssl=url.scheme == "https", settings=chroma_settings)
            client.heartbeat()
        except Exception as err:  # chromadb raises several transport errors
            raise BackendError(f"Cannot reach the Chroma server at {chroma_url}: {err}") from err
        return client
    path = Path(location)
    if not create and not path.exists():
        raise IndexMissingError(f"No index at {path}: {hint}")
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def each_page(collection: Any, include: Sequence[str], page: int = PAGE) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every record's (id, document or "", metadata or {}), fetched page by page: one get of a whole large
    collection costs Chroma several times the records' size in memory (at 7,552 chunks: +240 MiB at once,
    +108 MiB in pages of 500, +73 MiB in pages of 250, which was also the fastest). A page costs Chroma its
    offset (at 921k chunks: 0.3 s at offset 100k, 1.3 s at 500k, for 250 records), so a large collection is
    read in at most PAGES pages (of MAX_PAGE records at most), not in pages of 250 (~45 min at 921k). The pages
    are consistent while nobody writes (callers hold the writer's lock)."""
    total = collection.count()
    page = min(max(page, -(-total // PAGES)), MAX_PAGE)
    for offset in range(0, total, page):
        yield from rows(collection.get(limit=page, offset=offset, include=list(include)))


def rows(got: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """A Chroma get's records as (id, document or "", metadata or {}) ("" and {} for what it did not include)."""
    count = len(got["ids"])
    return list(zip(got["ids"], [d or "" for d in got.get("documents") or [""] * count],
                    [m or {} for m in got.get("metadatas") or [{}] * count]))
