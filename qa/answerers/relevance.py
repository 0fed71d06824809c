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

MOST_PER_ARTICLE = 8   # sentences read from one article at most
# an article is cited only when its most relevant sentence is judged nearly as relevant as the best article's
ARTICLE_MARGIN = 0.3
OVERVIEW_READS = 3   # sentences of each article the overview reads
TIMELINE = re.compile(r"\b(?:timeline|chronolog\w*|over time|sequence of events|how (?:has|have|did) .{1,60}"
                      r"\b(?:changed|evolved|developed|unfolded))\b", re.IGNORECASE)


def judged_excerpts(llm, query: Query, found: Findings,
                    settings: Settings) -> tuple[list[ArticleExcerpt], list[ArticleExcerpt], str]:
    """The articles' relevant sentences, judged by the model: (excerpts, briefs, a note for the explanation).

    A brief is an excerpt cut to its OVERVIEW_READS most relevant sentences: what the model's overview reads
    (prompt tokens are the wait for its first word), while the lines under it quote every relevant sentence.

    The articles whose best sentence comes close to the best article's (QA_SYNTHESIS_SHARE) are read; the budget
    of judged sentences (QA_SYNTHESIS_JUDGED, one batch) is spread over them, so a summary of one article reads
    more of it (up to MOST_PER_ARTICLE sentences). An article keeps every judged sentence whose judgement reaches
    QA_SYNTHESIS_RELEVANCE, in the order it tells them; an article with none, or whose best falls ARTICLE_MARGIN
    below the best article's, is left out. A backend without
    probabilities keeps the evidence's choice (as excerpts and briefs both)."""
    relevant = by_article(found, per_article=1, max_articles=settings.synthesis_articles,
                          min_support=settings.min_support, share=settings.synthesis_share)
    judged_per = max(2, min(MOST_PER_ARTICLE, settings.synthesis_judged // max(len(relevant), 1)))
    pool = by_article(found, per_article=judged_per, max_articles=settings.synthesis_articles,
                      min_support=settings.min_support, share=settings.synthesis_share)
    sentences = [ev for ex in pool for ev in ex.evidence]
    verdicts = judge_each(llm, RELEVANT_SYSTEM, query, sentences)
    if not verdicts or all(v is None for v in verdicts):
        chosen = by_article(found, per_article=settings.synthesis_sentences, max_articles=settings.synthesis_articles,
                            min_support=settings.min_support)
        return chosen, chosen, ""
    judged = {id(ev): verdict or 0.0 for ev, verdict in zip(sentences, verdicts)}
    best = max(judged.values())
    out, briefs, dropped = [], [], 0
    for ex in pool:   # by_article keeps the article's own order
        kept = [ev for ev in ex.evidence if judged[id(ev)] >= settings.synthesis_relevance]
        if not kept or max(judged[id(ev)] for ev in kept) < best - ARTICLE_MARGIN:
            dropped += 1
            continue
        read = {id(ev) for ev in sorted(kept, key=lambda ev: -judged[id(ev)])[:OVERVIEW_READS]}
        out.append(excerpt_of(ex.passage, kept))
        briefs.append(excerpt_of(ex.passage, [ev for ev in kept if id(ev) in read]))
    if is_timeline(query):
        order = sorted(range(len(out)), key=lambda i: out[i].passage.published or "9999")   # undated last
        out, briefs = [out[i] for i in order], [briefs[i] for i in order]
    note = f"the model judged no sentence of {dropped} article(s) relevant enough: not cited" if dropped else ""
    return out, briefs, note


def is_timeline(query: Query) -> bool:
    """Whether the question asks how something unfolded over time (the lines go oldest first)."""
    return bool(TIMELINE.search(query.text))
