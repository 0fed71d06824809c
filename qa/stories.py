"""Wire copies folded at retrieval: passages of one story (index.copies) at the same place in their article, and
of nearly the same words, count once; the best-ranked copy stands for them and names the other outlets."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from qa.models import Passage

SAME_TEXT = 0.7   # Jaccard similarity of two passages' word trigrams from which one is a copy of the other


def place(p: Passage) -> tuple[str, str]:
    """(story, chunk number): copies of one text are chunked alike."""
    return p.story or p.source, p.chunk_id.rsplit(":", 1)[-1]


def fold_copies(passages: Sequence[Passage]) -> list[Passage]:
    """passages (best first) with each copy after the first folded into it; its outlet joins also_in."""
    kept: dict[tuple[str, str], int] = {}
    out: list[Passage] = []
    for p in passages:
        key = place(p)
        if key not in kept:
            kept[key] = len(out)
            out.append(p)
            continue
        first = out[kept[key]]
        if p.source != first.source and similarity(p.text, first.text) < SAME_TEXT:
            out.append(p)     # the same story, told in other words here: both stay
            continue
        if p.source != first.source and p.outlet and p.outlet != first.outlet and p.outlet not in first.also_in:
            out[kept[key]] = replace(first, also_in=(*first.also_in, p.outlet))
    return out


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of two texts' word trigrams."""
    x, y = _grams(a), _grams(b)
    shared = len(x & y)
    return shared / (len(x) + len(y) - shared) if x or y else 1.0


@lru_cache(maxsize=2048)
def _grams(text: str) -> frozenset[tuple[str, ...]]:
    """A text's word trigrams (cached: the first copy of a story is compared with each later one, and a question
    folds the same passages again in each retrieval pass)."""
    words = text.lower().split()
    return frozenset(zip(words, words[1:], words[2:])) if len(words) > 2 else frozenset((tuple(words),))
