"""The manifest of a collection: which articles are completely stored (content hash, chunk count), their story
and text signature, with the signature's LSH band keys for finding near-copies by an indexed read."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from index.chroma import each_page, rows

PAGE_IDS = 5000   # ids per read by ids (SQLite's variable limit)
NEAR_PAGE = 500   # articles whose band keys one read looks up
BANDS = "v1"      # the manifest's entries carry their LSH band keys


def pages(ids: Sequence[str]) -> list[list[str]]:
    """ids in parts of PAGE_IDS (one read each)."""
    ids = list(ids)
    return [ids[i:i + PAGE_IDS] for i in range(0, len(ids), PAGE_IDS)]


def _entry(meta: dict[str, Any]) -> dict[str, Any]:
    """A manifest entry with the band keys of its text signature."""
    from index.copies import bands

    return {**{k: v for k, v in meta.items() if not k.startswith("band")}, **bands(str(meta.get("minhash", "")))}


class Manifest:
    """Article-level bookkeeping of a ChunkStore (its `_manifest` collection)."""

    _manifest: Any

    def finished(self, ids: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        """Article id -> manifest entry (content hash, chunk count, story, text signature) of every completely
        stored article (or of those among ids: a read that costs what they are, not the archive)."""
        if ids is None:   # a page at a time: one get of a large manifest fails in Chroma ("too many SQL variables")
            entries = list(each_page(self._manifest, ["metadatas"], PAGE_IDS))
        else:
            entries = [r for part in pages(ids) for r in rows(self._manifest.get(ids=part, include=["metadatas"]))]
        return {i: dict(m) for i, _, m in entries if "hash" in m}

    def article_hashes(self, finished: dict[str, dict[str, Any]] | None = None) -> dict[str, str]:
        """Article id -> content hash of every completely stored article (from the manifest, or an entry
        already read with finished())."""
        return {i: str(m["hash"]) for i, m in (self.finished() if finished is None else finished).items()}

    def mark_done(self, done: Sequence[tuple[str, str, int]], stories: Mapping[str, tuple[str, str]] | None = None
                  ) -> None:
        """Record that every chunk of these articles (id, content hash, chunk count) is committed (the last
        step of their ingest), with each one's story and text signature (index.copies) when given."""
        stories = stories or {}
        if done:
            self._manifest.upsert(ids=[d[0] for d in done], embeddings=[[0.0]] * len(done), metadatas=[
                _entry({"hash": h, "chunks": n, **dict(zip(("story", "minhash"), stories.get(i, ("", ""))))})
                for i, h, n in done])

    def stories(self, finished: dict[str, dict[str, Any]] | None = None) -> dict[str, tuple[str, str]]:
        """Article id -> (story, text signature) of every completely stored article that has them (from the
        manifest, or an entry already read with finished())."""
        return {i: (str(m.get("story", "")), str(m["minhash"]))
                for i, m in (self.finished() if finished is None else finished).items() if m.get("minhash")}

    def near(self, band_keys: Mapping[str, str]) -> dict[str, tuple[str, str]]:
        """Article id -> (story, text signature) of the finished articles sharing one of these LSH band keys
        (index.copies.bands)."""
        return self.near_many([band_keys])[0]

    def near_many(self, band_keys: Sequence[Mapping[str, str]]) -> list[dict[str, tuple[str, str]]]:
        """near() for several articles' band keys at once: one indexed read of the manifest for all of them (a
        read costs ~15 ms before its rows at 82k entries, and each condition of an $or as much again). Entries
        written before band keys existed get them first, once."""
        if len(band_keys) > NEAR_PAGE:   # SQLite's variable limit
            return [found for at in range(0, len(band_keys), NEAR_PAGE)
                    for found in self.near_many(band_keys[at:at + NEAR_PAGE])]
        wanted: dict[str, set[str]] = {}
        for keys in band_keys:
            if len(keys) >= 2:
                for band, key in keys.items():
                    wanted.setdefault(band, set()).add(key)
        if not wanted:
            return [{} for _ in band_keys]
        if (self._manifest.metadata or {}).get("bands") != BANDS:
            entries = self.finished()
            for at in range(0, len(entries), PAGE_IDS):
                part = list(entries)[at:at + PAGE_IDS]
                self._manifest.upsert(ids=part, embeddings=[[0.0]] * len(part),
                                      metadatas=[_entry(entries[i]) for i in part])
            self.mark_banded()
        where = [{band: {"$in": sorted(keys)}} for band, keys in sorted(wanted.items())]
        got = self._manifest.get(where=where[0] if len(where) == 1 else {"$or": where}, include=["metadatas"])
        found = [(i, m) for i, m in zip(got["ids"], got["metadatas"] or []) if m and "hash" in m]
        return [{i: (str(m.get("story", "")), str(m.get("minhash", ""))) for i, m in found
                 if len(keys) >= 2 and any(m.get(band) == key for band, key in keys.items())}
                for keys in band_keys]

    def mark_banded(self) -> None:
        """Record that every manifest entry carries its band keys: after the one-time backfill, or at the first
        ingest into an empty collection (nothing to backfill; mark_done writes them). Unmarked, the next ingest
        would read and rewrite the whole manifest (at 1M chunks, 82k entries: a fresh add of 10 articles took 88 s
        instead of 12 s)."""
        if (self._manifest.metadata or {}).get("bands") != BANDS:
            self._manifest.modify(metadata={**(self._manifest.metadata or {}), "bands": BANDS})

    def unmark(self, article_ids: Sequence[str]) -> None:
        """Forget that articles are complete (the first step before their chunks change)."""
        if article_ids:
            self._manifest.delete(ids=list(article_ids))
