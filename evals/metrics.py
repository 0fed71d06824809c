"""Pure metric functions: retrieval hits, answer accuracy, citation precision, refusal, latency."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def normalise(text: str) -> str:
    """Lower-case, unify quotes and dashes, drop thousands separators, squeeze spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("–", "-")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    return " ".join(text.split())


def contains_answer(text: str, answers: Sequence[str]) -> bool:
    """Whether any gold answer string appears in the text (case-insensitive)."""
    haystack = normalise(text)
    return any(normalise(a) in haystack for a in answers if a.strip())


def leads_with(text: str, word: str) -> bool:
    """Whether an answer leads with word ("Yes", "No"), after the day of its source ("As of 12 June 2022: ")."""
    import re

    body = re.sub(r"^As of [^:]{3,80}:\s*", "", text.strip())
    first = re.match(r"[A-Za-z]+", body)
    return bool(word) and first is not None and first.group(0).lower() == word.lower()


def key_points_made(text: str, key_points: Sequence) -> int:
    """How many key points the text makes: a point is made when each of its match groups has an alternative
    in the text (case-insensitive)."""
    haystack = normalise(text)
    return sum(all(any(normalise(alt) in haystack for alt in group) for group in kp.match) for kp in key_points)


def rank_of_gold(retrieved: Sequence[str], gold: Sequence[str]) -> int | None:
    """1-based rank of the first gold source among retrieved sources, or None."""
    gold_set = set(gold)
    for rank, source in enumerate(retrieved, 1):
        if source in gold_set:
            return rank
    return None


def hit_at(rank: int | None, k: int) -> float:
    """1.0 when the gold source is within the first k."""
    return 1.0 if rank is not None and rank <= k else 0.0


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """P(a positive scores above a negative), ties half; None when either side is empty."""
    if not positives or not negatives:
        return None
    return sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives) / (len(positives) * len(negatives))


def reciprocal_rank(rank: int | None) -> float:
    """1/rank, or 0 when the gold source was not retrieved."""
    return 1.0 / rank if rank else 0.0


def citation_precision(cited: Sequence[str], gold: Sequence[str]) -> float | None:
    """Share of cited sources that are gold; None when nothing was cited."""
    if not cited:
        return None
    gold_set = set(gold)
    return sum(1 for c in cited if c in gold_set) / len(cited)


@dataclass(frozen=True, slots=True)
class RefusalScores:
    """How well refusals match unanswerable questions."""

    precision: float | None   # refused questions that were unanswerable
    recall: float | None      # unanswerable questions that were refused
    false_refusal_rate: float | None  # answerable questions that were refused


def refusal_scores(refused: Sequence[bool], answerable: Sequence[bool]) -> RefusalScores:
    """Refusal precision/recall over unanswerable questions and the false-refusal rate."""
    pairs = list(zip(refused, answerable))
    refused_n = sum(1 for r, _ in pairs if r)
    unanswerable_n = sum(1 for _, a in pairs if not a)
    answerable_n = len(pairs) - unanswerable_n
    true_refusals = sum(1 for r, a in pairs if r and not a)
    false_refusals = sum(1 for r, a in pairs if r and a)
    return RefusalScores(
        true_refusals / refused_n if refused_n else None,
        true_refusals / unanswerable_n if unanswerable_n else None,
        false_refusals / answerable_n if answerable_n else None,
    )


def percentiles(values_ms: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and mean of latencies in milliseconds."""
    if not values_ms:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "mean": 0.0}
    arr = np.asarray(values_ms, dtype=float)
    return {**{f"p{q}": round(float(np.percentile(arr, q)), 1) for q in (50, 95, 99)},
            "mean": round(float(arr.mean()), 1)}


def mean(values: Sequence[float | None]) -> float | None:
    """Mean of the values that are not None (None when there are none)."""
    kept = [v for v in values if v is not None]
    return round(sum(kept) / len(kept), 4) if kept else None
