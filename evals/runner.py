"""`qa eval`: ingest a dataset's corpus, ask every question, score, write the report."""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

from evals.corpus import ingest_dataset
from evals.datasets import Dataset, load_dataset
from evals.scoring import Result, aggregate, gold_age, judge, refusal_curve
from qa.errors import InputError
from qa.settings import Settings


def run_ours(pipeline, dataset: Dataset, filters=None, dated: bool = True) -> list[Result]:
    """Ask every question through the pipeline as the chat and `qa ask` on a terminal do (streamed: the time to
    the first text counts too) and judge the answers; dated: each as of the day the set says it was asked.
    filters: a Filter, or a callable giving each question's Filter from the day it is asked (time words such as
    "last week" are read as of that day)."""
    from qa.models import Answer

    results = []
    asked = any(q.as_of and q.sources for q in dataset.questions)
    published = {row["id"]: row["published"] for row in pipeline.articles()} if asked else {}
    for q in dataset.questions:
        started = time.perf_counter()
        first = answer = None
        as_of = (q.as_of or None) if dated else None
        kept = filters(as_of) if callable(filters) else filters
        for piece in pipeline.stream(q.question, filters=kept, as_of=as_of):
            if first is None:
                first = (time.perf_counter() - started) * 1000
            if isinstance(piece, Answer):
                answer = piece
        elapsed = (time.perf_counter() - started) * 1000
        assert answer is not None
        ex = answer.explanation
        result = judge(q, answer.text, answer.refused, [p.source for p in answer.passages],
                       [c.source for c in answer.citations], elapsed,
                       ex.best_score if ex else None, ex.judge if ex else None, first,
                       [f"{p.title}\n{p.text}" for p in answer.passages])
        result = replace(result, kind=answer.kind, gold_age=gold_age(q, published))
        results.append(replace(result, notes=ex.notes) if ex else result)
    return results


def evaluate(settings: Settings, dataset: Dataset, out: Path, *, compare: bool = False, filters=None,
             dated: bool = True) -> dict:
    """Run the whole evaluation and write report.json, report.md and charts into out.

    Returns:
        The report as a dict.
    """
    from evals.report import write_report

    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    pipeline, folder, ingest_line = ingest_dataset(settings, dataset, out)
    ingest_s = time.perf_counter() - started
    ours = run_ours(pipeline, dataset, filters, dated)
    report = {
        "dataset": dataset.name,
        "as_of": "each question's as_of/asked_on" if dated and any(q.as_of for q in dataset.questions) else "today",
        "settings": {k: v for k, v in pipeline.settings.masked().items() if k not in ("host", "port")},
        "ingest": {"summary": ingest_line, "seconds": round(ingest_s, 1)},
        "pipelines": {"newsqa": {"description": f"newsqa hybrid retrieval + {pipeline.model} answerer",
                                 "metrics": aggregate(ours)}},
        "questions": [asdict(r) for r in ours],
        "refusal_curve": refusal_curve(ours, pipeline.settings.judge_support_weight, pipeline.settings.min_support),
    }
    if compare:
        from evals.stock import run_stock

        llm = getattr(pipeline.answerer, "llm", None)
        stock, how = run_stock(pipeline.settings, dataset, folder, pipeline.settings.collection, llm)
        report["pipelines"]["stock"] = {"description": how, "metrics": aggregate(stock)}
        report["stock_questions"] = [asdict(r) for r in stock]
    write_report(report, out)
    return report


def balanced_sample(dataset: Dataset, n: int, seed: int = 0) -> Dataset:
    """A fixed sample of n questions, half answerable and half not where the set has both (same seed, same
    questions), kept in the set's order."""
    import random

    if n < 1:
        raise InputError(f"--sample must be at least 1, got {n}")
    rng = random.Random(seed)
    answerable = [i for i, q in enumerate(dataset.questions) if q.answerable]
    unanswerable = [i for i, q in enumerate(dataset.questions) if not q.answerable]
    if not unanswerable or not answerable:
        picked = set(rng.sample(range(len(dataset.questions)), min(n, len(dataset.questions))))
    else:
        half = min(n // 2, len(unanswerable))
        picked = set(rng.sample(answerable, min(n - half, len(answerable)))) | set(rng.sample(unanswerable, half))
    questions = tuple(q for i, q in enumerate(dataset.questions) if i in picked)
    return replace(dataset, questions=questions)


def run_cli(settings: Settings, args: argparse.Namespace) -> int:
    """Entry of `qa eval`: prints the scores table and where the report went."""
    from evals.report import format_gold_ages, format_kinds, format_table

    dataset = load_dataset(args.dataset, args.benchmarks, args.corpus)
    if args.sample:
        dataset = balanced_sample(dataset, args.sample, args.seed)
    if args.limit is not None and args.limit < 1:
        raise InputError(f"--limit must be at least 1, got {args.limit}")
    if args.limit:
        dataset = replace(dataset, questions=dataset.questions[: args.limit])
    from evals.report import writable_folder

    out = writable_folder(args.out) / ((f"{dataset.name}-sample{args.sample}-seed{args.seed}" if args.sample
                                         else dataset.name) + ("-undated" if args.undated else ""))
    from qa.filters import make_filter

    def filters(as_of: str | None = None):
        """--since/--until/--outlet as of the day a question is asked."""
        return make_filter(args.since, args.until, args.outlet, flags="--", as_of=as_of)

    filters()   # a bad bound is a one-line error before anything is ingested
    report = evaluate(settings, dataset, out, compare=args.compare, filters=filters, dated=not args.undated)
    print(report["ingest"]["summary"])
    print(format_table(report))
    kinds = format_kinds(report)
    if len(kinds) > 5:   # more than one kind of question: a row each
        print("\n".join(kinds[2:]))
    ages = format_gold_ages(report)
    if ages:
        print("\n".join(ages[2:]))
    print(f"Report: {out / 'report.md'} (also report.json, metrics.png, latency.png)")
    metrics = report["pipelines"]["newsqa"]["metrics"]
    failed = [f"{name} {metrics.get(key) or 0.0:.3f} < {floor}"
              for name, key, floor in (("answer accuracy", "answer_accuracy", args.min_accuracy),
                                       ("hit@5", "hit_at_5", args.min_hit_at_5)) if floor is not None
              and (metrics.get(key) or 0.0) < floor]
    if failed:
        print(f"qa: eval below the bar: {'; '.join(failed)}", file=sys.stderr)
        return 1
    return 0
