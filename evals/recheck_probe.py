"""Would asking a doubted answer once more help? The QA_RECHECK_BELOW / QA_RECHECK_THRESHOLD cuts, measured.

Run: python -m evals.recheck_probe [--datasets seeds,realnews,squad2] [--out DIR]

Each question is answered as `qa ask` answers it with the recheck off; for every fact answer the second yes/no
(the best RECHECK_CANDIDATES candidates together, RECHECK_WORDS words each) is asked beside it. Every cut is then
applied to the same answers and printed per set: unanswerable refused, false refusals, accuracy, right answers
lost. Kept in OUT/recheck-DATASET.json. Fit on seeds and realnews; squad2 (--sample 100, seed 0) is held out.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from evals.calibrate import judged_pipeline
from evals.datasets import load_dataset
from evals.runner import balanced_sample
from evals.scoring import judge
from qa.settings import Settings

CUTS = [(below, threshold) for below in (-0.4, -0.2, 0.0, 1.0) for threshold in (-0.4, -0.3, -0.2, -0.1)]


def rows_for(name: str, out: Path) -> list[dict]:
    """One row per question: answerable, refused, right, the chosen candidate's judgement, the second yes/no."""
    import qa.answerers.judged as judged_module
    from qa.answerers.choice import trimmed
    from qa.answerers.judged import RECHECK_CANDIDATES, RECHECK_WORDS

    cache = out / f"recheck-{name}.json"
    if cache.is_file():
        return json.loads(cache.read_text())
    dataset = load_dataset(name)
    if name == "squad2":
        dataset = balanced_sample(dataset, 100, 0)
    pipeline, answerer, _ = judged_pipeline(Settings(), dataset, out, recheck_below=-1.0)
    last: dict[str, list] = {}
    choose = judged_module.choose

    def kept(*args, **kwargs):   # the candidates the answer was chosen from
        last["judged"] = choose(*args, **kwargs)
        return last["judged"]

    judged_module.choose = kept
    rows = []
    try:
        for i, q in enumerate(dataset.questions):
            print(f"{name} {i + 1}/{len(dataset.questions)}", flush=True)
            last.clear()
            answer = pipeline.ask(q.question)
            judged = last.get("judged") or []
            found = pipeline.find(q.question) if judged and not answer.refused and answer.kind == "fact" else None
            again = answerer.writer.judgement(found.query, [trimmed(j.evidence.quote, RECHECK_WORDS)
                                                            for j in judged[:RECHECK_CANDIDATES]]) if found else None
            right = judge(q, answer.text, answer.refused, (), (), 0.0).correct   # as qa eval scores it
            rows.append({"question": q.question, "answerable": q.answerable, "refused": answer.refused,
                         "right": bool(right), "judge": judged[0].judge if judged else None, "again": again})
    finally:
        judged_module.choose = choose
    cache.write_text(json.dumps(rows, indent=1))
    return rows


def outcome(rows: list[dict], below: float, threshold: float) -> dict[str, float]:
    """The set's scores had answers whose chosen sentence was judged under below been refused under threshold."""
    def refused(r: dict) -> bool:
        return r["refused"] or (r["again"] is not None and r["judge"] is not None and r["judge"] < below
                                and r["again"] < threshold)

    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    return {"refused": round(sum(map(refused, unanswerable)) / max(1, len(unanswerable)), 3),
            "false": round(sum(map(refused, answerable)) / max(1, len(answerable)), 3),
            "accuracy": round(sum(r["right"] and not refused(r) for r in answerable) / max(1, len(answerable)), 3),
            "lost": sum(r["right"] and refused(r) and not r["refused"] for r in answerable)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="seeds,realnews,squad2")
    parser.add_argument("--out", type=Path, default=Path("recheck-probe"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    sets = {name: rows_for(name, args.out) for name in args.datasets.split(",") if name}
    print("never: " + " | ".join(f"{n} {outcome(rows, -9.0, 0.0)}" for n, rows in sets.items()))
    for below, threshold in CUTS:
        print(f"below {below:+.1f}, refused under {threshold:+.1f}: "
              + " | ".join(f"{n} {outcome(rows, below, threshold)}" for n, rows in sets.items()))


if __name__ == "__main__":
    main()
