"""The instant, model-free answerer: quote the source sentences that answer the question, cite them."""
from __future__ import annotations

from collections.abc import Iterator

from qa.answerer import Findings, explain, refusal
from qa.citations import cite_evidence
from qa.evidence import select_evidence
from qa.models import Answer
from qa.query import Query

EXTRACTIVE = "extractive"


class ExtractiveAnswerer:
    """Quotes the best sentences with [n] markers; refuses below the evidence threshold."""

    name = EXTRACTIVE

    def __init__(self, *, max_sentences: int = 3, min_support: float = 0.34) -> None:
        self.max_sentences = max_sentences
        self.min_support = min_support

    def answer(self, query: Query, found: Findings) -> Answer:
        """Quote the selected evidence, or refuse when the best sentence scores below min_support."""
        explanation = explain(found, self.min_support)
        chosen = select_evidence(found.evidence, max_sentences=self.max_sentences, min_support=self.min_support)
        if not chosen:
            return refusal(query.text, found, self.name, explanation)
        text, citations = cite_evidence(chosen, found.passages)
        return Answer(query.text, text, False, self.name, citations, found.passages, explanation=explanation)

    def stream(self, query: Query, found: Findings) -> Iterator[str | Answer]:
        """An extractive answer is ready at once: its text, then the Answer."""
        answer = self.answer(query, found)
        yield answer.text
        yield answer
