"""Rebuilding a collection with other settings: a new physical collection fills while readers read the current
one, then one metadata write switches them; the next writer deletes what it replaced."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from index.chroma import each_page
from index.manifest import PAGE_IDS, pages

if TYPE_CHECKING:
    from index.store import ChunkStore

MANIFEST_SUFFIX = ".manifest"
SENTENCES_SUFFIX = ".sentences"


class Rebuilds:
    """The rebuild side of a ChunkStore (its head collection points at the physical one readers read)."""

    name: str
    physical: str
    _head: Any
    _client: Any
    _where: tuple[Any, Any]

    def _rebuild_collection(self, physical: str) -> ChunkStore:
        raise NotImplementedError

    def rebuild(self, built_with: dict[str, str]) -> ChunkStore:
        """A new collection for vectors built with other settings; it replaces this one at switch_to().

        An unfinished rebuild with the same settings (a killed run) is resumed; one with other settings
        is dropped. Readers keep reading the current collection meanwhile.
        """
        building = str((self._head.metadata or {}).get("building") or "")
        if building:
            target = self._rebuild_collection(building)
            if target.claim(built_with):
                return target
            target.drop()
        building = f"{self.name}.b{uuid.uuid4().hex[:8]}"
        self._head.modify(metadata={**(self._head.metadata or {}), "building": building})
        target = self._rebuild_collection(building)
        target.claim(built_with)
        return target

    def _retired(self) -> list[str]:
        """The collections a completed rebuild replaced, not yet deleted."""
        return [n for n in str((self._head.metadata or {}).get("retired") or "").split(",") if n]

    def switch_to(self, target: ChunkStore) -> None:
        """Make a completed rebuild the collection readers read (one metadata write: atomic). The
        replaced vectors are deleted by the next writer's collect_garbage()."""
        retired = self._retired() + ([self._current()] if self._current() != self.name else [])
        self._head.modify(metadata={**(self._head.metadata or {}), "current": target.physical, "building": "",
                                    "retired": ",".join(retired)})
        self.generation()

    def collect_garbage(self) -> list[str]:
        """Delete what a completed rebuild replaced (called by writers, under the writer lock)."""
        retired = self._retired()
        gone = [n for name in retired for n in self._delete(name)]
        if self._current() != self.name:  # the head's own chunks were replaced: it only points now
            stale = [i for i, _, _ in each_page(self._head, [], PAGE_IDS)]
            for part in pages(stale):
                self._head.delete(ids=part)
            gone += self._delete(self.name, parts_only=True)
        if retired:
            self._head.modify(metadata={**(self._head.metadata or {}), "retired": ""})
        return gone

    def _delete(self, physical: str, parts_only: bool = False) -> list[str]:
        """Delete a physical collection with its manifest and sentence vectors (those that exist)."""
        gone = []
        parts = [f"{physical}{MANIFEST_SUFFIX}", f"{physical}{SENTENCES_SUFFIX}"]
        for name in ([] if parts_only else [physical]) + parts:
            try:
                self._client.delete_collection(name)
                gone.append(name)
            except Exception:  # chromadb raises NotFoundError/ValueError by version: already gone
                pass
        return gone

    def drop(self) -> None:
        """Delete this collection, its manifest and sentence vectors (with every rebuild when this is the head)."""
        if self.physical != self.name:
            self._delete(self.physical)
            return
        building = str((self._head.metadata or {}).get("building") or "")
        for name in {self._current(), building, *self._retired()} - {"", self.name}:
            self._delete(name)
        self._delete(self.name, parts_only=True)
        self._client.delete_collection(self.name)
