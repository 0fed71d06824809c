"""Score fusion of ranked lists, exactly as llama-index's QueryFusionRetriever does it (one query).

The ask path cannot afford importing llama-index (1.4 s of a 2 s cold start), so the three modes are
restated here; tests/qa/test_fusion.py checks them against QueryFusionRetriever on the same inputs.
"""
from __future__ import annotations

from collections.abc import Sequence

Ranked = Sequence[tuple[str, float]]
RRF_K = 60.0


def fuse(results: Sequence[Ranked], weights: Sequence[float], mode: str) -> list[tuple[str, float]]:
    """Fuse ranked (id, score) lists from several retrievers into one list, best first.

    Args:
        results: one list per retriever.
        weights: each retriever's weight (normalised to sum to 1).
        mode: dist_based_score (scale by mean ± 3 sd), relative_score (by min and max), reciprocal_rerank.

    Returns:
        (id, fused score), best first; ties keep first-seen order.
    """
    if mode == "reciprocal_rerank":
        fused: dict[str, float] = {}
        for ranked in results:
            for rank, (key, _) in enumerate(sorted(ranked, key=lambda r: r[1], reverse=True)):
                fused[key] = fused.get(key, 0.0) + 1.0 / (rank + RRF_K)
        return sorted(fused.items(), key=lambda r: r[1], reverse=True)
    if mode not in ("dist_based_score", "relative_score"):
        raise ValueError(f"Unknown fusion mode {mode!r}")
    total = sum(weights)
    fused = {}
    for ranked, weight in zip(results, weights):
        if not ranked:
            continue
        scores = [s for _, s in ranked]
        if mode == "dist_based_score":
            mean = sum(scores) / len(scores)
            spread = (sum((x - mean) ** 2 for x in scores) / len(scores)) ** 0.5
            low, high = mean - 3 * spread, mean + 3 * spread
        else:
            low, high = min(scores), max(scores)
        for key, s in ranked:
            scaled = (1.0 if high > 0 else 0.0) if high == low else (s - low) / (high - low)
            fused[key] = fused.get(key, 0.0) + scaled * weight / total
    return sorted(fused.items(), key=lambda r: r[1], reverse=True)
