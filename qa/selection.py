"""Which scored sentences an answer quotes: the best with the runners-up that add something, and a dated
article that answers as well with another figure, date or name."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from qa.evidence import Evidence
from qa.matching import typed_spans
from qa.models import Passage
from qa.query import Query


def select_evidence(found: Sequence[Evidence], *, max_sentences: int, min_support: float,
                    margin: float = 0.08) -> list[Evidence]:
    """The sentences worth quoting: the best one, plus close runners-up that add something.

    Args:
        found: scored sentences, best first.
        max_sentences: cap on the number selected.
        min_support: below this nothing is selected (the assistant refuses).
        margin: how far below the best a runner-up may score.

    Returns:
        Selected sentences, best first; empty means refuse.
    """
    if not found or found[0].support < min_support:
        return []
    best = found[0]
    chosen: list[Evidence] = []
    seen: set[str] = set()

    def quotable(ev: Evidence) -> Evidence | None:
        """ev as it can join the answer: None when it repeats a quoted sentence, without its context
        when that context is quoted already."""
        if ev.sentence.lower() in seen or repeats(ev.sentence, seen):
            return None
        return replace(ev, context="") if ev.context.lower() in seen else ev

    def add(ev: Evidence) -> None:
        chosen.append(ev)
        seen.update(text.lower() for text in (ev.sentence, ev.context) if text)

    add(best)
    for ev in found[1:]:
        if len(chosen) >= max_sentences:
            break
        if ev.support >= max(min_support, best.support - margin) and (ev := quotable(ev)) is not None:
            add(ev)
    if not any(e.typed for e in chosen):
        # "on 4th March" is better followed by a runner-up (a little further down) saying "March 4, 2016"
        exact = next((q for e in found[1:] if e.typed and e.support >= max(min_support, best.support - 2 * margin)
                      and (q := quotable(e)) is not None), None)
        if exact is not None and len(chosen) < max_sentences:
            add(exact)
        elif exact is not None and len(chosen) > 1:
            chosen[-1] = exact
    return chosen


def repeats(text: str, quoted: Iterable[str], share: float = 0.9) -> bool:
    """Whether text says next to nothing that one of the quoted sentences does not: at least share of its words
    (six or more) are among that sentence's. A page repeats its lines: a pull quote, a standfirst, a headline ("Kamila
    Valieva banned four years for doping, ending 2022 Olympic ...") that the body says in full."""
    words = REPEAT_WORD.findall(text.lower())
    if len(words) < 6:
        return False
    for other in quoted:
        held = set(REPEAT_WORD.findall(other.lower()))
        if sum(w in held for w in words) >= share * len(words):
            return True
    return False


REPEAT_WORD = re.compile(r"\w+")


# another dated article answering this close to the best sentence, with another answer, is shown beside it
DISAGREE_MARGIN = 0.1


def disagreement(query: Query, found: Sequence[Evidence], passages: Sequence[Passage],
                 chosen: Sequence[Evidence]) -> Evidence | None:
    """A sentence of another article, published on another day, that answers nearly as well as the best one but
    states another figure, date, name or place: the answer shows both with their dates rather than silently
    picking one. None when the articles agree, are undated, or the question asks for no such thing."""
    if not chosen or not query.kind or query.synthesis:
        return None
    best = chosen[0]
    first = passages[best.passage]
    mine = {span.lower() for span in typed_spans(query, best.sentence)}
    if not first.published or not mine:
        return None
    for ev in [*chosen[1:], *found]:
        if ev.support < best.support - DISAGREE_MARGIN:
            continue
        other = passages[ev.passage]
        if other.source == first.source or not other.published or other.published[:10] == first.published[:10]:
            continue
        theirs = {span.lower() for span in typed_spans(query, ev.sentence)}
        if theirs and not theirs & mine:
            return ev
    return None
