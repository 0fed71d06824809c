"""The instant, model-free answerer: quote the source sentences that answer the question, cite them.

A summary, comparison, list or timeline gets a digest instead: the best sentences of each relevant
article, one line per article, cited.
"""
from __future__ import annotations

from collections.abc import Iterator

from qa.answerers.base import Findings, explain, refusal
from qa.answerers.sources import ArticleExcerpt, by_article, digest
from qa.citations import cite_evidence
from qa.dated import source_time
from qa.evidence import Evidence
from qa.models import Answer, Explanation
from qa.query import Query
from qa.selection import disagreement, select_evidence
from qa.settings import Settings

EXTRACTIVE = "extractive"


class ExtractiveAnswerer:
    """Quotes the best sentences with [n] markers; refuses below the evidence threshold."""

    name = EXTRACTIVE
    condenser = None

    def __init__(self, *, max_sentences: int, min_support: float, digest_sentences: int, digest_articles: int) -> None:
        """Build it with from_settings: the thresholds are fitted and set in one place, the settings."""
        self.max_sentences = max_sentences
        self.min_support = min_support
        self.digest_sentences = digest_sentences
        self.digest_articles = digest_articles

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
        return self.cite(query, found, chosen, name=name, explanation=explanation)

    @staticmethod
    def cite(query: Query, found: Findings, chosen: list[Evidence], *, name: str,
             explanation: Explanation, direct: str = "") -> Answer:
        """The chosen sentences quoted and cited, led by the direct answer when there is one, and said as of the
        day of their article ("As of 12 June 2022 (CNN): …"); when another dated article says otherwise, or the
        quotes are of several days, each sentence says its own outlet and day."""
        other = disagreement(query, found.evidence, found.passages, chosen)
        if other is not None and other not in chosen:
            chosen = [chosen[0], other]
        when, several = source_time(chosen, found.passages)
        text, citations = cite_evidence(chosen, found.passages, dated=other is not None or several)
        if direct:
            words = direct[0].upper() + direct[1:]
            text = f"{words}. {text}" if words[-1] not in ".!?" else f"{words} {text}"
        return Answer(query.text, when + text, False, name, citations, found.passages, explanation=explanation,
                      direct=direct)

    @classmethod
    def from_settings(cls, settings: Settings) -> ExtractiveAnswerer:
        """The extractive answerer with the settings' thresholds and digest size."""
        return cls(max_sentences=settings.max_sentences, min_support=settings.min_support,
                   digest_sentences=settings.synthesis_sentences, digest_articles=settings.synthesis_articles)

    def excerpts(self, found: Findings) -> list[ArticleExcerpt]:
        """The relevant articles' best sentences (what a digest quotes, and what the model reads for a synthesis)."""
        return by_article(found, per_article=self.digest_sentences, max_articles=self.digest_articles,
                          min_support=self.min_support)

    def digest(self, query: Query, found: Findings, name: str = EXTRACTIVE,
               excerpts: list[ArticleExcerpt] | None = None) -> Answer:
        """The best sentences of each relevant article (or the excerpts given: those the model judged relevant),
        one line per article, cited (a refusal with nothing retrieved)."""
        explanation = explain(found, self.min_support)
        excerpts = excerpts or self.excerpts(found)
        if not excerpts:
            return refusal(query.text, found, name, explanation)
        text, citations = digest(excerpts)
        return Answer(query.text, text, False, name, citations, found.passages, explanation=explanation)

    def stream(self, query: Query, found: Findings) -> Iterator[str | Answer]:
        """An extractive answer is ready at once: its text, then the Answer."""
        answer = self.answer(query, found)
        yield answer.text
        yield answer
