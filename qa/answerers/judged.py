"""The judged answerer, the default when a model is installed: the model judges, the articles speak.

The extractive answer (exact quotes, measured the most accurate) is given only when the model's judgement
that the articles state the answer, fused with the evidence score, says so; else it refuses. That costs one
prompt evaluation and no generation. A summary, comparison, list or timeline, which no quoted sentence
can answer, is written by the model from a few sentences of each relevant article, every claim checked.
"""
from __future__ import annotations

from collections.abc import Iterator

from qa.answerers.base import Findings, answer_of, explain, refusal
from qa.answerers.reader import LLMAnswerer
from qa.llm.base import LLM
from qa.models import Answer
from qa.query import Query
from qa.settings import Settings

JUDGED_PASSAGES = 3   # passages judged by the "passages" and "each" inputs


class JudgedAnswerer:
    """Quotes the evidence only when the model judges the articles state the answer; the model writes syntheses."""

    condenser = None   # follow-ups are condensed by rule: a rewrite would cost a generation per question

    def __init__(self, llm: LLM, settings: Settings) -> None:
        self.llm = llm
        self.settings = settings
        self.name = f"judged:{llm.name}"
        self.writer = LLMAnswerer(llm, settings, name=llm.name)
        start = getattr(llm, "start", None)
        if start is not None:
            start()   # the model loads while the first question is retrieved

    def judge_inputs(self, found: Findings) -> list[list[str]]:
        """What the model judges: one list of source texts per prompt (QA_JUDGE_INPUT)."""
        how = self.settings.judge_input
        if how == "excerpts":
            return [self.writer.sources(found)[1]]
        passages = [p.text for p in found.passages[:JUDGED_PASSAGES]]
        return [passages] if how == "passages" else [[text] for text in passages]

    def judgement(self, query: Query, found: Findings) -> float | None:
        """The model's P(yes) - P(no) that the articles state the answer (the best over the prompts of
        QA_JUDGE_INPUT=each); None when the backend reports no probabilities."""
        verdicts = [self.writer.judgement(query, texts) for texts in self.judge_inputs(found)]
        known = [v for v in verdicts if v is not None]
        return max(known) if known else None

    def answer(self, query: Query, found: Findings) -> Answer:
        """The judged answer, all at once."""
        return answer_of(self.stream(query, found))

    def stream(self, query: Query, found: Findings) -> Iterator[str | Answer]:
        """The quoted answer or a refusal at once; a synthesis as the model writes it."""
        if query.synthesis and found.passages:
            yield from self.writer.synthesise(query, found)
            return
        if not found.passages:
            answer = refusal(query.text, found, self.name, explain(found, self.settings.min_support))
        else:
            judge = self.judgement(query, found)
            if self.writer.decide(found, judge) < 0:
                answer = refusal(query.text, found, self.name, explain(found, self.settings.min_support, judge=judge))
            else:
                answer = self.writer.extractive.quote(query, found, min_support=0.0, name=self.name, judge=judge)
        yield answer.text
        yield answer
