"""What an answer is drawn from: the best evidence excerpts of one question, or a few sentences of each
relevant article (chosen for coverage, for summaries, comparisons, lists and timelines)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from qa.answerers.base import Findings
from qa.evidence import Evidence
from qa.models import Citation, Passage

# A news lead summarises its article: an article's first sentence gets this much extra weight when a
# summary is asked for (it still has to be about the question to win over a better-matching sentence).
LEAD_WEIGHT = 0.1
# when no sentence reaches the refusal threshold (a question without topical terms, "Summarize the articles"),
# articles whose best sentence scores below this share of the best article's are not relevant
RELEVANT_SHARE = 0.5


def excerpts(found: Findings, sentences: int) -> tuple[list[int], list[str]]:
    """The best evidence sentences as excerpts, one per passage (with the sentence before when they lean on
    it, and "…" between sentences that are not neighbours).

    Returns:
        (passage indexes in excerpt order, excerpt texts).
    """
    chosen: dict[int, set[int]] = {}
    for ev in found.evidence[:sentences]:
        positions = chosen.setdefault(ev.passage, set())
        positions.add(ev.position)
        if ev.context:
            positions.add(ev.position - 1)  # "He met Kim there." needs the sentence before it
    order = list(chosen)  # passages by their best sentence
    texts = []
    for index in order:
        by_position = {e.position: e.sentence for e in found.evidence if e.passage == index}
        parts, last = [], None
        for position in sorted(chosen[index]):
            if last is not None and position != last + 1:
                parts.append("…")
            parts.append(by_position[position])
            last = position
        texts.append(" ".join(parts))
    return order, texts


@dataclass(frozen=True, slots=True)
class ArticleExcerpt:
    """A few sentences of one article, as one numbered source of a synthesis."""

    passage: Passage            # the article's best passage, with the excerpt as its text
    evidence: tuple[Evidence, ...]   # the chosen sentences, in the order the article tells them


def _chunk_number(passage: Passage) -> int:
    """n of the chunk id {article_id}:{n} (0 when the id has another shape)."""
    tail = passage.chunk_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _lead(found: Findings, ev: Evidence) -> bool:
    return ev.position == 0 and found.passages[ev.passage].chunk_id.endswith(":0")


def by_article(found: Findings, per_article: int, max_articles: int, min_support: float,
               share: float | None = None) -> list[ArticleExcerpt]:
    """The best few sentences of each relevant article, articles by their best sentence.

    Coverage over depth: every relevant article contributes, none more than per_article sentences. An article
    is relevant when one of its sentences would answer on its own (reaches min_support); when no article has
    such a sentence, when it comes close to the best one.

    Args:
        found: the findings of a synthesis question.
        per_article: sentences taken from each article.
        max_articles: articles taken at most.
        min_support: the evidence score at which a sentence answers on its own (the refusal threshold).
        share: when given, an article is relevant when its best sentence reaches this share of the best article's
            instead (a synthesis whose sentences the model judges: it decides what is relevant, the evidence
            only which articles are close to the best).

    Returns:
        One excerpt per article, best article first.
    """
    ranked: dict[str, list[tuple[float, Evidence]]] = {}
    for ev in found.evidence:
        weight = ev.support + (LEAD_WEIGHT if _lead(found, ev) else 0.0)
        ranked.setdefault(found.passages[ev.passage].source, []).append((weight, ev))
    articles = sorted(ranked.values(), key=lambda scored: -max(w for w, _ in scored))
    if not articles:
        return []
    top = max(ev.support for _, ev in articles[0])
    cut = share * top if share is not None else min_support if top >= min_support else RELEVANT_SHARE * top
    out = []
    for scored in articles[:max_articles]:
        if max(ev.support for _, ev in scored) < cut:
            continue
        picked: list[Evidence] = []
        seen: set[str] = set()
        for _, ev in sorted(scored, key=lambda pair: -pair[0]):
            if ev.sentence.lower() in seen:
                continue
            picked.append(ev)
            seen.update(text.lower() for text in (ev.sentence, ev.context) if text)
            if len(picked) == per_article:
                break
        picked.sort(key=lambda e: (_chunk_number(found.passages[e.passage]), e.position))
        best = found.passages[max(scored, key=lambda pair: pair[0])[1].passage]
        out.append(excerpt_of(best, picked))
    return out


def excerpt_of(passage: Passage, picked: list[Evidence]) -> ArticleExcerpt:
    """An article's excerpt from its picked sentences, in order; a sentence's context is quoted once (not again
    when it was picked itself or is another's context)."""
    said: set[str] = set()
    kept: list[Evidence] = []
    for ev in picked:
        if ev.context and (ev.context.lower() in said or any(ev.context == other.sentence for other in picked)):
            ev = replace(ev, context="")
        if ev.sentence.lower() in said:
            continue
        said.update(text.lower() for text in (ev.context, ev.sentence) if text)
        kept.append(ev)
    return ArticleExcerpt(replace(passage, text=" ".join(e.quote for e in kept)), tuple(kept))


def digest(excerpts: list[ArticleExcerpt], cited: tuple[Citation, ...] = ()) -> tuple[str, tuple[Citation, ...]]:
    """One line per article: its excerpt, cited; an article cited already keeps its number.

    Args:
        excerpts: the articles' excerpts, in order.
        cited: citations the answer has so far (numbered 1..m), e.g. the model's overview's.

    Returns:
        The lines and every citation (the given ones first).
    """
    numbers = {c.source: c.number for c in cited}
    citations = list(cited)
    lines = []
    for ex in excerpts:
        p = ex.passage
        if p.source not in numbers:
            numbers[p.source] = len(citations) + 1
            citations.append(Citation.of(p, numbers[p.source], " … ".join(e.quote for e in ex.evidence),
                                         round(max(e.support for e in ex.evidence), 4)))
        lines.append(f"{p.text} [{numbers[p.source]}]{dateline(p)}")
    return "\n".join(lines), tuple(citations)


def dateline(passage: Passage) -> str:
    """" (Outlet, 2024-06-12)" after an article's line: who published it and when, from its metadata."""
    said = ", ".join(x for x in (passage.outlet, passage.published[:10]) if x)
    return f" ({said})" if said else ""
