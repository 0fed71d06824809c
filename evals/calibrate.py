"""Fit the refusal threshold (QA_MIN_SUPPORT) on the project's own question set, never on benchmarks.

Run: python -m evals.calibrate [--max-false-refusals 0.05]
"""
from __future__ import annotations

import argparse
from pathlib import Path

from evals.corpus import ingest_dataset
from evals.datasets import load_seeds
from qa.settings import Settings


def best_supports(settings: Settings, out: Path) -> list[tuple[float, bool, str]]:
    """(best evidence support, answerable, question) for every seeds question."""
    dataset = load_seeds()
    pipeline, _, _ = ingest_dataset(settings, dataset, out)
    return [(pipeline.find(q.question).best, q.answerable, q.question) for q in dataset.questions]


def fit_threshold(rows: list[tuple[float, bool, str]], max_false_refusals: float) -> tuple[float, float, float]:
    """The threshold refusing the most unanswerable questions while keeping false refusals in bounds.

    Returns:
        (threshold, refusal recall, false-refusal rate); the threshold sits midway between neighbours.
    """
    answerable = sorted(s for s, a, _ in rows if a)
    unanswerable = [s for s, a, _ in rows if not a]
    values = sorted({s for s, _, _ in rows})
    best = (0.0, 0.0, 0.0)
    for low, high in zip([0.0] + values, values + [values[-1] + 1e-6]):
        t = (low + high) / 2
        false_rate = sum(1 for s in answerable if s < t) / max(len(answerable), 1)
        recall = sum(1 for s in unanswerable if s < t) / max(len(unanswerable), 1)
        if false_rate <= max_false_refusals and recall >= best[1]:
            best = (round(t, 3), recall, false_rate)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-false-refusals", type=float, default=0.05)
    parser.add_argument("--out", type=Path, default=Path("eval-out") / "calibration")
    args = parser.parse_args()
    rows = best_supports(Settings(), args.out)
    for support, answerable, question in sorted(rows):
        print(f"{support:.3f} {'answerable  ' if answerable else 'UNANSWERABLE'} {question}")
    t, recall, false_rate = fit_threshold(rows, args.max_false_refusals)
    print(f"min_support = {t} (refusal recall {recall:.2f}, false refusals {false_rate:.2f})")


if __name__ == "__main__":
    main()
