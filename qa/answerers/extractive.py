"""The instant, model-free answerer: quote the source sentences that answer the question, cite them.

A summary, comparison, list or timeline gets a digest instead: the best sentence of each relevant
article, one per line, cited.
"""
from __future__ import annotations

from collections.abc import Iterator

from qa.answerers.base import Findings, explain, refusal
from qa.answerers.sources import by_article
from qa.citations import cite_evidence
from qa.evidence import select_evidence
from qa.models import Answer
from qa.query import Query

EXTRACTIVE = "extractive"
DIGEST_ARTICLES = 5


class ExtractiveAnswerer:
    """Quotes the best sentences with [n] markers; refuses below the evidence threshold."""

    name = EXTRACTIVE
    condenser = None

    def __init__(self, *, max_sentences: int = 3, min_support: float = 0.34) -> None:
        self.max_sentences = max_sentences
        self.min_support = min_support

    def answer(self, query: Query, found: Findings) -> Answer:
        """Quote the selected evidence, or refuse when the best sentence scores below min_support."""
        if query.synthesis:
            return self.digest(query, found)
        return self.quote(query, found, min_support=self.min_support)

    def quote(self, query: Query, found: Findings, *, min_support: float, name: str = EXTRACTIVE,
              judge: float | None = None) -> Answer:
        """The best evidence quoted and cited (a refusal when nothing reaches min_support)."""
        explanation = explain(found, self.min_support, judge=judge)
        chosen = select_evidence(found.evidence, max_sentences=self.max_sentences, min_support=min_support)
        if not chosen:
            return refusal(query.text, found, name, explanation)
        text, citations = cite_evidence(chosen, found.passages)
        return Answer(query.text, text, False, name, citations, found.passages, explanation=explanation)

    def digest(self, query: Query, found: Findings, name: str = EXTRACTIVE) -> Answer:
        """The best sentence of each relevant article, one per line, cited (a refusal with nothing retrieved)."""
        explanation = explain(found, self.min_support)
        excerpts = by_article(found, per_article=1, max_articles=DIGEST_ARTICLES)
        if not excerpts:
            return refusal(query.text, found, name, explanation)
        text, citations = cite_evidence([ex.evidence[0] for ex in excerpts], found.passages, separator="\n")
        return Answer(query.text, text, False, name, citations, found.passages, explanation=explanation)

    def stream(self, query: Query, found: Findings) -> Iterator[str | Answer]:
        """An extractive answer is ready at once: its text, then the Answer."""
        answer = self.answer(query, found)
        yield answer.text
        yield answer
