"""Fit the refusal thresholds on the project's own question set, never on benchmarks.

Run: python -m evals.calibrate [--max-false-refusals 0.05]            (QA_MIN_SUPPORT, extractive)
     python -m evals.calibrate --judged [--max-false-refusals 0.043]  (QA_JUDGE_SUPPORT_WEIGHT and
        QA_JUDGE_THRESHOLD: the model's judgement fused with the evidence; every QA_JUDGE_INPUT is measured, with
        its AUC and refusal curve, so the input can be chosen by measurement)
"""
from __future__ import annotations

import argparse
from pathlib import Path

from evals.corpus import ingest_dataset
from evals.datasets import load_seeds
from evals.metrics import auc as auc_of
from qa.settings import Settings


def best_supports(settings: Settings, out: Path) -> list[tuple[float, bool, str]]:
    """(best evidence support, answerable, question) for every seeds question."""
    dataset = load_seeds()
    pipeline, _, _ = ingest_dataset(settings, dataset, out)
    return [(pipeline.find(q.question).best, q.answerable, q.question) for q in dataset.questions]


def judged_pipeline(settings: Settings, dataset, out: Path, **update):
    """The dataset ingested, and its pipeline with the judged answerer under these settings (needs a model).

    Returns:
        (pipeline, its JudgedAnswerer, the effective settings).
    """
    from qa.answerers.judged import JudgedAnswerer

    settings = settings.model_copy(update={**update, "answerer": "judged"})
    pipeline, _, _ = ingest_dataset(settings, dataset, out)
    judged = pipeline.answerer
    if not isinstance(judged, JudgedAnswerer):
        raise SystemExit("the judged answerer needs a model: make setup installs one, or set QA_LLM")
    return pipeline, judged, settings


def judgements(settings: Settings, out: Path, judge_input: str) -> list[tuple[float, float, bool, str]]:
    """(model's judgement, evidence margin, answerable, question) for every seeds question (needs a model)."""
    dataset = load_seeds()
    pipeline, judged, settings = judged_pipeline(settings, dataset, out, judge_input=judge_input)
    rows = []
    for q in dataset.questions:
        found = pipeline.find(q.question)
        judge = judged.judgement(found.query, found)
        rows.append((judge if judge is not None else 0.0, found.best - settings.min_support, q.answerable, q.question))
    return rows


def fit_combination(rows: list[tuple[float, float, bool, str]], max_false_refusals: float,
                    weights: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0)) -> tuple[float, float, float, float]:
    """The (support weight, threshold) whose score judge + weight x margin refuses the most unanswerable
    questions with false refusals in bounds; ties go to the weight that separates the two kinds best (AUC).

    Returns:
        (weight, threshold, refusal recall, false-refusal rate).
    """
    best, best_key = (0.0, 0.0, 0.0, 0.0), (-1.0, -1.0)
    for w in weights:
        scored = [(j + w * m, a, q) for j, m, a, q in rows]
        t, recall, false_rate = fit_threshold(scored, max_false_refusals)
        key = (recall, auc([(s, a) for s, a, _ in scored]))
        if key > best_key:
            best, best_key = (w, t, recall, false_rate), key
    return best


def auc(scored: list[tuple[float, bool]]) -> float:
    """Probability that an answerable question scores above an unanswerable one (ties count half)."""
    return auc_of([s for s, a in scored if a], [s for s, a in scored if not a]) or 0.0


def curve(rows: list[tuple[float, float, bool, str]], weight: float) -> list[tuple[float, float, float]]:
    """The refusal trade-off: (threshold, refusal recall, false-refusal rate) at every cut of the combined score."""
    scores = sorted({round(j + weight * m, 3) for j, m, _, _ in rows})
    answerable = [j + weight * m for j, m, a, _ in rows if a]
    unanswerable = [j + weight * m for j, m, a, _ in rows if not a]
    return [(t, sum(s < t for s in unanswerable) / max(len(unanswerable), 1),
             sum(s < t for s in answerable) / max(len(answerable), 1)) for t in scores]


def fit_threshold(rows: list[tuple[float, bool, str]], max_false_refusals: float) -> tuple[float, float, float]:
    """The threshold refusing the most unanswerable questions while keeping false refusals in bounds; of the
    thresholds that do so, those with the fewest false refusals, and of those the middle one (the widest margin
    on both sides, rather than the edge next to an answerable question).

    Returns:
        (threshold, refusal recall, false-refusal rate); the threshold sits midway between neighbours.
    """
    answerable = sorted(s for s, a, _ in rows if a)
    unanswerable = [s for s, a, _ in rows if not a]
    values = sorted({s for s, _, _ in rows})
    scored = []
    for low, high in zip([0.0] + values, values + [values[-1] + 1e-6]):
        t = (low + high) / 2
        false_rate = sum(1 for s in answerable if s < t) / max(len(answerable), 1)
        recall = sum(1 for s in unanswerable if s < t) / max(len(unanswerable), 1)
        if false_rate <= max_false_refusals:
            scored.append(((recall, -false_rate), t))
    if not scored:
        return (0.0, 0.0, 0.0)
    best = max(key for key, _ in scored)
    ties = sorted(t for key, t in scored if key == best)
    middle = (ties[0] + ties[-1]) / 2
    return round(middle, 3), best[0], -best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-false-refusals", type=float, default=0.05)
    parser.add_argument("--judged", action="store_true", help="fit the model's refusal (needs a model)")
    parser.add_argument("--inputs", default="excerpts,passages,each", help="judge inputs to measure")
    parser.add_argument("--verbose", action="store_true", help="print every question's judgement")
    parser.add_argument("--out", type=Path, default=Path("eval-out") / "calibration")
    args = parser.parse_args()
    if args.judged:
        for judge_input in args.inputs.split(","):
            judged = judgements(Settings(), args.out, judge_input)
            w, t, recall, false_rate = fit_combination(judged, args.max_false_refusals)
            alone = auc([(j, a) for j, _, a, _ in judged])
            fused = auc([(j + w * m, a) for j, m, a, _ in judged])
            print(f"## judge input {judge_input}: AUC judgement alone {alone:.3f}, fused {fused:.3f}; "
                  f"judge_support_weight = {w}, judge_threshold = {t} (refusal recall {recall:.3f}, "
                  f"false refusals {false_rate:.3f})")
            if args.verbose:
                for j, m, answerable, question in sorted(judged):
                    print(f"judge {j:+.3f} margin {m:+.3f} {'answerable  ' if answerable else 'UNANSWERABLE'} "
                          f"{question}")
            for threshold, r, f in curve(judged, w):
                print(f"  threshold {threshold:+.3f}: refusal recall {r:.3f}, false refusals {f:.3f}")
        return
    rows = best_supports(Settings(), args.out)
    for support, answerable, question in sorted(rows):
        print(f"{support:.3f} {'answerable  ' if answerable else 'UNANSWERABLE'} {question}")
    t, recall, false_rate = fit_threshold(rows, args.max_false_refusals)
    print(f"min_support = {t} (refusal recall {recall:.2f}, false refusals {false_rate:.2f})")


if __name__ == "__main__":
    main()
