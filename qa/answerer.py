"""The answerer protocol (answer, stream), what every answerer reads (Findings) and the factory."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from qa.evidence import Evidence, EvidenceFinder
from qa.models import Answer, Explanation, Passage, ScoredSentence
from qa.prompts import REFUSAL
from qa.query import Query
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.llm import LLM

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
        return self.evidence[0].support if self.evidence else 0.0


class Answerer(Protocol):
    """Turns findings into an Answer; extractive and LLM answerers alike."""

    name: str

    def answer(self, query: Query, found: Findings) -> Answer:
        """The whole answer at once."""

    def stream(self, query: Query, found: Findings) -> Iterator[str | Answer]:
        """Pieces of text as they are written, then the final, checked Answer."""


def explain(found: Findings, threshold: float, *, judge: float | None = None,
            notes: tuple[str, ...] = ()) -> Explanation:
    """The explanation carried on every answer: what was searched, the best sentences' signals, the threshold."""
    top = tuple(ScoredSentence(e.passage, e.sentence, round(e.support, 6), e.signals)
                for e in found.evidence[:EXPLAINED_SENTENCES])
    return Explanation(found.query.text, threshold, round(found.best, 6), top, judge, notes)


def refusal(question: str, found: Findings, model: str, explanation: Explanation,
            warnings: tuple[str, ...] = ()) -> Answer:
    """The answer that says the articles don't hold it (an answer, not an error)."""
    return Answer(question, REFUSAL, True, model, (), found.passages, warnings, explanation=explanation)


def make_answerer(settings: Settings, llm: LLM | None = None) -> Answerer:
    """The answerer the settings ask for: extractive, or an LLM reader over the configured backend.

    Args:
        settings: effective settings (llm, thresholds).
        llm: an LLM to use instead of the configured backend (tests pass a scripted one).

    Raises:
        ConfigError: unknown backend, missing package or model file.
    """
    from qa.extractive import ExtractiveAnswerer

    if llm is None and settings.llm == "extractive":
        return ExtractiveAnswerer(max_sentences=settings.max_sentences, min_support=settings.min_support)
    from qa.llm import make_llm
    from qa.reader import LLMAnswerer

    chosen = llm if llm is not None else make_llm(settings)
    return LLMAnswerer(chosen, settings)
