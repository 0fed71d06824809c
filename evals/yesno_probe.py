"""`python -m evals.yesno_probe [OUT.json]`: does reading a yes/no question against its negation settle more
questions rightly?

The model leans to "yes" when a quote is about the question at all. Each yes/no dev question (`yesno`,
`yesno-realnews`) is answered by the default; the quote it chose is then read twice more, under the question the
model rewrites with "not" ("Was she not surprised …?"), alone and read on into the next sentence. The contrast,
(P(yes | question) - P(yes | negation)) / 2 in P(yes) - P(no) terms, should cancel the lean shared by both readings.
Prints how many answerable questions each reading leads rightly, wrongly or not at all (YES_NO_MARGIN either way),
and how many open questions it settles. Needs the model; ingests the two sets' corpora into a scratch folder.
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from qa.answerers.judged import YES_NO_MARGIN, yes_no_texts
from qa.prompts import YES_NO_SYSTEM, build_yes_no_prompt

NEGATE_SYSTEM = ("Rewrite the question so that it asks the opposite, by adding the word \"not\" where it belongs. "
                 "Keep every other word. Reply with the rewritten question only.")
READINGS = {   # how each variant turns (question readings, negation readings) into one P(yes) - P(no)
    "the question (today: the lower of alone and read on)": lambda q, n: min(q),
    "contrast, the quote alone": lambda q, n: (q[0] - n[0]) / 2,
    "contrast, the lower of alone and read on": lambda q, n: min((a - b) / 2 for a, b in zip(q, n)),
    "today's reading, kept only when the lower contrast leads the same way": lambda q, n: agreed(
        min(q), min((a - b) / 2 for a, b in zip(q, n))),
}


def lead(value: float) -> str:
    """The word a reading leads with: Yes, No, or "" within YES_NO_MARGIN of 0."""
    return "" if abs(value) < YES_NO_MARGIN else "Yes" if value > 0 else "No"


def agreed(reading: float, contrast: float) -> float:
    """reading when the contrast leads with the same word, else 0 (no lead)."""
    return reading if lead(reading) == lead(contrast) else 0.0


def readings(llm, question: str, texts: list[str]) -> tuple[str, list[float], list[float]]:
    """The model's negation of the question, and both questions' readings of each text."""
    negation = "".join(llm.stream(NEGATE_SYSTEM, question, max_tokens=48)).strip().splitlines()[0].strip()
    asked = llm.judge_many(YES_NO_SYSTEM, [build_yes_no_prompt(question, t) for t in texts])
    negated = llm.judge_many(YES_NO_SYSTEM, [build_yes_no_prompt(negation, t) for t in texts])
    return negation, asked, negated


def quoted_first(answer, found):
    """The evidence the answer quotes first (its first citation's quote begins with it), None for a refusal."""
    if answer.refused or not answer.citations:
        return None
    cited = answer.citations[0]
    return max((e for e in found.evidence if found.passages[e.passage].source == cited.source
                and cited.quote.startswith(e.quote)), key=lambda e: len(e.quote), default=None)


def probe(scratch: Path) -> list[dict]:
    """One row per yes/no dev question: gold, whether the default refused, and the readings of its chosen quote."""
    from evals.calibrate import judged_pipeline
    from evals.datasets import load_dataset
    from qa.settings import Settings

    rows = []
    for name in ("yesno", "yesno-realnews"):
        dataset = load_dataset(name)
        pipeline, answerer, _ = judged_pipeline(Settings(), dataset, scratch)
        for q in dataset.questions:
            found = pipeline.find(q.question)
            answer = answerer.answer(found.query, found)
            row = {"set": name, "question": q.question, "gold": (q.answers or [""])[0], "answerable": q.answerable,
                   "refused": answer.refused}
            ev = quoted_first(answer, found)
            if ev is not None:
                row["negation"], row["asked"], row["negated"] = readings(answerer.llm, q.question,
                                                                         yes_no_texts(found, ev))
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def summary(rows: list[dict]) -> list[str]:
    """For each reading: answerable led rightly / wrongly / unsettled / refused, open questions settled."""
    lines = []
    for label, read in READINGS.items():
        right = wrong = unsettled = refused = settled = open_read = 0
        for r in rows:
            if "asked" not in r:
                refused += r["answerable"]
                continue
            said = lead(read(r["asked"], r["negated"]))
            if not r["answerable"]:
                open_read += 1
                settled += bool(said)
            elif said == r["gold"]:
                right += 1
            elif said:
                wrong += 1
            else:
                unsettled += 1
        lines.append(f"{label}: answerable right {right}, wrong {wrong}, unsettled {unsettled}, refused {refused}; "
                     f"open questions settled {settled} of the {open_read} not refused")
    return lines


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory() as scratch:
        rows = probe(Path(scratch))
    if out is not None:
        out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print("\n".join(summary(rows)))


if __name__ == "__main__":
    main()
