"""Evidence: every sentence of the retrieved passages scored by the signal table; selection and reranking."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from index.sentences import split_sentences
from qa.lexicon import ANAPHOR
from qa.matching import answer_candidates
from qa.models import Passage, SignalValue
from qa.query import Query
from qa.signals import SIGNALS, Ceiling, SentenceView, Signal, read, score
from qa.terms import TermWeights

_CACHE_CHUNKS = 4096


@dataclass(frozen=True, slots=True)
class Evidence:
    """One source sentence scored against the question."""

    passage: int         # index into the passages list
    position: int        # sentence index inside the passage
    sentence: str
    support: float       # the combined signal score: how well it answers the question
    similarity: float    # cosine(question, sentence)
    coverage: float      # share of the question's key terms it holds
    typed: bool          # holds an entity of the asked type
    context: str = ""    # the sentence before, when this one leans on it ("This was...")
    signals: tuple[SignalValue, ...] = ()

    @property
    def quote(self) -> str:
        """The sentence as it should be quoted: with its context when it needs one."""
        return f"{self.context} {self.sentence}" if self.context else self.sentence


class _Split(NamedTuple):
    """What a passage's sentences are, independent of any question."""

    sentences: list[str]
    vectors: np.ndarray
    terms: list[tuple[str, ...]]
    term_sets: list[frozenset[str]]
    leans: list[bool]          # leans on the sentence before ("This was...")
    title_terms: frozenset[str]
    # read when a question first needs them (one that writes an acronym, or a name out), None until then:
    spelled: list[dict[str, frozenset[str]] | None]   # acronyms of the names each sentence writes out
    acronyms: list[frozenset[str] | None]             # acronyms each sentence writes in capitals


class EvidenceFinder:
    """Scores every sentence of the retrieved passages; shared by every answerer."""

    def __init__(self, embedder, weights: TermWeights, signals: tuple[Signal, ...] = SIGNALS,
                 stored: Callable[[Passage], np.ndarray | None] | None = None) -> None:
        """Score sentences with this embedder and these term statistics.

        Args:
            embedder: embeds the question and any sentence without a stored vector.
            weights: term statistics of the collection.
            signals: the signal table.
            stored: a passage's sentence vectors embedded at ingest (None when it has none).
        """
        self._embedder = embedder
        self.weights = weights
        self.signals = signals
        self._stored = stored
        self._ceiling = Ceiling.of(signals)
        self._sentences: OrderedDict[str, _Split] = OrderedDict()
        self._lock = threading.Lock()

    def with_weights(self, weights: TermWeights, embedder=None,
                     stored: Callable[[Passage], np.ndarray | None] | None = None) -> EvidenceFinder:
        """The same finder over new term statistics (articles changed), sharing the sentence cache."""
        twin = EvidenceFinder(embedder or self._embedder, weights, self.signals, stored)
        twin._sentences, twin._lock = self._sentences, self._lock
        return twin

    def _split(self, passage: Passage) -> _Split:
        """A passage's sentences with what does not depend on the question (vectors, terms), cached."""
        key = f"{passage.chunk_id}\0{hash(passage.text)}\0{passage.title}"  # a re-ingested chunk keeps its id
        with self._lock:
            cached = self._sentences.get(key)
        if cached is None:
            sentences = split_sentences(passage.text)
            vectors = self._stored(passage) if self._stored is not None else None
            if vectors is None or len(vectors) != len(sentences):
                vectors = self._embedder.embed(sentences)
            terms = [tuple(self.weights.terms(sentence)) for sentence in sentences]  # idf-free: safe to share
            cached = _Split(sentences, vectors, terms, [frozenset(t) for t in terms],
                            [bool(ANAPHOR.search(sentence)) for sentence in sentences],
                            frozenset(self.weights.terms(passage.title)),
                            [None] * len(sentences), [None] * len(sentences))
            with self._lock:
                self._sentences[key] = cached
                if len(self._sentences) > _CACHE_CHUNKS:
                    self._sentences.popitem(last=False)
        return cached

    def find(self, query: Query, passages: Sequence[Passage], *, memo: dict[tuple[str, int], _Read] | None = None,
             best_only: bool = False) -> list[Evidence]:
        """Every sentence of the passages, best support first.

        Args:
            query: the analysed question.
            passages: retrieved passages, best first.
            memo: what was read of each sentence for this same query, by (chunk id, position): its answer candidates
                and the values of the signals that do not vary with the other passages. One search fills it and
                reuses it when it scores the passages it keeps again among one another.
            best_only: only each passage's best sentence is wanted (to rerank the passages): a sentence is scored
                in full while its ceiling (its opening additive signals, every scaling one at its best) can still
                beat the best of its passage so far; the sentences that cannot are left out.

        Returns:
            The scored sentences.
        """
        if not passages:
            return []
        reading = _Reading(query, self._embedder.embed_query(query.text),
                           (self.weights.acronyms(query.text), self.weights.spelled(query.text)),
                           _Votes(passages), {} if memo is None else memo)
        found = [ev for p_index, passage in enumerate(passages)
                 for ev in self._passage(reading, p_index, passage, best_only)]
        found.sort(key=lambda e: -e.support)
        return found

    def _passage(self, reading: _Reading, p_index: int, passage: Passage, best_only: bool) -> list[Evidence]:
        """A passage's sentences scored (with best_only, those that may be its best)."""
        part = self._split(passage)
        cosines = part.vectors @ reading.q_vec
        similarities = [_similarity(part, cosines, position) for position in range(len(part.sentences))]
        positions: Sequence[int] = range(len(part.sentences))
        ceilings: dict[int, float] = {}
        if best_only and self._ceiling is not None:
            for position in positions:
                view = self._view(reading, passage, part, position, similarities[position])
                ceilings[position] = self._ceiling(self._opening(reading, passage.chunk_id, position, view))
            positions = sorted(positions, key=lambda position: -ceilings[position])
        scored: list[Evidence] = []
        best = None
        for position in positions:
            if best is not None and ceilings and ceilings[position] < best:
                break   # neither it nor any after it can beat the best
            key = (passage.chunk_id, position)
            known = reading.memo.get(key)
            candidates = known.candidates if known is not None and known.candidates is not None else \
                frozenset(answer_candidates(reading.query, part.sentences[position]))
            view = self._view(reading, passage, part, position, similarities[position], candidates)
            support, parts = score(reading.query, view, self.signals, known.values if known is not None else None)
            values = {p.name: p.value for p in parts}
            reading.memo[key] = _Read(candidates, values)
            best = support if best is None else max(best, support)
            scored.append(Evidence(p_index, position, view.sentence, support, view.similarity,
                                   values.get("coverage", 0.0), values.get("answer_type", 1.0) == 1.0,
                                   view.context, parts))
        return scored

    def _view(self, reading: _Reading, passage: Passage, part: _Split, position: int, similarity: float,
              candidates: frozenset[str] = frozenset()) -> SentenceView:
        """What the signals read of one sentence (its answer candidates are read only for those scored in full)."""
        sentence = part.sentences[position]
        previous = part.sentences[position - 1] if position else ""
        same = self._same_names(reading.asked, part, position)
        return SentenceView(
            sentence=sentence, previous=previous, context=previous if part.leans[position] else "",
            terms=part.term_sets[position] | same, ordered=part.terms[position], same_names=same,
            previous_terms=part.term_sets[position - 1] if position else frozenset(),
            title=passage.title, title_terms=part.title_terms, passage_text=passage.text,
            passage_score=passage.score, similarity=similarity, candidates=candidates, votes=reading.votes,
            weights=self.weights)

    def _same_names(self, asked: tuple[frozenset[str], dict[str, frozenset[str]]], part: _Split,
                    position: int) -> frozenset[str]:
        """The question's terms a sentence states as an acronym or in full: the acronym the question writes ("the
        California ISO") when the sentence writes the name out ("the California Independent System Operator"), and
        the words of a name the question writes out when the sentence writes its acronym."""
        acronyms, spelled = asked
        out: set[str] = set()
        if acronyms:
            written = part.spelled[position]
            if written is None:
                written = part.spelled[position] = self.weights.spelled(part.sentences[position])
            out = {a for a in acronyms if a in written}
        if spelled:
            capitals = part.acronyms[position]
            if capitals is None:
                capitals = part.acronyms[position] = self.weights.acronyms(part.sentences[position])
            for a in capitals:
                out |= spelled.get(a, frozenset())
        return frozenset(out)

    def _opening(self, reading: _Reading, chunk_id: str, position: int, view: SentenceView) -> float:
        """The sum of the table's opening additive signals (those before its ceiling's scaling ones) for one
        sentence; their values join its memo."""
        assert self._ceiling is not None   # (asked only of a table that has a ceiling)
        known = reading.memo.setdefault((chunk_id, position), _Read(None, {})).values
        signals = self.signals[:self._ceiling.opening]
        values = read(reading.query, view, signals, known)
        known.update((s.name, value) for s, value in zip(signals, values))
        return sum(s.weight * value for s, value in zip(signals, values))


def _similarity(part: _Split, cosines: np.ndarray, position: int) -> float:
    """cosine(question, sentence); for a sentence that leans on the one before ("It opened on 3 May" means what
    the sentence before says), at least the mean of both."""
    similarity = float(cosines[position])
    if part.leans[position] and position:
        similarity = max(similarity, (similarity + float(cosines[position - 1])) / 2)
    return similarity


class _Reading(NamedTuple):
    """One question's reading of the passages: what every sentence's scoring shares."""

    query: Query
    q_vec: np.ndarray
    asked: tuple[frozenset[str], dict[str, frozenset[str]]]   # the question's acronyms and the names it spells out
    votes: _Votes
    memo: dict[tuple[str, int], _Read]


class _Read(NamedTuple):
    """What was read of one sentence for one query: its answer candidates, its signals' values by name."""

    candidates: frozenset[str] | None   # None: not read yet
    values: dict[str, float]


class _Votes:
    """Candidate answer -> share of the other passages that also mention it (0..1), counted when first asked."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._texts = [p.text.lower() for p in passages] if len(passages) > 1 else []
        self._known: dict[str, float] = {}

    def get(self, candidate: str, default: float = 0.0, /) -> float:
        if not self._texts:
            return default
        found = self._known.get(candidate)
        if found is None:
            found = self._known[candidate] = \
                (sum(1 for t in self._texts if candidate in t) - 1) / (len(self._texts) - 1)
        return found


def rerank(found: Sequence[Evidence], passages: Sequence[Passage], top_k: int) -> list[Passage]:
    """Order passages by retrieval score and their best sentence together; keep top_k.

    A chunk whose best sentence answers the question outranks one that only shares its words.
    """
    best: dict[int, float] = {}
    for ev in found:
        best[ev.passage] = max(best.get(ev.passage, 0.0), ev.support)
    fused = [(0.5 * p.score + 0.5 * best.get(i, 0.0), i) for i, p in enumerate(passages)]
    fused.sort(key=lambda pair: (-pair[0], pair[1]))
    return [replace(passages[i], score=round(value, 4)) for value, i in fused[:top_k]]


def diversify(passages: Sequence[Passage], top_k: int, per_article: int) -> list[Passage]:
    """Keep top_k passages, the best of each article first, then others up to per_article per article."""
    seen: dict[str, int] = {}
    firsts, rest = [], []
    for p in passages:
        seen[p.source] = seen.get(p.source, 0) + 1
        if seen[p.source] == 1:
            firsts.append(p)
        elif seen[p.source] <= per_article:
            rest.append(p)
    kept = set(map(id, (firsts + rest)[:top_k]))
    return [p for p in passages if id(p) in kept]
