"""What a summary, comparison, list or timeline draws on: the sentences of the articles close to the best, each
judged by the model for relevance to the question (the same batched yes/no as the fact choice), so an article none
of whose sentences the model judges relevant is not read or cited. The best article reads the most; the overview
is written from the first judged sentences while the rest wait (its first words come sooner).
"""
from __future__ import annotations

import re
from collections.abc import Collection

from qa.answerers.base import Findings
from qa.answerers.choice import judge_each
from qa.answerers.sources import ArticleExcerpt, by_article, excerpt_of
from qa.matching import names_outlet
from qa.prompts import RELEVANT_SYSTEM
from qa.query import Query
from qa.settings import Settings

MOST_PER_ARTICLE = 8   # sentences read from one article at most
OVERVIEW_READS = 3   # sentences of each article the overview reads
# the overview reads an article whose most relevant sentence comes within this of the best article's (its lines
# are cited only within QA_SYNTHESIS_MARGIN, or when the checked overview cites it)
READ_MARGIN = 0.5
FIRST_JUDGED = 4     # sentences judged before the overview is written (the rest after it)
TIMELINE = re.compile(r"\b(?:timeline|chronolog\w*|over time|sequence of events|how (?:has|have|did) .{1,60}"
                      r"\b(?:changed|evolved|developed|unfolded))\b", re.IGNORECASE)


class Reading:
    """What a synthesis reads, judged by the model in two batches so that its overview starts early.

    The articles whose best sentence comes close to the best article's (QA_SYNTHESIS_SHARE) are read; the budget
    of judged sentences (QA_SYNTHESIS_JUDGED) is spread over them, so a summary of one article reads more of it (up
    to MOST_PER_ARTICLE sentences). The first FIRST_JUDGED sentences by evidence are judged at once: the briefs
    (each article's OVERVIEW_READS most relevant of them) are what the model's overview reads. The rest is judged
    when the lines are asked for (after the overview is written): an article keeps every judged sentence whose
    judgement reaches QA_SYNTHESIS_RELEVANCE, in the order it tells them; an article with none is left out. The
    overview reads the articles whose best comes within READ_MARGIN of the best article's; the lines quote and
    cite those within QA_SYNTHESIS_MARGIN and those the checked overview cites. An article of an outlet the
    question names is held to neither margin. A backend without probabilities keeps the evidence's choice."""

    def __init__(self, llm, query: Query, found: Findings, settings: Settings) -> None:
        self.llm, self.query, self.found, self.settings = llm, query, found, settings
        def articles(most: int) -> list[ArticleExcerpt]:
            return by_article(found, per_article=most, max_articles=settings.synthesis_articles,
                              min_support=settings.min_support, share=settings.synthesis_share)

        pool = named(articles(MOST_PER_ARTICLE), query.text)
        if len(pool) == 1:   # a summary of one article reads as much of it as the budget allows
            pool = named(articles(settings.synthesis_judged), query.text)
        # the outlets the question names are asked for: none of theirs is left out for a margin
        self.margin = float("inf") if any(asked_for(ex, query.text) for ex in pool) else settings.synthesis_margin
        self.pool = [cut(ex, n) for ex, n in zip(pool, allotments(len(pool), settings.synthesis_judged))]
        self.sentences = [ev for ex in self.pool for ev in ex.evidence]
        self.verdicts: dict[int, float | None] = {}
        first = sorted(self.sentences, key=lambda ev: -ev.support)[:FIRST_JUDGED]
        self._judge(first)
        self.unjudged = bool(self.verdicts) and all(v is None for v in self.verdicts.values())

    def _judge(self, sentences: list) -> None:
        todo = [ev for ev in sentences if id(ev) not in self.verdicts]
        self.verdicts.update(zip(map(id, todo), judge_each(self.llm, RELEVANT_SYSTEM, self.query, todo)))

    def _kept(self, margin: float, used: Collection[str] = ()) -> tuple[list[tuple[ArticleExcerpt, list]], int]:
        """Per article (in the pool's order), its judged sentences that pass; and how many articles keep none or
        fall more than margin below the best article's (an article whose source is in used is not held to it)."""
        judged = {key: verdict or 0.0 for key, verdict in self.verdicts.items()}
        best = max(judged.values(), default=0.0)
        out, dropped = [], 0
        for ex in self.pool:   # by_article keeps the article's own order
            kept = [ev for ev in ex.evidence if judged.get(id(ev), float("-inf")) >= self.settings.synthesis_relevance]
            if kept and (ex.passage.source in used or max(judged[id(ev)] for ev in kept) >= best - margin):
                out.append((ex, kept))
            elif any(id(ev) in judged for ev in ex.evidence):
                dropped += 1
        return out, dropped

    @property
    def read_margin(self) -> float:
        return max(READ_MARGIN, self.margin)

    def _ordered(self, excerpts: list[ArticleExcerpt]) -> list[ArticleExcerpt]:
        if is_timeline(self.query):
            return sorted(excerpts, key=lambda ex: ex.passage.published or "9999")   # undated last
        return excerpts

    def briefs(self) -> list[ArticleExcerpt]:
        """What the overview reads: each article's OVERVIEW_READS most relevant sentences judged so far (all the
        sentences are judged first when the first batch kept none)."""
        if self.unjudged:
            return self.lines()[0]
        kept, _ = self._kept(self.read_margin)
        if not kept:
            self._judge(self.sentences)
            kept, _ = self._kept(self.read_margin)
        out = []
        for ex, evs in kept:
            read = {id(ev) for ev in sorted(evs, key=lambda ev: -(self.verdicts[id(ev)] or 0.0))[:OVERVIEW_READS]}
            out.append(excerpt_of(ex.passage, [ev for ev in evs if id(ev) in read]))
        return self._ordered(out)

    def lines(self, used: Collection[str] | None = None) -> tuple[list[ArticleExcerpt], str]:
        """Every relevant sentence, one excerpt per article (the rest of the sentences judged first), and a note
        for the explanation. Under a checked overview, the articles within QA_SYNTHESIS_MARGIN and those whose
        sources it cites (used: what it says from them is theirs); with none (None), the lines are the answer
        and quote every article the overview read."""
        if self.unjudged:
            return by_article(self.found, per_article=self.settings.synthesis_sentences,
                              max_articles=self.settings.synthesis_articles,
                              min_support=self.settings.min_support), ""
        self._judge(self.sentences)
        kept, dropped = self._kept(self.read_margin) if used is None else self._kept(self.margin, used)
        note = f"the model judged no sentence of {dropped} article(s) relevant enough: not cited" if dropped else ""
        return self._ordered([excerpt_of(ex.passage, evs) for ex, evs in kept]), note


def named(pool: list[ArticleExcerpt], question: str) -> list[ArticleExcerpt]:
    """Only the articles of the outlets the question names ("what the BBC reported"), when it names any of theirs."""
    return [ex for ex in pool if asked_for(ex, question)] or pool


def asked_for(excerpt: ArticleExcerpt, question: str) -> bool:
    """Whether the question names the excerpt's outlet."""
    return bool(excerpt.passage.outlet) and names_outlet(question, excerpt.passage.outlet)


def allotments(articles: int, budget: int) -> list[int]:
    """Sentences judged of each article, best article first: a sole article gets the whole budget; otherwise the
    best gets up to MOST_PER_ARTICLE (a summary of one page reads more of it), every other at least 2, the rest of
    the budget shared among them."""
    if articles == 0:
        return []
    if articles == 1:   # a summary of one article: the whole budget reads it
        return [budget]
    top = max(2, min(MOST_PER_ARTICLE, budget - 2 * (articles - 1)))
    rest = max(2, min(MOST_PER_ARTICLE, (budget - top) // max(articles - 1, 1)))
    return [top] + [rest] * (articles - 1)


def cut(excerpt: ArticleExcerpt, count: int) -> ArticleExcerpt:
    """The excerpt with its count best sentences by evidence, in the article's order."""
    best = {id(ev) for ev in sorted(excerpt.evidence, key=lambda ev: -ev.support)[:count]}
    return excerpt_of(excerpt.passage, [ev for ev in excerpt.evidence if id(ev) in best])


def is_timeline(query: Query) -> bool:
    """Whether the question asks how something unfolded over time (the lines go oldest first)."""
    return bool(TIMELINE.search(query.text))
