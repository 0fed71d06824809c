"""The LLM reader: judges whether the passages answer the question, writes the answer, checks its citations.

1. The best evidence sentences (with the sentence before each, for context) become numbered sources:
   prompt tokens are the latency on a CPU, so the model reads excerpts, not five whole chunks.
2. A model that can (llama.cpp in process) is asked "do the sources state the answer? yes or no" and
   P(yes) - P(no) is read from its first-token logits. Combined with the evidence score it decides
   whether to refuse (weights fitted on the seeds set by evals/calibrate.py).
3. The model writes one to three sentences with [n] markers, streamed. Every [n] must point at a
   source that states its sentence; unsupported citations and sentences are removed. When nothing
   checkable remains, the extractive answer stands in, with a note.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import replace

from qa.answerers.base import Findings, answer_of, explain, refusal
from qa.answerers.extractive import ExtractiveAnswerer
from qa.answerers.relevance import Reading
from qa.answerers.sources import ArticleExcerpt, dateline, digest, excerpts
from qa.citations import check_claims, renumber_markers
from qa.evidence import EvidenceFinder
from qa.llm.base import LLM
from qa.matching import entity_coverage, unstated
from qa.models import Answer, Explanation, Passage
from qa.prompts import ANSWER_TASK, JUDGE_TASK, REFUSAL, SYNTHESIS_TASK, SYSTEM, build_user_prompt
from qa.query import Query, analyse
from qa.settings import Settings

# a synthesis's lines, given the sources its checked overview cites (None: no overview stands)
Lines = Callable[[Collection[str] | None], tuple[list[ArticleExcerpt], str]]

# An uncited sentence is credited to a passage only when one of its sentences says nearly the same
ATTRIBUTION_SIMILARITY = 0.6
ATTRIBUTION_COVERAGE = 0.5


class LLMAnswerer:
    """The reader: any LLM behind qa.llm.LLM writes the answer from numbered excerpts; its citations are checked.

    A summary, comparison, list or timeline is written from a few sentences of each relevant article
    (qa.answerers.sources.by_article) instead of the best excerpts of one."""

    def __init__(self, llm: LLM, settings: Settings, name: str | None = None) -> None:
        self.llm = llm
        self.condenser = llm
        self.name = name or llm.name
        self.settings = settings
        self.extractive = ExtractiveAnswerer.from_settings(settings)

    # -- deciding ---------------------------------------------------------------------------------
    def sources(self, found: Findings) -> tuple[list[int], list[str]]:
        """The excerpts the model reads: passage indexes (prompt order) and their texts."""
        return excerpts(found, self.settings.reader_sentences)

    def judgement(self, query: Query, texts: list[str]) -> float | None:
        """The model's P(yes) - P(no) that the excerpts state the answer; None when it cannot judge."""
        return self.llm.judge(SYSTEM, build_user_prompt(query.text, texts, JUDGE_TASK))

    def decide(self, found: Findings, judge: float | None) -> float:
        """The refusal score: above 0 answers. Evidence alone when the model cannot judge."""
        s = self.settings
        margin = found.best - s.min_support
        if judge is None:
            return margin
        return judge + s.judge_support_weight * margin - s.judge_threshold

    # -- answering --------------------------------------------------------------------------------
    def answer(self, query: Query, found: Findings) -> Answer:
        """The checked answer (or a refusal), all at once."""
        return answer_of(self.stream(query, found))

    def stream(self, query: Query, found: Findings) -> Iterator[str | Answer]:
        """The model's text as it is generated, then the checked Answer."""
        if not found.passages:
            answer = refusal(query.text, found, self.name, explain(found, self.settings.min_support))
            yield from (answer.text, answer)
            return
        if query.synthesis:
            yield from self.synthesise(query, found)
            return
        order, texts = self.sources(found)
        judge = self.judgement(query, texts)
        explanation = explain(found, self.settings.min_support, judge=judge)
        if self.decide(found, judge) < 0:
            answer = refusal(query.text, found, self.name, explanation)
            yield from (answer.text, answer)
            return
        yield from self.write(query, found, [found.passages[i] for i in order], texts, ANSWER_TASK, explanation)

    def synthesise(self, query: Query, found: Findings) -> Iterator[str | Answer]:
        """A summary, comparison, list or timeline: the model's overview of the best sentences of each relevant
        article, checked claim by claim, then those sentences, one line per article (what it read), cited."""
        reading = Reading(self.llm, query, found, self.settings)
        briefs = reading.briefs()
        if not briefs:
            answer = refusal(query.text, found, self.name, explain(found, self.settings.min_support,
                                                                   notes=(reading.lines()[1],)))
            yield from (answer.text, answer)
            return
        texts = [f"{dateline(ex.passage).strip()} {ex.passage.text}".strip() for ex in briefs]   # dates for timelines
        yield from self.write(query, found, [ex.passage for ex in briefs], texts, SYNTHESIS_TASK,
                              explain(found, self.settings.min_support), reading.lines)

    def write(self, query: Query, found: Findings, cited: list[Passage], texts: list[str], task: str,
              explanation: Explanation, lines: Lines | None = None) -> Iterator[str | Answer]:
        """Stream the model's answer from the numbered texts (source n is cited[n-1]), then check it; for a
        synthesis, the excerpts lines(sources the checked overview cites) gives (read once the overview is
        written) follow the checked text."""
        parts: list[str] = []
        for piece in self.llm.stream(SYSTEM, build_user_prompt(query.text, texts, task)):
            parts.append(piece)
            yield piece
        yield self._finish(query, found, cited, "".join(parts).strip(), explanation, lines)

    def _finish(self, query: Query, found: Findings, cited: list[Passage], reply: str,
                explanation: Explanation, lines: Lines | None = None) -> Answer:
        finder = found.finder
        assert finder is not None, "the reader checks citations with the finder that scored the passages"

        def read(used: Collection[str] | None = None) -> tuple[list[ArticleExcerpt] | None, Explanation]:
            if lines is None:
                return None, explanation
            excerpts, note = lines(used)
            return excerpts, replace(explanation, notes=explanation.notes + ((note,) if note else ()))

        if not reply or REFUSAL.lower().rstrip(".") in reply.lower():
            excerpts, explanation = read()
            return self._fallback(query, found, explanation, "the model declined although the evidence and its "
                                  "judgement said the articles answer; quoting the best evidence instead",
                                  excerpts=excerpts)
        checked, warnings = check_claims(reply, cited, lambda c, p: self._supports(finder, c, p),
                                         lambda c, ps: _best_source(finder, c, ps))
        if not checked:
            excerpts, explanation = read()
            return self._fallback(query, found, explanation, "no sentence of the model's answer could be checked "
                                  "against the sources; quoting the best evidence instead", warnings, excerpts)
        text, citations, more = renumber_markers(checked, cited, lambda c, p: _best_quote(finder, c, p))
        excerpts, explanation = read({c.source for c in citations})
        if excerpts:
            listed, citations = digest(excerpts, citations)
            text = f"{text}\n\n{listed}"
        return Answer(query.text, text, False, self.name, citations, found.passages, warnings + more,
                      explanation=explanation)

    def _supports(self, finder: EvidenceFinder, claim: str, passage: Passage) -> bool:
        """Whether the passage states the claim: its names and numbers are there, and its words or meaning."""
        claimed = analyse(claim, finder.weights)
        source = f"{passage.title} {passage.text}"
        if unstated(claim, source) or entity_coverage(claimed, source) < self.settings.claim_names:
            return False   # every number, date and name it writes must be in what it cites
        scored = finder.find(claimed, [passage])
        best = scored[0] if scored else None
        return best is not None and (best.similarity >= self.settings.claim_similarity
                                     or best.coverage >= self.settings.claim_coverage)

    def _fallback(self, query: Query, found: Findings, explanation: Explanation, note: str,
                  warnings: tuple[str, ...] = (), excerpts: list[ArticleExcerpt] | None = None) -> Answer:
        """The extractive answer (for a synthesis, the digest of the excerpts it read), with a note that the
        model's did not stand."""
        if query.synthesis:
            answer = self.extractive.digest(query, found, name=f"{self.name}+extractive", excerpts=excerpts)
        else:
            answer = self.extractive.quote(query, found, min_support=0.0, name=f"{self.name}+extractive",
                                           judge=explanation.judge)
        explanation = replace(explanation, notes=explanation.notes + (note,))
        return replace(answer, warnings=warnings + (note,), explanation=explanation)


def _best_source(finder: EvidenceFinder, claim: str, passages: Sequence[Passage]) -> int | None:
    """The passage with a sentence that states the claim nearly word for word, if any."""
    found = finder.find(analyse(claim, finder.weights), passages)
    best = found[0] if found else None
    if best is None or best.similarity < ATTRIBUTION_SIMILARITY or best.coverage < ATTRIBUTION_COVERAGE:
        return None
    passage = passages[best.passage]
    return None if unstated(claim, f"{passage.title} {passage.text}") else best.passage


def _best_quote(finder: EvidenceFinder, claim: str, passage: Passage) -> str:
    """The passage sentence that best supports a claim (the whole claim stands in for the question)."""
    found = finder.find(analyse(claim or passage.title, finder.weights), [passage])
    return found[0].sentence if found else passage.text[:300]
