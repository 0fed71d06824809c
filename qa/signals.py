"""Evidence as a table of named signals: each a name, a weight and a pure function of (query, sentence).

The score of a sentence is the sum of the additive signals, then scaled by each scaling signal in
table order (factor = base + weight * value). The breakdown records what each signal added to the
running score, so the contributions sum to the score exactly (up to rounding): `qa ask --explain`
prints them. The weights live here and nowhere else; `evals/calibrate.py` refits them on seeds.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from qa.matching import (
    answer_type_score,
    entity_keys,
    entity_share,
    headline,
    mentions_years,
    names_other_occasions,
    negated,
)
from qa.models import SignalValue
from qa.query import Query
from qa.terms import TermWeights


class Votes(Protocol):
    """Candidate answer -> share of the other passages that mention it (a mapping's get; counted when asked)."""

    def get(self, candidate: str, default: float = 0.0, /) -> float: ...


@dataclass(frozen=True, slots=True)
class SentenceView:
    """Everything the signals may read about one sentence, computed once by the evidence finder."""

    sentence: str
    previous: str                  # the sentence before it ("" for the first)
    context: str                   # the sentence before, when this one leans on it ("This was...")
    terms: frozenset[str]          # its content terms
    ordered: tuple[str, ...]       # the same in order (for phrases)
    previous_terms: frozenset[str]
    title: str
    title_terms: frozenset[str]
    passage_text: str
    passage_score: float           # the retrieval score of its passage
    similarity: float              # cosine(question, sentence), or with the sentence before when leaning back
    candidates: frozenset[str]     # answer candidates it holds
    votes: Votes                   # candidate -> share of the other passages mentioning it
    weights: TermWeights
    same_names: frozenset[str] = frozenset()   # the question's acronyms it writes out, or names it abbreviates


@dataclass(frozen=True, slots=True)
class Signal:
    """One named piece of evidence: additive (weight * value) or scaling (base + weight * value)."""

    name: str
    weight: float
    value: Callable[[Query, SentenceView], float]
    base: float | None = None    # None: additive; else the factor when value is 0
    doc: str = ""
    varies: bool = False         # reads the other passages (their scores, what they say), not only the sentence's own


def _coverage(q: Query, s: SentenceView) -> float:
    own = s.terms | (s.previous_terms if s.context else frozenset())
    return 0.75 * s.weights.coverage(q.terms, own) + 0.25 * s.weights.coverage(q.terms, _near(s))


def _phrase(q: Query, s: SentenceView) -> float:
    if not q.pairs:
        return _coverage(q, s)
    return len(q.pairs & s.weights.bigrams(s.ordered)) / len(q.pairs)


def _fullness(q: Query, s: SentenceView) -> float:
    return fullness(s.sentence)


@lru_cache(maxsize=1 << 14)
def fullness(sentence: str) -> float:
    """How whole a sentence is (no question needed): short ones, headlines and cut snippets count less."""
    full = min(1.0, len(sentence.split()) / 10) * (0.8 if headline(sentence) else 1.0)
    if sentence.endswith(("...", "…")) or sentence[0].islower():
        full *= 0.7  # a snippet cut short: what it was about to say is gone
    return full


def _entities(q: Query, s: SentenceView) -> float:
    """The share of the question's names and numbers near the sentence (its title, the sentence before, itself),
    and half the share of those only elsewhere in its passage: a news lead often names neither the place nor the
    people that the headline and the next lines do ("Climate activists on Sunday threw soup at the Mona Lisa …",
    whose passage says "in Paris' Louvre Museum" two lines down)."""
    if not q.entities:
        return 1.0
    title = entity_keys(s.title)
    near = entity_share(q, (title, entity_keys(s.previous), entity_keys(s.sentence)), s.same_names)
    if near == 1.0:
        return near
    return near + PASSAGE_NAMES * (entity_share(q, (title, entity_keys(s.passage_text)), s.same_names) - near)


# what a question's name counts elsewhere in the sentence's passage against near it
PASSAGE_NAMES = 0.5


def _near(s: SentenceView) -> frozenset[str]:
    return s.terms | s.previous_terms | s.title_terms


SIGNALS: tuple[Signal, ...] = (
    Signal("similarity", 0.5, lambda q, s: s.similarity, doc="cosine of question and sentence (MiniLM)"),
    Signal("coverage", 0.35, _coverage, doc="idf share of the question's key terms in the sentence and near it"),
    Signal("phrase", 0.15, _phrase, doc="question term pairs found as pairs in the sentence"),
    Signal("retrieval", 0.05, lambda q, s: s.passage_score, doc="fused retrieval score of the passage", varies=True),
    Signal("answer_type", 0.5, lambda q, s: answer_type_score(q, s.sentence, s.terms), base=0.5,
           doc="holds an entity of the asked type (number, exact date, name...)"),
    Signal("years", 0.4, lambda q, s: float(mentions_years(q, f"{s.title} {s.passage_text}")), base=0.6,
           doc="its passage names the years the question names"),
    Signal("fullness", 0.3, _fullness, base=0.7, doc="a whole sentence, not a headline or cut snippet"),
    Signal("same_occasion", 0.3, lambda q, s: 0.0 if names_other_occasions(q, s.sentence) else 1.0, base=0.7,
           doc="names no other year or edition than the question's"),
    Signal("focus", 0.2, lambda q, s: 0.0 if q.focus and q.focus not in _near(s) else 1.0, base=0.8,
           doc="mentions the noun a what/which question asks about"),
    Signal("negation", 0.5, lambda q, s: 0.0 if q.negated and not negated(f"{s.context} {s.sentence}") else 1.0,
           base=0.5, doc="a 'did not' question is answered by a negative sentence"),
    Signal("agreement", 0.2, lambda q, s: max((s.votes.get(c, 0.0) for c in s.candidates), default=0.0), base=0.9,
           doc="other passages mention the same answer", varies=True),
    Signal("entities", 0.4, _entities, base=0.6,
           doc="the question's names and numbers appear near the sentence (half as much: elsewhere in its passage)"),
)


def score(query: Query, view: SentenceView, signals: tuple[Signal, ...] = SIGNALS,
          known: Mapping[str, float] | None = None) -> tuple[float, tuple[SignalValue, ...]]:
    """Combine the signals for one sentence.

    Args:
        query: the analysed question.
        view: the sentence and what surrounds it.
        signals: the table (default SIGNALS).
        known: values read already for this query and sentence (by name); a signal that `varies` is read again.

    Returns:
        The score and each signal's (name, value, contribution); contributions sum to the score.
    """
    return combine(read(query, view, signals, known), signals)


def read(query: Query, view: SentenceView, signals: tuple[Signal, ...] = SIGNALS,
         known: Mapping[str, float] | None = None) -> list[float]:
    """The signals' values for one sentence, in table order: those known taken as they are, but a signal that
    `varies` (it reads the other passages) read again."""
    return [known[s.name] if known is not None and s.name in known and not s.varies
            else float(s.value(query, view)) for s in signals]


def combine(values: Sequence[float], signals: tuple[Signal, ...] = SIGNALS) -> tuple[float, tuple[SignalValue, ...]]:
    """The score of a sentence from its signals' values (in table order), with each one's contribution."""
    total = 0.0
    parts: list[SignalValue] = []
    for signal, value in zip(signals, values):
        if signal.base is None:
            add = signal.weight * value
            total += add
            parts.append(SignalValue(signal.name, value, add))
        else:
            before = total
            total *= signal.base + signal.weight * value
            parts.append(SignalValue(signal.name, value, total - before))
    return total, tuple(parts)


@dataclass(frozen=True, slots=True)
class Ceiling:
    """The highest score a sentence can reach given the sum of the table's opening additive signals, every scaling
    signal after them being within 0..1 (its factor between base and base + weight)."""

    opening: int                 # the additive signals that open the table
    highs: tuple[float, ...]     # each scaling signal's largest factor…
    lows: tuple[float, ...]      # …and smallest (a negative sum is raised most by the smallest)

    @classmethod
    def of(cls, signals: tuple[Signal, ...] = SIGNALS) -> Ceiling | None:
        """The table's ceiling; None when an additive signal follows a scaling one (no such bound)."""
        opening = next((i for i, s in enumerate(signals) if s.base is not None), len(signals))
        rest = signals[opening:]
        if any(s.base is None for s in rest):
            return None
        return cls(opening, tuple(max(s.base, s.base + s.weight) for s in rest),
                   tuple(min(s.base, s.base + s.weight) for s in rest))

    def __call__(self, opening: float) -> float:
        for factor in self.highs if opening >= 0 else self.lows:   # in table order, as combine() multiplies
            opening *= factor
        return opening
