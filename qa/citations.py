"""[n] markers <-> passages: number quoted evidence, parse an LLM's markers, drop unknown ones."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from index.sentences import split_sentences
from qa.extractive import Evidence
from qa.models import Citation, Passage

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def cite_evidence(evidence: Sequence[Evidence], passages: Sequence[Passage]) -> tuple[str, tuple[Citation, ...]]:
    """Write selected sentences with [n] markers, numbering sources by first appearance.

    Args:
        evidence: selected sentences, in answer order.
        passages: the retrieved passages the evidence indexes into.

    Returns:
        The answer text and its citations (numbered 1..m).
    """
    numbers: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    scores: dict[int, float] = {}
    parts = []
    for ev in evidence:
        n = numbers.setdefault(ev.passage, len(numbers) + 1)
        quotes.setdefault(ev.passage, []).append(ev.quote)
        scores[ev.passage] = max(scores.get(ev.passage, 0.0), ev.support)
        parts.append(f"{ev.quote} [{n}]")
    citations = tuple(
        Citation(n, passages[p].source, passages[p].title, " … ".join(quotes[p]), round(scores[p], 4))
        for p, n in numbers.items())
    return " ".join(parts), citations


def renumber_markers(text: str, passages: Sequence[Passage],
                     best_quote: Callable[[str, Passage], str]) -> tuple[str, tuple[Citation, ...], tuple[str, ...]]:
    """Map an LLM's [n] markers (n = passage position, from 1) to citations numbered by first use.

    Unknown numbers are dropped with a warning; each citation quotes the passage sentence that
    best matches the answer sentence citing it.

    Args:
        text: the LLM's answer.
        passages: the passages in the order the prompt numbered them.
        best_quote: picks the supporting sentence of a passage for a claim.

    Returns:
        The rewritten text, its citations and warnings.
    """
    numbers: dict[int, int] = {}
    claims: dict[int, str] = {}
    warnings: list[str] = []

    def rewrite(sentence: str) -> str:
        def one(match: re.Match[str]) -> str:
            kept = []
            for raw in re.split(r"\s*[,;]\s*", match.group(1)):
                index = int(raw) - 1
                if not 0 <= index < len(passages):
                    warnings.append(f"dropped citation [{raw}]: there is no source {raw}")
                    continue
                n = numbers.setdefault(index, len(numbers) + 1)
                claims.setdefault(index, _tidy(_MARKER.sub("", sentence)))
                kept.append(f"[{n}]")
            return "".join(kept)
        return _MARKER.sub(one, sentence)

    out = _tidy(" ".join(rewrite(s) for s in split_sentences(text)))
    citations = tuple(
        Citation(n, passages[i].source, passages[i].title, best_quote(claims[i], passages[i]), round(passages[i].score, 4))
        for i, n in numbers.items())
    return out, citations, tuple(warnings)


def attribute_unmarked(text: str, passages: Sequence[Passage],
                       best_source: Callable[[str, Sequence[Passage]], int | None]) -> tuple[str, int]:
    """Give each sentence of an LLM answer that cites nothing the [n] of the passage that says it.

    Args:
        text: the LLM's answer, with [n] = passage position from 1.
        passages: the passages in prompt order.
        best_source: the index of the passage that clearly states a sentence, or None.

    Returns:
        The text with markers added, and how many were added.
    """
    added = 0
    parts = []
    for sentence in split_sentences(text):
        if not _MARKER.search(sentence):
            index = best_source(sentence, passages)
            if index is not None:
                body = sentence.rstrip(".!?") or sentence  # the marker goes before the full stop
                sentence = f"{body} [{index + 1}]{sentence[len(body):]}"
                added += 1
        parts.append(sentence)
    return " ".join(parts), added


def _tidy(text: str) -> str:
    """Squeeze the spaces a removed marker leaves behind."""
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()
