"""Grounded answers without an LLM: pick the source sentences that answer the question, cite them."""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.sentences import split_sentences
from qa.models import Passage
from qa.support import (
    Need,
    analyse,
    answer_candidates,
    answer_type_score,
    entity_coverage,
    mentions_years,
    names_other_occasions,
    negated,
)
from qa.terms import TermWeights

_CACHE_CHUNKS = 4096
_ANAPHOR = re.compile(
    r"^(?:this|these|that|those|it|he|she|they|such|there)\b"
    r"|\b(?:this|these|such|that) (?:statement|remarks?|comments?|actions?|moves?|decisions?|reports?|events?|"
    r"gestures?|visits?|meetings?|moments?|developments?|exchanges?|warnings?|claims?|plans?|deals?|agreements?)\b",
    re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One source sentence scored against the question."""

    passage: int         # index into the passages list
    position: int        # sentence index inside the passage
    sentence: str
    support: float       # 0..1-ish: how well it answers the question
    similarity: float    # cosine(question, sentence)
    coverage: float      # share of the question's key terms it holds
    typed: bool          # holds an entity of the asked type
    context: str = ""    # the sentence before, when this one leans on it ("This was...")

    @property
    def quote(self) -> str:
        """The sentence as it should be quoted: with its context when it needs one."""
        return f"{self.context} {self.sentence}" if self.context else self.sentence


class EvidenceFinder:
    """Scores every sentence of the retrieved passages; shared by the extractive and LLM paths."""

    def __init__(self, embedder, weights: TermWeights) -> None:
        self._embedder = embedder
        self.weights = weights
        self._sentences: OrderedDict[str, tuple[list[str], np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def _split(self, passage: Passage) -> tuple[list[str], np.ndarray]:
        key = f"{passage.chunk_id}\0{hash(passage.text)}"  # a re-ingested chunk keeps its id
        with self._lock:
            cached = self._sentences.get(key)
        if cached is None:
            sentences = split_sentences(passage.text)
            cached = (sentences, self._embedder.embed(sentences))
            with self._lock:
                self._sentences[key] = cached
                if len(self._sentences) > _CACHE_CHUNKS:
                    self._sentences.popitem(last=False)
        return cached

    def find(self, question: str, passages: Sequence[Passage]) -> tuple[Need, list[Evidence]]:
        """Every sentence of the passages, best support first.

        Args:
            question: the user's question.
            passages: retrieved passages, best first.

        Returns:
            The question analysis and the scored sentences.
        """
        need = analyse(question, self.weights)
        if not passages:
            return need, []
        q_vec = self._embedder.embed_query(question)
        q_pairs = self.weights.bigrams(need.terms)
        # candidate answers of every sentence, per passage: for the votes and for each sentence's own score
        candidates = [[answer_candidates(need, s) for s in self._split(p)[0]] for p in passages]
        votes = _votes(passages, candidates)
        found: list[Evidence] = []
        for p_index, passage in enumerate(passages):
            sentences, vectors = self._split(passage)
            title_terms = set(self.weights.terms(passage.title))
            # a question about 2019 is not answered by a passage that never mentions 2019
            year_factor = 1.0 if mentions_years(need, f"{passage.title} {passage.text}") else 0.6
            all_terms = [self.weights.terms(sentence) for sentence in sentences]
            for position, (sentence, vector, ordered) in enumerate(zip(sentences, vectors, all_terms)):
                previous = sentences[position - 1] if position else ""
                previous_terms = set(all_terms[position - 1]) if position else set()
                # "This was discussed in Seoul." needs the sentence before it to mean anything
                leans_back = bool(_ANAPHOR.search(sentence))
                context = previous if leans_back else ""
                terms = set(ordered)
                near = terms | previous_terms | title_terms
                similarity = float(np.dot(q_vec, vector))
                if leans_back and position:  # "It opened on 3 May" means what the sentence before says
                    similarity = max(similarity, (similarity + float(np.dot(q_vec, vectors[position - 1]))) / 2)
                coverage = (0.75 * self.weights.coverage(need.terms, terms | (previous_terms if leans_back else set()))
                            + 0.25 * self.weights.coverage(need.terms, near))
                phrase = (len(q_pairs & self.weights.bigrams(ordered)) / len(q_pairs)) if q_pairs else coverage
                type_score = answer_type_score(need, sentence, terms)
                support = 0.5 * similarity + 0.35 * coverage + 0.15 * phrase + 0.05 * passage.score
                # a headline fragment ("Chief of Acme and Beta ...") rarely answers anything
                fullness = min(1.0, len(sentence.split()) / 10) * (0.8 if _headline(sentence) else 1.0)
                if sentence.endswith(("...", "…")) or sentence[0].islower():
                    fullness *= 0.7  # a snippet cut short: what it was about to say is gone
                support *= (0.5 + 0.5 * type_score) * year_factor * (0.7 + 0.3 * fullness)
                if names_other_occasions(need, sentence):
                    support *= 0.7
                if need.focus and need.focus not in near:
                    support *= 0.8  # "which airline" is not answered by a sentence that names no airline
                if need.negated and not negated(f"{context} {sentence}"):
                    support *= 0.5  # "what did X not do?" is not answered by what X did
                # an answer several articles agree on is more likely right (answer redundancy)
                support *= 0.9 + 0.2 * max((votes.get(c, 0.0) for c in candidates[p_index][position]),
                                           default=0.0)
                if need.entities:
                    # names and numbers of the question should appear near the answer (headline, the
                    # sentence or the one before): a swapped entity is the classic unanswerable question
                    support *= 0.6 + 0.4 * entity_coverage(need, " ".join((passage.title, previous, sentence)))
                found.append(Evidence(p_index, position, sentence, support, similarity, coverage, type_score == 1.0,
                                      context))
        found.sort(key=lambda e: -e.support)
        return need, found


def _headline(sentence: str) -> bool:
    """Title Case ("Acme's New Chief Says Jobs Are Safe For Now"): its capitals name nobody."""
    words = [w for w in sentence.split() if len(w) > 3 and w[0].isalpha()]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) / len(words) > 0.7


def _votes(passages: Sequence[Passage], candidates: Sequence[list[set[str]]]) -> dict[str, float]:
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
        if ev.sentence.lower() in seen:
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


def rerank(found: Sequence[Evidence], passages: Sequence[Passage], top_k: int) -> list[Passage]:
    """Order passages by retrieval score and their best sentence together; keep top_k.

    A chunk whose best sentence answers the question outranks one that only shares its words.
    """
    best: dict[int, float] = {}
    for ev in found:
        best[ev.passage] = max(best.get(ev.passage, 0.0), ev.support)
    scored = [(0.5 * p.score + 0.5 * best.get(i, 0.0), i) for i, p in enumerate(passages)]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [replace(passages[i], score=round(score, 4)) for score, i in scored[:top_k]]
