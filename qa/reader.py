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

from collections.abc import Iterator, Sequence
from dataclasses import replace

from qa.answerer import Findings, explain, refusal
from qa.citations import check_claims, cite_evidence, renumber_markers
from qa.evidence import EvidenceFinder, select_evidence
from qa.llm import LLM
from qa.matching import entity_coverage
from qa.models import Answer, Explanation, Passage
from qa.prompts import JUDGE_TASK, REFUSAL, SYSTEM, build_user_prompt
from qa.query import Query, analyse
from qa.settings import Settings

# An uncited sentence is credited to a passage only when one of its sentences says nearly the same
ATTRIBUTION_SIMILARITY = 0.6
ATTRIBUTION_COVERAGE = 0.5


class LLMAnswerer:
    """Any LLM behind qa.llm.LLM writes the answer from numbered excerpts; its citations are checked."""

    def __init__(self, llm: LLM, settings: Settings) -> None:
        self.llm = llm
        self.name = llm.name
        self.settings = settings

    # -- deciding ---------------------------------------------------------------------------------
    def sources(self, found: Findings) -> tuple[list[int], list[str]]:
        """The excerpts the model reads: passage indexes (prompt order) and their texts."""
        chosen: dict[int, set[int]] = {}
        for ev in found.evidence[: self.settings.reader_sentences]:
            positions = chosen.setdefault(ev.passage, set())
            positions.add(ev.position)
            if ev.context:
                positions.add(ev.position - 1)  # "He met Kim there." needs the sentence before it
        order = list(chosen)  # passages by their best sentence
        texts = []
        for index in order:
            sentences = {e.position: e.sentence for e in found.evidence if e.passage == index}
            picked = sorted(chosen[index])
            parts, last = [], None
            for position in picked:
                if last is not None and position != last + 1:
                    parts.append("…")
                parts.append(sentences[position])
                last = position
            texts.append(" ".join(parts))
        return order, texts

    def judgement(self, query: Query, texts: list[str]) -> float | None:
        """The model's P(yes) - P(no) that the excerpts state the answer; None when it cannot judge."""
        judge = getattr(self.llm, "judge", None)
        return judge(SYSTEM, build_user_prompt(query.text, texts, JUDGE_TASK)) if judge else None

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
        final = None
        for piece in self.stream(query, found):
            if isinstance(piece, Answer):
                final = piece
        assert final is not None
        return final

    def stream(self, query: Query, found: Findings) -> Iterator[str | Answer]:
        """The model's text as it is generated, then the checked Answer."""
        if not found.passages:
            answer = refusal(query.text, found, self.name, explain(found, self.settings.min_support))
            yield from (answer.text, answer)
            return
        order, texts = self.sources(found)
        judge = self.judgement(query, texts)
        explanation = explain(found, self.settings.min_support, judge=judge)
        if self.decide(found, judge) < 0:
            answer = refusal(query.text, found, self.name, explanation)
            yield from (answer.text, answer)
            return
        parts: list[str] = []
        for piece in self.llm.stream(SYSTEM, build_user_prompt(query.text, texts)):
            parts.append(piece)
            yield piece
        yield self._finish(query, found, order, "".join(parts).strip(), explanation)

    def _finish(self, query: Query, found: Findings, order: list[int], reply: str,
                explanation: Explanation) -> Answer:
        finder = found.finder
        assert finder is not None, "the reader checks citations with the finder that scored the passages"
        # the prompt numbered excerpts 1..m in `order`; citations point at those passages
        cited = [found.passages[i] for i in order]
        if not reply or REFUSAL.lower().rstrip(".") in reply.lower():
            return self._fallback(query, found, explanation, "the reader declined although the evidence and its "
                                  "judgement said the articles answer; quoting the best evidence instead")
        checked, warnings = check_claims(reply, cited, lambda c, p: self._supports(finder, c, p),
                                         lambda c, ps: _best_source(finder, c, ps))
        if not checked:
            return self._fallback(query, found, explanation, "no sentence of the reader's answer could be checked "
                                  "against the sources; quoting the best evidence instead", warnings)
        text, citations, more = renumber_markers(checked, cited, lambda c, p: _best_quote(finder, c, p))
        return Answer(query.text, text, False, self.name, citations, found.passages, warnings + more,
                      explanation=explanation)

    def _supports(self, finder: EvidenceFinder, claim: str, passage: Passage) -> bool:
        """Whether the passage states the claim: its names and numbers are there, and its words or meaning."""
        claimed = analyse(claim, finder.weights)
        if entity_coverage(claimed, f"{passage.title} {passage.text}") < self.settings.claim_names:
            return False
        scored = finder.find(claimed, [passage])
        best = scored[0] if scored else None
        return best is not None and (best.similarity >= self.settings.claim_similarity
                                     or best.coverage >= self.settings.claim_coverage)

    def _fallback(self, query: Query, found: Findings, explanation: Explanation, note: str,
                  warnings: tuple[str, ...] = ()) -> Answer:
        chosen = select_evidence(found.evidence, max_sentences=self.settings.max_sentences, min_support=0.0)
        text, citations = cite_evidence(chosen, found.passages)
        explanation = replace(explanation, notes=explanation.notes + (note,))
        return Answer(query.text, text, False, f"{self.name}+extractive", citations, found.passages,
                      warnings + (note,), explanation=explanation)


def _best_source(finder: EvidenceFinder, claim: str, passages: Sequence[Passage]) -> int | None:
    """The passage with a sentence that states the claim nearly word for word, if any."""
    found = finder.find(analyse(claim, finder.weights), passages)
    best = found[0] if found else None
    if best is None or best.similarity < ATTRIBUTION_SIMILARITY or best.coverage < ATTRIBUTION_COVERAGE:
        return None
    return best.passage


def _best_quote(finder: EvidenceFinder, claim: str, passage: Passage) -> str:
    """The passage sentence that best supports a claim (the whole claim stands in for the question)."""
    found = finder.find(analyse(claim or passage.title, finder.weights), [passage])
    return found[0].sentence if found else passage.text[:300]
