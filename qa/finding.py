"""Question -> Findings: retrieval (with a second pass over the time the question names), rerank by best
sentence, the sentences scored; what every answerer reads."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from qa.answerers.base import Findings
from qa.answerers.coverage import COUNTED, coverage_answer
from qa.dated import asked_by, merged, prefer_recent, prefer_timely, time_filter, with_timely
from qa.evidence import EvidenceFinder, diversify, rerank
from qa.filters import Filter
from qa.models import Answer, Match
from qa.query import analyse
from qa.settings import Settings
from qa.stories import fold_copies


def search(retriever: Any, finder: EvidenceFinder, settings: Settings, question: str, k: int,
           timings: dict[str, float] | None = None, filters: Filter | None = None,
           as_of: date | None = None, plain: bool = False, context: str = "") -> Findings:
    """The findings for a clean question: k passages (more for a summary or a question about the coverage, at
    most two, or one, of each article), their sentences scored best first.

    A question about the coverage ("Which outlet ran the story about X?") is searched for its topic (X), unless
    plain (the articles lack what it asks: it is then answered as any other question).
    """
    query = analyse(question, finder.weights, as_of, settings.recent_days)
    if plain:
        query = replace(query, coverage="", topic="")
    scoring_query = query
    if query.coverage:
        scoring_query = analyse(query.topic, finder.weights, as_of)
    wide = query.synthesis or bool(query.coverage)
    if wide:  # drawn from several articles: more passages, few of each article
        k = max(k, COUNTED if query.coverage in ("count", "which") else settings.synthesis_passages)
    depth = max(k, settings.rerank_depth)
    searched = f"{scoring_query.text} {context}".strip()
    fetched = folded(retriever, searched, depth, timings, filters)
    timed = time_filter(query, filters)
    if timed is not None:   # a second pass adds the articles of the time the question names
        fetched = merged(fetched, folded(retriever, searched, depth, timings, timed))
    fetched = asked_by(fold_copies(fetched), query.as_of)
    scoring = time.perf_counter()
    read: dict = {}   # each sentence's reading, shared by both scorings below
    ranked = rerank(prefer_timely(finder.find(scoring_query, fetched, memo=read, best_only=True), fetched, query),
                    fetched, len(fetched))
    ranked = with_timely(ranked, k if not wide else len(ranked), query)
    passages = tuple(diversify(ranked, k, per_article=1 if query.coverage else 2) if wide else ranked)
    if query.synthesis and passages and settings.synthesis_whole > 0:
        passages = whole_best(retriever, passages, settings.synthesis_whole)
    # scoring only (vectors cached), agreement among the kept passages
    scored = prefer_timely(finder.find(scoring_query, passages, memo=read), passages, query)
    found = Findings(query, passages, tuple(prefer_recent(scored, passages) if query.latest else scored), finder)
    if timings is not None:
        timings["evidence"] = timings.get("evidence", 0.0) + (time.perf_counter() - scoring) * 1000
    return found


def whole_best(retriever: Any, passages: tuple, most: int) -> tuple:
    """The passages with the best article read whole (its first most chunks, in order, first as it ranked): a
    summary of one article needs what its question's words do not match (the figures, the later revelations), and
    two retrieved chunks of a long page miss them."""
    best = passages[0].source
    read = getattr(retriever, "article_passages", None)   # a retriever that cannot read an article whole: as found
    whole = read(best, most, passages[0].score) if read is not None else []
    if not whole:
        return passages
    return tuple(whole) + tuple(p for p in passages if p.source != best)   # the best article comes first


def folded(retriever: Any, question: str, depth: int, timings: dict[str, float] | None,
           filters: Filter | None) -> list:
    """depth passages with wire copies folded (a story run by many outlets counts once): retrieval goes
    deeper, up to AHEAD times, while copies fill its places."""
    from qa.retriever import AHEAD

    want = depth
    while True:
        got = retriever.retrieve(question, want, timings, filters)
        out = fold_copies(got)
        if len(out) >= depth or len(got) < want or want >= AHEAD * depth:
            return out[:depth]
        want *= 2


def covered_or_found(find: Callable[..., Findings], min_support: float, name: str, question: str,
                     top_k: int | None, timings: dict[str, float] | None, filters: Filter | None,
                     as_of: Any, context: str = "") -> tuple[Findings, Answer | None]:
    """The findings, and the answer from the articles' metadata when the question is about the coverage and
    they hold what it asks (else it is searched again, plain, as any other question)."""
    found = find(question, top_k, timings, filters=filters, as_of=as_of, context=context)
    if not found.query.coverage:
        return found, None
    covered = coverage_answer(found.query, found, min_support, name)
    if covered is not None:
        return found, covered
    return find(question, top_k, timings, filters=filters, as_of=as_of, plain=True, context=context), None


def open_search(store: Any, generation: str, settings: Settings, embedder: Any,
                finder: EvidenceFinder | None) -> tuple[Any, EvidenceFinder]:
    """Retriever and evidence finder over a snapshot of the collection's lexical index. An index behind the
    collection (a writer killed mid-change, a Chroma server changed from another machine, an index of an older
    format) is first brought up to it, unless a writer is at work (its own publish will).

    Raises:
        IndexMissingError: the collection is empty.
    """
    from pathlib import Path

    from index.lock import writer_lock
    from qa.errors import IndexMissingError
    from qa.library import catch_up, lexical_index
    from qa.retriever import Retriever
    from qa.terms import TermWeights

    index = lexical_index(settings, store)
    lexical = index.snapshot()
    empty = not lexical.count and store.count() > 0   # chunks written without a publish (index.ingest alone)
    if lexical.generation != generation or index.pending() or empty:
        with writer_lock(Path(settings.data_dir), wait=False) as writing:
            if writing:
                if empty or lexical.generation != generation:   # a rebuild: minutes at a million chunks
                    print(f"qa: building the lexical index of {store.count():,} chunks once (a new index format, "
                          "or a change made elsewhere)…", file=sys.stderr, flush=True)
                catch_up(store, index, full=empty)
                lexical = index.snapshot()
    if not lexical.count:
        raise IndexMissingError(f"Collection {store.name!r} is empty: run `qa ingest seeds/` first")
    retriever = Retriever(store, embedder, lexical, generation, candidates=max(settings.candidates, settings.top_k),
                          dense_weight=settings.dense_weight, fusion=settings.fusion)
    weights = TermWeights(counts=(lexical.df, lexical.count))
    finder = (finder.with_weights(weights, embedder, retriever.sentence_vectors) if finder is not None
              else EvidenceFinder(embedder, weights, stored=retriever.sentence_vectors))
    return retriever, finder


def matches(found: Findings) -> tuple[Match, ...]:
    """Each passage found, in the order found, with its best-scored sentence (what a search without an answer
    shows)."""
    best: dict[int, Any] = {}
    for ev in found.evidence:   # best first
        best.setdefault(ev.passage, ev)
    shown = [best.get(i) for i in range(len(found.passages))]
    return tuple(Match(rank, ev.quote if ev else "", round(ev.support, 4) if ev else 0.0, passage)
                 for rank, (ev, passage) in enumerate(zip(shown, found.passages), 1))
