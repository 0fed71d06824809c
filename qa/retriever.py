"""Question -> ranked passages: dense (Chroma, ids and distances) and lexical (persisted BM25), fused by score;
the kept passages' texts and sentence vectors are read from the lexical snapshot.

Lean on purpose: a cold `qa ask` pays for chromadb, ONNX Runtime and bm25s, never llama-index or
torch. Only chunks of the lexical snapshot's generation are returned, so an ingest running in another
process is invisible until it completes.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from index.packing import unpack_vectors
from qa.filters import Filter
from qa.fusion import fuse
from qa.models import Passage

_CACHE_VECTORS = 4096
_CACHE_SEARCHES = 32
OVERSAMPLE = 3   # a filtered dense search looks this many times deeper than the filter's share asks for
DEEPEST = 4000   # ... but no deeper (~40 ms of Chroma's search at 336k chunks): a smaller share is searched
#                  among its own ids (README "An archive that grows")
AHEAD = 4   # a question is searched again at most this many times deeper (wire copies folded: qa.finding.folded)


def to_passage(chunk_id: str, text: str, meta: dict[str, Any], score: float) -> Passage:
    """A stored chunk as a Passage."""
    return Passage(chunk_id=chunk_id, source=str(meta.get("source", "")), title=str(meta.get("title", "")),
                   text=text, score=float(score), published=str(meta.get("date", "") or ""),
                   outlet=str(meta.get("outlet", "") or ""), author=str(meta.get("author", "") or ""),
                   url=str(meta.get("url", "") or ""), story=str(meta.get("story", "") or ""))


class Retriever:
    """Dense search in the Chroma collection plus BM25 over the same chunks, fused."""

    def __init__(self, store: Any, embedder: Any, lexical: Any, generation: str = "", *, candidates: int = 20,
                 dense_weight: float = 0.5, fusion: str = "dist_based_score") -> None:
        """Wrap ready parts.

        Args:
            store: an index.store.ChunkStore.
            embedder: embeds the question (the backend that built the collection).
            lexical: an index.lexical.Lexical snapshot of the same collection.
            generation: the collection's generation when the snapshot was taken ("": the snapshot's own).
            candidates: how many each retriever returns before fusion.
            dense_weight: weight of the dense retriever (BM25 gets the rest).
            fusion: dist_based_score | relative_score | reciprocal_rerank (see qa.fusion).
        """
        self.store, self.embedder, self.lexical = store, embedder, lexical
        self.generation = generation or lexical.generation
        self.candidates = min(candidates, lexical.count)
        self.weights = (dense_weight, 1.0 - dense_weight)
        self.fusion = fusion
        self._lock = threading.Lock()
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._searched: OrderedDict[tuple[Any, ...], tuple[int, list[tuple[str, float]]]] = OrderedDict()

    @property
    def size(self) -> int:
        """Chunks in the snapshot."""
        return int(self.lexical.count)

    def lexical_search(self, question: str, top_k: int) -> list[Passage]:
        """BM25 alone: the passages sharing the question's words, best first."""
        ranked = self.lexical.search(question, self.candidates)
        return self._passages(ranked[:top_k])

    def retrieve(self, question: str, top_k: int, timings: dict[str, float] | None = None,
                 filters: Filter | None = None) -> list[Passage]:
        """The top_k passages for a question, best first (fused scores).

        Args:
            question: the user's question.
            top_k: how many passages to return.
            timings: when given, gets milliseconds per stage (embed, dense, bm25, fusion).
            filters: only articles of this date range and these outlets (both retrievers obey it).
        """
        clock = _Clock(timings)
        vector = self.embedder.embed_query(question)
        clock.lap("embed")
        where = filters.where() if filters else None
        depth = min(max(self.candidates, top_k), self.lexical.count)   # each retriever's candidates
        hits = self._dense_once(vector, depth, filters if where is not None else None)
        clock.lap("dense")
        # the same filter inside the lexical index: its chunks' dates and outlets
        lexical = self._lexical_once(question, depth, filters if where is not None else None)
        clock.lap("bm25")
        fused = fuse([hits, lexical], self.weights, self.fusion)[:depth][:top_k]
        found = self._passages(fused)   # only the kept passages' texts are read
        clock.lap("fusion")
        return found

    def _dense_once(self, vector: Any, depth: int, filters: Filter | None) -> list[tuple[str, float]]:
        """_dense, searched once per question and filter (see _once)."""
        key = ("dense", np.asarray(vector, dtype=np.float32).tobytes(), filters)
        return self._once(key, depth, lambda: self._dense(vector, depth, filters))

    def _lexical_once(self, question: str, depth: int, filters: Filter | None) -> list[tuple[str, float]]:
        """BM25 under the filter's dates and outlets, searched once per question and filter (see _once), twice as
        deep as asked: at 1M chunks a search 40 deep costs what one 20 deep does (11-13 ms p50; 80 deep ~54 ms),
        and the fold of wire copies asks again twice as deep (README, "Searched once, looking ahead")."""
        admits = (filters.since, filters.until, filters.outlets) if filters is not None else ()
        return self._once(("bm25", question, *admits), depth,
                          lambda: self.lexical.search(question, 2 * depth, *admits), 2 * depth)

    def _once(self, key: tuple[Any, ...], depth: int, search: Callable[[], list[tuple[str, float]]],
              searched: int = 0) -> list[tuple[str, float]]:
        """search() once per key in this snapshot: a question searched again as deep or less (wire copies folded,
        the pass of its time words, a part of it) reads the hits it already found (the best depth of a deeper
        search are the same hits in the same order). A search may look deeper than depth where that costs the
        same: searched says how deep (fewer hits are all there are), else its hits count as that deep."""
        with self._lock:
            known = self._searched.get(key)
        if known is not None and (len(known[1]) < known[0] or depth <= known[0]):   # (all there are, or as deep)
            return known[1][:depth]
        hits = search()
        with self._lock:
            self._searched[key] = (max(depth, searched or len(hits)), hits)
            if len(self._searched) > _CACHE_SEARCHES:
                self._searched.popitem(last=False)
        return hits[:depth]

    def _dense(self, vector: Any, depth: int, filters: Filter | None) -> list[tuple[str, float]]:
        """The depth nearest chunks of the snapshot that the filter lets through (up to AHEAD times more when
        searched among its ids, since that costs the same: 20 or 80 deep ~110 ms among 51k ids at 1M chunks).

        Chroma's filtered search costs seconds at ~1M chunks whatever the filter admits (10-28 s for a year no
        article is of, 14 s for one all are, 3-7 s for a month; ~1 s at 336k for a week), so it is the last resort.
        What the filter admits is counted in the lexical index first: nothing is not searched; everything is
        searched without the filter; a share of the chunks is searched without it, deep enough (by that share,
        OVERSAMPLE times; then by the share found near the question, OVERSAMPLE times; then DEEPEST) to hold depth
        of them, and the hits the snapshot's dates and outlets admit are kept. A share too small for that, or one
        that search finds too few of, is searched among its own ids, listed by the lexical index (at most
        MOST_LISTED of them: 143k listed and searched among in ~0.6 s at 1M chunks, where Chroma's filter took
        145 s); Chroma filters only a larger share."""
        lexical = self.lexical
        admits = (filters.since, filters.until, filters.outlets) if filters is not None else (None, None, ())
        admitted = lexical.admitted(*admits) if filters is not None else lexical.count
        if admitted == 0:
            return []
        if admitted == lexical.count or filters is None:
            return self._held(self.store.search(vector, depth))
        wanted = -(-depth * lexical.count // admitted)   # how deep depth admitted chunks lie, by their share
        first, deepest = min(wanted * OVERSAMPLE, lexical.count), min(DEEPEST, lexical.count)
        need, deep = min(depth, admitted), first
        while deep <= deepest:   # (a tiny share: its ids straight away)
            hits = self._admitted(self.store.search(vector, deep), depth, wanted, admits)
            if len(hits) >= need:
                return hits
            if deep == deepest:
                break
            # the share found near the question tells how deep the rest lie (OVERSAMPLE times that; else DEEPEST)
            deep = min(deepest, -(-deep * need * OVERSAMPLE // len(hits))) if hits else deepest
        listed = lexical.admitted_ids(*admits)
        if listed is not None:   # the snapshot's own ids, held by construction: as deep as the question may ask
            return self.store.search(vector, min(depth * AHEAD, len(listed)), among=listed)   # (same cost)
        return self._held(self.store.search(vector, depth, filters.where()))

    def _admitted(self, hits: list[tuple[str, float]], depth: int, step: int,
                  admits: tuple[Any, ...]) -> list[tuple[str, float]]:
        """The first depth hits the snapshot holds and the filter admits, checked step (at least 500) at a time,
        and those after them in the parts checked (up to AHEAD times depth: found at no cost, kept by _once)."""
        kept: list[tuple[str, float]] = []
        step = max(step, 500)
        for at in range(0, len(hits), step):
            part = hits[at:at + step]
            held = self.lexical.holding([h[0] for h in part], *admits)
            kept += [h for h in part if h[0] in held]
            if len(kept) >= depth:
                break
        return kept[:depth * AHEAD]

    def _held(self, hits: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """The hits the snapshot holds: chunks of a change still under way stay unseen."""
        held = self.lexical.holding([h[0] for h in hits])
        return [h for h in hits if h[0] in held]

    def article_passages(self, source: str, most: int, score: float) -> list[Passage]:
        """The first most chunks of one article in order, each with score (those of the snapshot only)."""
        # index.chunker numbers an article's chunks from 0
        return self._passages(self._held([(f"{source}:{n}", score) for n in range(most)]))

    def _passages(self, ranked: list[tuple[str, float]]) -> list[Passage]:
        """Passages for ranked ids: their texts, metadata and sentence vectors as the lexical snapshot stores them
        (one lookup by id, of the generation searched: Chroma's reads by id grow with the collection)."""
        kept = self.lexical.stored([i for i, _ in ranked])
        self._remember({i: v for i, (_, _, v) in kept.items() if v})
        return [to_passage(i, kept[i][0], kept[i][1], s) for i, s in ranked if i in kept]

    def _remember(self, packed: dict[str, str]) -> None:
        """Cache the sentence vectors of these chunks (chunk id -> packed vectors), those not cached yet."""
        dimension = getattr(self.embedder, "dimension", 0) or 384
        with self._lock:
            for chunk_id, value in packed.items():
                if chunk_id in self._vectors:
                    continue
                self._vectors[chunk_id] = unpack_vectors(value, dimension)
                if len(self._vectors) > _CACHE_VECTORS:
                    self._vectors.popitem(last=False)

    def sentence_vectors(self, passage: Passage) -> np.ndarray | None:
        """The sentence vectors stored for a passage at ingest, if any."""
        with self._lock:
            return self._vectors.get(passage.chunk_id)


class _Clock:
    """Stage stopwatch writing milliseconds into a dict (or nothing)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings, self._t = timings, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[stage] = self.timings.get(stage, 0.0) + (now - self._t) * 1000
        self._t = now
