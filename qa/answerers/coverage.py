"""Questions about the coverage itself: which outlet ran a story, when it was published, who wrote it, how many
articles and which ones mention something, the first and the latest report. The articles are the ones whose
sentences answer for the topic (the evidence, as for any answer); the answer comes from their metadata, cited.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from qa.answerers.base import Findings, explain, refusal
from qa.dated import day_words
from qa.matching import entity_key, names_outlet
from qa.models import Answer, Citation, Passage
from qa.query import Query, question_entities

LISTED = 8          # articles a count or a list names at most
COUNTED = 50        # passages searched for a count (qa.finding): reaching it, the count is a lower bound
CLOSE = 0.05        # other outlets whose article answers this close to the best one ran it too


@dataclass(frozen=True, slots=True)
class Covered:
    """One article about the topic: its passage, its best sentence and that sentence's score."""

    passage: Passage
    quote: str
    support: float


def about(found: Findings, min_support: float) -> list[Covered]:
    """The articles whose best sentence reaches min_support, best first, each once; only the outlet the question
    names when it names one of theirs ("When did the Guardian publish...")."""
    best: dict[str, Covered] = {}
    for ev in found.evidence:
        p = found.passages[ev.passage]
        if ev.support >= min_support and (p.source not in best or ev.support > best[p.source].support):
            best[p.source] = Covered(p, ev.quote, ev.support)
    ranked = sorted(best.values(), key=lambda c: -c.support)
    named = [c for c in ranked if c.passage.outlet and names_outlet(found.query.text, c.passage.outlet)]
    return named or ranked


def mentioning(articles: Sequence[Covered], topic: str) -> list[Covered]:
    """The articles whose passage names every name and number of the topic (all of them when it names none)."""
    keys = question_entities(f"About {topic}")
    if not keys:
        return list(articles)
    return [c for c in articles
            if set(keys) <= {entity_key(w) for w in f"{c.passage.title} {c.passage.text}".split()}]


def coverage_answer(query: Query, found: Findings, min_support: float, name: str) -> Answer | None:
    """The answer to a coverage question from the articles' metadata (a refusal when no article is about it);
    None when the article it is about lacks what is asked (no outlet, no date): the question is then asked as
    any other ("Which broadcaster reported that..." may be about a source the article names)."""
    explanation = explain(found, min_support)
    articles = about(found, min_support)
    if not articles:
        return refusal(query.text, found, name, explanation)
    asked = query.coverage
    if asked in ("count", "which"):
        articles = mentioning(articles, query.topic)
        if not articles:
            return refusal(query.text, found, name, explanation)
        listed = sorted(articles[:LISTED], key=lambda c: c.passage.published or "9999")
        n = len(articles)
        said = f"{'At least ' if len(found.passages) >= COUNTED else ''}{n} article{'s' if n > 1 else ''} " \
               f"mention{'' if n > 1 else 's'} it"
        lead = (said if asked == "count" else "These articles mention it") + ":"
        text = lead + "".join(f" [{n}] “{c.passage.title}”{_when(c.passage)};" for n, c in enumerate(listed, 1))
        return _answer(query, found, name, explanation, text.rstrip(";") + ".", listed)
    if asked in ("first", "latest"):
        dated = [c for c in articles if c.passage.published]
        if not dated:
            return None
        chosen = sorted(dated, key=lambda c: c.passage.published or "")[0 if asked == "first" else -1]
        text = f"The {asked} report: “{chosen.passage.title}”{_when(chosen.passage)} [1]."
        return _answer(query, found, name, explanation, text, [chosen])
    chosen = articles[0]
    p = chosen.passage
    if (asked == "outlet" and not p.outlet) or (asked == "when" and not day_words(p.published)):
        return None
    if asked == "outlet":
        also = [c for c in articles[1:] if c.support >= chosen.support - CLOSE and c.passage.outlet
                and c.passage.outlet != p.outlet]
        outlets = " and ".join(dict.fromkeys([p.outlet, *(c.passage.outlet for c in also)]))
        text = f"{outlets} ran it: “{p.title}”{_when(p, outlet=False)} [1]."
        return _answer(query, found, name, explanation, text, [chosen])
    if asked == "author":
        text = (f"{p.author} wrote it: “{p.title}”{_when(p)} [1]." if p.author
                else f"The article names no author: “{p.title}”{_when(p)} [1].")
        return _answer(query, found, name, explanation, text, [chosen])
    text = f"{p.outlet or 'It'} published it on {day_words(p.published)}: “{p.title}” [1]."
    return _answer(query, found, name, explanation, text, [chosen])


def stream_coverage(answer: Answer) -> Iterator[str | Answer]:
    """A coverage answer is ready at once: its text, then the Answer."""
    yield answer.text
    yield answer


def _answer(query: Query, found: Findings, name: str, explanation, text: str,
            cited: Sequence[Covered]) -> Answer:
    citations = tuple(Citation.of(c.passage, n, c.quote, round(c.support, 4)) for n, c in enumerate(cited, 1))
    return Answer(query.text, text, False, name, citations, found.passages, explanation=explanation)


def _when(p: Passage, outlet: bool = True) -> str:
    """" (CNN, 12 June 2022)" from an article's metadata ("" when it has neither)."""
    said = ", ".join(x for x in ((p.outlet if outlet else ""), day_words(p.published)) if x)
    return f" ({said})" if said else ""
