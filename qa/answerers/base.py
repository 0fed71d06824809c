"""The answerer protocol (answer, stream), what every answerer reads (Findings), and the answers they share."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from qa.evidence import Evidence, EvidenceFinder
from qa.models import Answer, Explanation, Passage, ScoredSentence
from qa.prompts import REFUSAL
from qa.query import Query

EXPLAINED_SENTENCES = 3


@dataclass(frozen=True, slots=True)
class Findings:
    """What retrieval and the evidence scorer found for one question: passages and scored sentences."""

    query: Query
    passages: tuple[Passage, ...]
    evidence: tuple[Evidence, ...]   # every sentence of the passages, best first
    finder: EvidenceFinder | None = None   # what scored them (answerers check their claims with it)

    @property
    def best(self) -> float:
        """The best sentence's score (0 with nothing retrieved)."""
        return max((e.support for e in self.evidence), default=0.0)   # first, unless "latest" put a newer first


class Answerer(Protocol):
    """Turns findings into an Answer; extractive and LLM answerers alike."""

    name: str
    condenser: object | None   # the LLM that rewrites follow-ups (None: by rule)

    def answer(self, query: Query, found: Findings) -> Answer:
        """The whole answer at once."""

    def stream(self, query: Query, found: Findings) -> Iterator[str | Answer]:
        """Pieces of text as they are written, then the final, checked Answer."""


def explain(found: Findings, threshold: float, *, judge: float | None = None,
            notes: tuple[str, ...] = ()) -> Explanation:
    """The explanation carried on every answer: what was searched, the best sentences' signals, the threshold."""
    top = tuple(ScoredSentence(e.passage, e.sentence, round(e.support, 6), e.signals)
                for e in found.evidence[:EXPLAINED_SENTENCES])
    q = found.query
    time = q.period.describe() if q.period else f"as of {q.as_of}: newer articles lose" if q.as_of else ""
    return Explanation(q.text, threshold, round(found.best, 6), top, judge, notes, time)


def refusal(question: str, found: Findings, model: str, explanation: Explanation,
            warnings: tuple[str, ...] = ()) -> Answer:
    """The answer that says the articles don't hold it (an answer, not an error)."""
    return Answer(question, REFUSAL, True, model, (), found.passages, warnings, explanation=explanation)


def answer_of(pieces: Iterator[str | Answer]) -> Answer:
    """The final Answer of a stream (answerers that stream implement answer() with this)."""
    final = None
    for piece in pieces:
        if isinstance(piece, Answer):
            final = piece
    if final is None:
        raise RuntimeError("the answerer ended without an Answer")
    return final
