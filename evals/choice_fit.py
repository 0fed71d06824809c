"""Measure how the model chooses the quote, and fit QA_CHOICE_WEIGHT and QA_CHOICE_THRESHOLD, on the dev sets only.

Run: python -m evals.choice_fit [--designs sentences,list] [--orders question,sentence,both]
     [--datasets seeds,realnews] [--max-false-refusals 0.05]

For every question the candidate sentences are judged once per design (the model's judgement and the evidence
margin of each are kept in OUT/choice-DESIGN-DATASET.json); then every (weight, threshold) on a grid is scored
offline: a question is right when the quote chosen holds a gold answer (answerable) or when it is refused
(unanswerable). Printed per design: accuracy of the choice, refusal recall and false refusals at the fit, the
rank of the first right candidate by evidence alone and by the fused score, and the judging time per question;
and two AUCs of the judgement: right against wrong candidates of answerable questions, and the best candidate's
judgement of answerable against unanswerable questions (what a refusal rests on). --orders: what each
candidate's prompt reads first (QA_JUDGE_ORDER), each order a design of its own.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from evals.calibrate import judged_pipeline
from evals.datasets import load_dataset
from evals.metrics import auc
from qa.settings import Settings

WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
QUOTED = Settings().max_sentences   # sentences an answer quotes at most


def judged_rows(settings: Settings, dataset_name: str, design: str, out: Path) -> list[dict]:
    """Each question's candidates: judgement, evidence margin, whether the candidate holds a gold answer."""
    from qa.answerers.choice import candidates, judge_list, judge_sentences

    order = "" if settings.judge_order == "question" else f"-{settings.judge_order}"
    cache = out / f"choice-{design}{order}-{dataset_name}.json"
    if cache.is_file():
        return json.loads(cache.read_text())
    dataset = load_dataset(dataset_name)
    pipeline, answerer, settings = judged_pipeline(settings, dataset, out, choice=design)
    rows = []
    for q in dataset.questions:
        found = pipeline.find(q.question)
        cands = candidates(found, settings.choice_candidates)
        started = time.perf_counter()
        verdicts = (judge_list if design == "list" else judge_sentences)(answerer.llm, found.query, cands,
                                                                              settings.judge_order)
        seconds = time.perf_counter() - started
        gold = [a.lower() for a in q.answers]
        rows.append({"question": q.question, "answerable": q.answerable, "seconds": seconds,
                     "candidates": [{"judge": v or 0.0, "margin": ev.support - settings.min_support,
                                     "right": any(a in ev.quote.lower() for a in gold), "sentence": ev.quote}
                                    for ev, v in zip(cands, verdicts)]})
    out.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(rows, indent=1))
    return rows


def outcome(row: dict, weight: float, threshold: float, quoted: int = QUOTED) -> tuple[bool, bool]:
    """(refused, right) for one question under a fit: right when a quoted candidate (the chosen one and the
    runners-up that pass, as the answer quotes them) holds a gold answer, or when an unanswerable one is refused."""
    passed = sorted((c for c in row["candidates"] if c["judge"] + weight * c["margin"] >= threshold),
                    key=lambda c: -(c["judge"] + weight * c["margin"]))
    refused = not passed
    return refused, (refused if not row["answerable"] else any(c["right"] for c in passed[:quoted]))


def fit(every: dict[str, list[dict]], max_false: float) -> tuple[float, float, dict]:
    """The (weight, threshold) with the most questions right while every set's false refusals stay within
    max_false (ties: the threshold nearest 0)."""
    rows = [r for part in every.values() for r in part]
    best: tuple = (-1.0,)
    for w in WEIGHTS:
        scores = sorted({round(c["judge"] + w * c["margin"], 3) for r in rows for c in r["candidates"]})
        for low, high in zip([scores[0] - 1] + scores, scores + [scores[-1] + 1]):
            t = round((low + high) / 2, 3)
            if any(summary(part, w, t)["false_refusals"] > max_false for part in every.values()):
                continue
            stats = summary(rows, w, t)
            if (stats["right"], -abs(t)) > best[0:1] + best[1:2]:
                best = (stats["right"], -abs(t), w, t, stats)
    return best[2], best[3], best[4]


def separation(rows: list[dict]) -> tuple[float | None, float | None]:
    """(AUC of right against wrong candidates of answerable questions, AUC of the best candidate's judgement of
    answerable against unanswerable questions)."""
    answerable = [r for r in rows if r["answerable"] and r["candidates"]]
    right = [c["judge"] for r in answerable for c in r["candidates"] if c["right"]]
    wrong = [c["judge"] for r in answerable for c in r["candidates"] if not c["right"]]
    best = {flag: [max(c["judge"] for c in r["candidates"]) for r in rows
                   if r["answerable"] is flag and r["candidates"]] for flag in (True, False)}
    return auc(right, wrong), auc(best[True], best[False])


def summary(rows: list[dict], weight: float, threshold: float) -> dict:
    """Right share, answer accuracy, refusal recall and false refusals under a fit."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    outs = [(r, *outcome(r, weight, threshold)) for r in rows]
    return {"right": sum(ok for _, _, ok in outs) / len(rows),
            "accuracy": sum(ok for r, _, ok in outs if r["answerable"]) / max(len(answerable), 1),
            "refused": sum(ref for r, ref, _ in outs if not r["answerable"]) / max(len(unanswerable), 1),
            "false_refusals": sum(ref for r, ref, _ in outs if r["answerable"]) / max(len(answerable), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--designs", default="sentences,list")
    parser.add_argument("--orders", default="question", help="QA_JUDGE_ORDER values to measure")
    parser.add_argument("--datasets", default="seeds,realnews")
    parser.add_argument("--max-false-refusals", type=float, default=0.05)
    parser.add_argument("--out", type=Path, default=Path("eval-out") / "choice")
    args = parser.parse_args()
    for design, order in ((d, o) for d in args.designs.split(",") for o in args.orders.split(",")):
        settings = Settings(judge_order=order)
        every = {name: judged_rows(settings, name, design, args.out) for name in args.datasets.split(",")}
        rows = [r for part in every.values() for r in part]
        w, t, _ = fit(every, args.max_false_refusals)
        seconds = sorted(r["seconds"] for r in rows)
        print(f"## {design}, {order} first: choice_weight = {w}, choice_threshold = {t}; "
              f"judging p50 {seconds[len(seconds) // 2]:.2f} s")
        for name, part in every.items():
            s = summary(part, w, t)
            candidates_auc, questions_auc = separation(part)
            print(f"  {name}: AUC right/wrong candidates {_three(candidates_auc)}, answerable/unanswerable "
                  f"{_three(questions_auc)}")
            print(f"  {name}: accuracy {s['accuracy']:.3f}, refused {s['refused']:.3f}, "
                  f"false refusals {s['false_refusals']:.3f}; evidence alone top-1 right "
                  f"{sum(1 for r in part if r['answerable'] and r['candidates'] and r['candidates'][0]['right'])}"
                  f"/{sum(1 for r in part if r['answerable'])}, any candidate right "
                  f"{sum(1 for r in part if r['answerable'] and any(c['right'] for c in r['candidates']))}")


def _three(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    main()
