"""Evidence: every sentence of the retrieved passages scored by the signal table; selection and reranking."""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from index.sentences import split_sentences
from qa.lexicon import ANAPHOR
from qa.matching import answer_candidates, typed_spans
from qa.models import Passage, SignalValue
from qa.query import Query
from qa.signals import SIGNALS, SentenceView, Signal, score
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
    spelled: list[dict[str, frozenset[str]]]   # acronyms of the names each sentence writes out
    acronyms: list[frozenset[str]]             # acronyms each sentence writes in capitals


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
                            [self.weights.spelled(sentence) for sentence in sentences],
                            [self.weights.acronyms(sentence) for sentence in sentences])
            with self._lock:
                self._sentences[key] = cached
                if len(self._sentences) > _CACHE_CHUNKS:
                    self._sentences.popitem(last=False)
        return cached

    def find(self, query: Query, passages: Sequence[Passage]) -> list[Evidence]:
        """Every sentence of the passages, best support first.

        Args:
            query: the analysed question.
            passages: retrieved passages, best first.

        Returns:
            The scored sentences.
        """
        if not passages:
            return []
        q_vec = self._embedder.embed_query(query.text)
        split = [self._split(p) for p in passages]
        # candidate answers of every sentence, per passage: for the votes and for each sentence's own signal
        candidates = [[frozenset(answer_candidates(query, s)) for s in part.sentences] for part in split]
        votes = _votes(passages, candidates)
        asked = (self.weights.acronyms(query.text), self.weights.spelled(query.text))
        found: list[Evidence] = []
        for p_index, (passage, part) in enumerate(zip(passages, split)):
            cosines = part.vectors @ q_vec
            for position, sentence in enumerate(part.sentences):
                previous = part.sentences[position - 1] if position else ""
                leans_back = part.leans[position]
                same = _same_names(asked, part, position)
                similarity = float(cosines[position])
                if leans_back and position:  # "It opened on 3 May" means what the sentence before says
                    similarity = max(similarity, (similarity + float(cosines[position - 1])) / 2)
                view = SentenceView(
                    sentence=sentence, previous=previous, context=previous if leans_back else "",
                    terms=part.term_sets[position] | same, ordered=part.terms[position], same_names=same,
                    previous_terms=part.term_sets[position - 1] if position else frozenset(),
                    title=passage.title, title_terms=part.title_terms, passage_text=passage.text,
                    passage_score=passage.score, similarity=similarity,
                    candidates=candidates[p_index][position], votes=votes, weights=self.weights)
                support, parts = score(query, view, self.signals)
                values = {p.name: p.value for p in parts}
                found.append(Evidence(p_index, position, sentence, support, similarity, values.get("coverage", 0.0),
                                      values.get("answer_type", 1.0) == 1.0, view.context, parts))
        found.sort(key=lambda e: -e.support)
        return found


def _same_names(asked: tuple[frozenset[str], dict[str, frozenset[str]]], part: _Split,
                position: int) -> frozenset[str]:
    """The question's terms a sentence states as an acronym or in full: the acronym the question writes ("the
    California ISO") when the sentence writes the name out ("the California Independent System Operator"), and
    the words of a name the question writes out when the sentence writes its acronym."""
    acronyms, spelled = asked
    out = {a for a in acronyms if a in part.spelled[position]}
    for a in part.acronyms[position]:
        out |= spelled.get(a, frozenset())
    return frozenset(out)


def _votes(passages: Sequence[Passage], candidates: Sequence[list[frozenset[str]]]) -> dict[str, float]:
    """Candidate answer -> share of the other passages that also mention it (0..1)."""
    if len(passages) < 2:
        return {}
    every = {c for per_passage in candidates for per_sentence in per_passage for c in per_sentence}
    texts = [p.text.lower() for p in passages]
    return {c: (sum(1 for t in texts if c in t) - 1) / (len(texts) - 1) for c in every}


def select_evidence(found: Sequence[Evidence], *, max_sentences: int, min_support: float,
                    margin: float = 0.08) -> list[Evidence]:
    """The sentences worth quoting: the best one, plus close runners-up that add something.

    Args:
        found: scored sentences, best first.
        max_sentences: cap on the number selected.
        min_support: below this nothing is selected (the assistant refuses).
        margin: how far below the best a runner-up may score.

    Returns:
        Selected sentences, best first; empty means refuse.
    """
    if not found or found[0].support < min_support:
        return []
    best = found[0]
    chosen: list[Evidence] = []
    seen: set[str] = set()

    def quotable(ev: Evidence) -> Evidence | None:
        """ev as it can join the answer: None when it repeats a quoted sentence, without its context
        when that context is quoted already."""
        if ev.sentence.lower() in seen or repeats(ev.sentence, seen):
            return None
        return replace(ev, context="") if ev.context.lower() in seen else ev

    def add(ev: Evidence) -> None:
        chosen.append(ev)
        seen.update(text.lower() for text in (ev.sentence, ev.context) if text)

    add(best)
    for ev in found[1:]:
        if len(chosen) >= max_sentences:
            break
        if ev.support >= max(min_support, best.support - margin) and (ev := quotable(ev)) is not None:
            add(ev)
    if not any(e.typed for e in chosen):
        # "on 4th March" is better followed by a runner-up (a little further down) saying "March 4, 2016"
        exact = next((q for e in found[1:] if e.typed and e.support >= max(min_support, best.support - 2 * margin)
                      and (q := quotable(e)) is not None), None)
        if exact is not None and len(chosen) < max_sentences:
            add(exact)
        elif exact is not None and len(chosen) > 1:
            chosen[-1] = exact
    return chosen


def repeats(text: str, quoted: Iterable[str], share: float = 0.9) -> bool:
    """Whether text says next to nothing that one of the quoted sentences does not: at least share of its words
    (six or more) are among that sentence's. A page repeats its lines: a pull quote, a standfirst, a headline ("Kamila
    Valieva banned four years for doping, ending 2022 Olympic ...") that the body says in full."""
    words = REPEAT_WORD.findall(text.lower())
    if len(words) < 6:
        return False
    for other in quoted:
        held = set(REPEAT_WORD.findall(other.lower()))
        if sum(w in held for w in words) >= share * len(words):
            return True
    return False


REPEAT_WORD = re.compile(r"\w+")


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


# another dated article answering this close to the best sentence, with another answer, is shown beside it
DISAGREE_MARGIN = 0.1


def disagreement(query: Query, found: Sequence[Evidence], passages: Sequence[Passage],
                 chosen: Sequence[Evidence]) -> Evidence | None:
    """A sentence of another article, published on another day, that answers nearly as well as the best one but
    states another figure, date, name or place: the answer shows both with their dates rather than silently
    picking one. None when the articles agree, are undated, or the question asks for no such thing."""
    if not chosen or not query.kind or query.synthesis:
        return None
    best = chosen[0]
    first = passages[best.passage]
    mine = {span.lower() for span in typed_spans(query, best.sentence)}
    if not first.published or not mine:
        return None
    for ev in [*chosen[1:], *found]:
        if ev.support < best.support - DISAGREE_MARGIN:
            continue
        other = passages[ev.passage]
        if other.source == first.source or not other.published or other.published[:10] == first.published[:10]:
            continue
        theirs = {span.lower() for span in typed_spans(query, ev.sentence)}
        if theirs and not theirs & mine:
            return ev
    return None
