"""What a summary, comparison, list or timeline draws on: each article's best sentences, each judged by the model
for relevance to the question (the same batched yes/no as the fact choice), so an article none of whose sentences
the model judges relevant is not read or cited. A summary of few articles reads more of each.
"""
from __future__ import annotations

import re

from qa.answerers.base import Findings
from qa.answerers.choice import judge_each
from qa.answerers.sources import ArticleExcerpt, by_article, excerpt_of
from qa.prompts import RELEVANT_SYSTEM
from qa.query import Query
from qa.settings import Settings

MOST_PER_ARTICLE = 5   # sentences read from one article at most
TIMELINE = re.compile(r"\b(?:timeline|chronolog\w*|over time|sequence of events|how (?:has|have|did) .{1,60}"
                      r"\b(?:changed|evolved|developed|unfolded))\b", re.IGNORECASE)


def judged_excerpts(llm, query: Query, found: Findings, settings: Settings) -> tuple[list[ArticleExcerpt], str]:
    """The articles' relevant sentences, judged by the model: (excerpts, a note for the explanation).

    Each article's best few sentences by evidence are judged; an article keeps those whose judgement reaches
    QA_SYNTHESIS_RELEVANCE (its best ones, in the order it tells them), and an article with none is left out.
    A backend without probabilities keeps the evidence's choice."""
    relevant = by_article(found, per_article=1, max_articles=settings.synthesis_articles,
                          min_support=settings.min_support)
    # one budget of judged sentences (one batch) whatever the number of articles: a summary of one article
    # reads more of it; each article keeps all but one of its judged sentences at most
    judged_per = max(2, min(MOST_PER_ARTICLE + 1, settings.synthesis_judged // max(len(relevant), 1)))
    per_article = max(min(settings.synthesis_sentences, judged_per), judged_per - 1)
    pool = by_article(found, per_article=judged_per, max_articles=settings.synthesis_articles,
                      min_support=settings.min_support)
    sentences = [ev for ex in pool for ev in ex.evidence]
    verdicts = judge_each(llm, RELEVANT_SYSTEM, query, sentences)
    if not verdicts or all(v is None for v in verdicts):
        return by_article(found, per_article=per_article, max_articles=settings.synthesis_articles,
                          min_support=settings.min_support), ""
    judged = dict(zip(map(id, sentences), verdicts))
    out, dropped = [], 0
    for ex in pool:
        scored = sorted(((judged[id(ev)] or 0.0, ev) for ev in ex.evidence), key=lambda pair: -pair[0])
        kept = [ev for verdict, ev in scored if verdict >= settings.synthesis_relevance][:per_article]
        if not kept:
            dropped += 1
            continue
        order = {id(ev): i for i, ev in enumerate(ex.evidence)}   # by_article keeps the article's own order
        kept.sort(key=lambda ev: order[id(ev)])
        out.append(excerpt_of(ex.passage, kept))
    if is_timeline(query):
        out.sort(key=lambda ex: ex.passage.published or "9999")   # undated last
    note = f"the model judged no sentence of {dropped} article(s) relevant: not cited" if dropped else ""
    return out, note


def is_timeline(query: Query) -> bool:
    """Whether the question asks how something unfolded over time (the lines go oldest first)."""
    return bool(TIMELINE.search(query.text))
