"""`qa bench`: how fast newsqa ingests and answers, how that grows with the corpus, and against peers.

Everything runs the way a user runs it: `qa ingest` and cold `qa ask` as fresh processes (wall time,
peak RSS from wait4), warm questions through NewsQA.ask (the `qa.ask()` path) with its per-stage
timings. The corpus is repeated with distinct article ids to 4x and 16x. At 1x the same texts also
go through a plain sentence-transformers process and the stock llama-index VectorStoreIndex.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from evals.metrics import percentiles
from qa.errors import InputError
from qa.settings import Settings

STAGES = ("open", "embed", "dense", "bm25", "fusion", "evidence", "answer")


# Peak RSS is read by a small middleman: a child forked from this (large) process inherits its high-water
# mark through fork and exec, so wait4 on it would report this process's size, not the child's.
# It also times the child, so its own start-up is not counted.
_MIDDLEMAN = ("import os, subprocess, sys, time\n"
              "started = time.perf_counter()\n"
              "child = subprocess.Popen(sys.argv[2:])\n"
              "_, status, usage = os.wait4(child.pid, 0)\n"
              "open(sys.argv[1], 'w').write(f'{usage.ru_maxrss} {time.perf_counter() - started}')\n"
              "sys.exit(os.waitstatus_to_exitcode(status))\n")


def run_process(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command to the end: (wall seconds, its own peak RSS in MiB, stdout).

    Raises:
        InputError: the command failed (its last stderr line is the message).
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.NamedTemporaryFile("r") as peak:
        proc = subprocess.run([sys.executable, "-c", _MIDDLEMAN, peak.name, *cmd], env=env, stdout=out, stderr=err,
                              text=True)
        out.seek(0)
        err.seek(0)
        printed, problems = out.read(), err.read().strip()
        rss_kib, wall = (float(v) for v in (peak.read().split() or ["0", "0"]))
    if proc.returncode != 0:
        last = problems.splitlines()[-1] if problems else f"exit {proc.returncode}"
        raise InputError(f"{' '.join(Path(c).name for c in cmd[:3])} failed: {last}")
    return wall, rss_kib / 1024, printed


def process_env(settings: Settings, **overrides: Any) -> dict[str, str]:
    """The environment that gives a child process these settings (every knob as QA_*)."""
    env = dict(os.environ)
    data = settings.model_dump(mode="json")
    data["llm_api_key"] = settings.llm_api_key.get_secret_value()
    data["ui_password"] = settings.ui_password.get_secret_value()
    data["api_token"] = settings.api_token.get_secret_value()
    data.update(overrides)
    for key, value in data.items():
        if value is not None:
            env[f"QA_{key.upper()}"] = str(value)
    return env


def qa_command() -> list[str]:
    script = Path(sys.executable).with_name("qa")
    return [str(script)] if script.exists() else [sys.executable, "-m", "qa.cli"]


class BenchCorpus(NamedTuple):
    """What a benchmark ingests and asks."""

    name: str
    texts: dict[str, str]      # article id -> title and body
    questions: list[str]
    as_of: list[str]           # the day each question was asked ("" when the set does not say)
    folder: Path | None        # the articles as a folder `qa ingest` reads with their dates and outlets, if any


def corpus_and_questions(args: argparse.Namespace) -> BenchCorpus:
    """The corpus and questions of --corpus DIR (each headline asked) or --dataset NAME."""
    from evals.datasets import load_dataset
    from index.loader import load_articles

    if args.corpus:
        folder = Path(args.corpus)
        if not folder.exists():
            raise InputError(f"No such file or folder: {folder}")
        articles, _ = load_articles(folder)
        if not articles:
            raise InputError(f"No readable articles in {folder}")
        titles = [a.title for a in articles]
        return BenchCorpus(folder.name, _texts(articles), titles, [""] * len(titles), folder)
    dataset = load_dataset(args.dataset, getattr(args, "benchmarks", None))
    folder = None
    if dataset.documents is None:
        articles, _ = load_articles(dataset.corpus_dir)
        texts, folder = _texts(articles), dataset.corpus_dir
    else:
        texts = dict(dataset.documents)
    return BenchCorpus(dataset.name, texts, [q.question for q in dataset.questions],
                       [q.as_of for q in dataset.questions], folder)


def _texts(articles: list[Any]) -> dict[str, str]:
    """Article id -> its title and body, as the bench writes and embeds them."""
    return {a.article_id: f"{a.title}\n\n{a.body}" for a in articles}


def write_scaled(texts: dict[str, str], scale: int, folder: Path) -> None:
    """The corpus repeated scale times, each copy under its own article ids."""
    folder.mkdir(parents=True, exist_ok=True)
    for copy in range(scale):
        for did, text in texts.items():
            (folder / (f"{did}.txt" if copy == 0 else f"{did}-copy{copy}.txt")).write_text(text, encoding="utf-8")


def warm_latency(pipeline: Any, questions: list[str], as_of: list[str] | None = None) -> dict[str, Any]:
    """Ask every question through NewsQA.ask after a warm-up (as of its day, when as_of gives one); total and
    per-stage percentiles (ms)."""
    days = as_of or [""] * len(questions)
    for q in questions[:3]:
        pipeline.ask(q)
    totals, stages = [], {s: [] for s in STAGES}
    for q, day in zip(questions, days):
        started = time.perf_counter()
        answer = pipeline.ask(q, as_of=day or None)
        totals.append((time.perf_counter() - started) * 1000)
        for stage in STAGES:
            stages[stage].append(answer.timings.get(stage, 0.0))
    return {"questions": len(questions), **{k: round(v, 1) for k, v in percentiles(totals).items()},
            # both to 2 decimals from the same values (a p95 rounded coarser than its p50 could read below it)
            "stages_p50_ms": {s: round(float(np.percentile(v, 50)), 2) for s, v in stages.items()},
            "stages_p95_ms": {s: round(float(np.percentile(v, 95)), 2) for s, v in stages.items()}}


def throughput(pipeline: Any, questions: list[str], threads: list[int]) -> dict[str, float]:
    """Questions per second through one shared NewsQA with n threads asking at once."""
    result = {}
    for n in threads:
        started = time.perf_counter()
        with ThreadPoolExecutor(n) as pool:
            list(pool.map(pipeline.ask, questions))
        result[str(n)] = round(len(questions) / (time.perf_counter() - started), 1)
    return result


def model_latency(pipeline: Any, extractive: Any, questions: list[str]) -> dict[str, Any]:
    """With a model (the judged default, or the answerer asked for): time to the first streamed text and to the
    whole answer per question, beside the extractive answerer on the same questions (s)."""
    def timed(p: Any) -> tuple[list[float], list[float]]:
        first, whole = [], []
        for q in questions:
            started = time.perf_counter()
            seen = None
            for _ in p.stream(q):
                seen = seen or time.perf_counter() - started
            first.append(seen or 0.0)
            whole.append(time.perf_counter() - started)
        return first, whole

    list(pipeline.stream(questions[0]))  # the model loads once, before the timing
    first, whole = timed(pipeline)
    _, quoted = timed(extractive)
    return {"model": pipeline.model, "questions": len(questions),
            "first_text_p50_s": round(statistics.median(first), 2),
            "whole_p50_s": round(statistics.median(whole), 2),
            "whole_p95_s": round(float(np.percentile(whole, 95)), 2), "whole_max_s": round(max(whole), 2),
            "extractive_whole_p50_s": round(statistics.median(quoted), 3),
            "extractive_whole_p95_s": round(float(np.percentile(quoted, 95)), 3)}


def run_bench(settings: Settings, args: argparse.Namespace) -> int:
    """Measure, print a table (or --json), write bench.json and bench.png into --out."""
    from evals.bench_report import print_table, write_chart
    from index.embedder import load_embedder
    from qa.answerers.factory import answerer_name
    from qa.pipeline import NewsQA

    scales = sorted({int(s) for s in str(args.scale).split(",") if s.strip()})
    if not scales or min(scales) < 1:
        raise InputError(f"--scale wants positive whole numbers like 1,4,16, got {args.scale!r}")
    threads = [int(t) for t in str(args.threads).split(",") if t.strip()]
    from evals.report import writable_folder

    out = writable_folder(args.out)
    name, texts, questions, _, _ = corpus_and_questions(args)
    questions = questions[:args.questions]
    # the ONNX model is exported once (per user, into QA_CACHE_DIR), never inside the timed ingest
    load_embedder(settings.embed_backend, settings.embed_model or None, settings.embed_batch, settings.models_dir)
    report: dict[str, Any] = {"corpus": name, "articles": len(texts), "embed_backend": settings.embed_backend,
                              "chroma": settings.chroma_url or "embedded", "cpus": len(os.sched_getaffinity(0)),
                              "scales": []}
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as scratch:
        for scale in scales:
            folder, data = Path(scratch) / f"corpus-x{scale}", Path(scratch) / f"data-x{scale}"
            write_scaled(texts, scale, folder)
            data.mkdir()
            scoped = settings.model_copy(update={"data_dir": data, "collection": f"bench-x{scale}"})
            env = process_env(scoped)
            print(f"bench: x{scale}: ingesting {len(texts) * scale} articles…", file=sys.stderr, flush=True)
            wall, rss, printed = run_process([*qa_command(), "ingest", str(folder), "--json", "--quiet"], env)
            ingest = json.loads(printed)
            chunks = ingest["chunks_total"]
            figures = {**ingest_figures(wall, rss, chunks), "chunks_per_s": round(chunks / wall, 1)}
            row: dict[str, Any] = {"scale": scale, "articles": ingest["articles"], "chunks": chunks, "ingest": figures}
            if args.first_run:
                row["first_run_ingest"] = first_run_ingest(folder, Path(scratch) / f"first-x{scale}", scoped, chunks)
            colds = [run_process([*qa_command(), "ask", q, "--json"], env) for q in questions[:args.cold]]
            row["cold_ask"] = {"runs": len(colds), "median_s": round(statistics.median(c[0] for c in colds), 2),
                               "peak_rss_mib": round(max(c[1] for c in colds))}
            # the instant path, model-free: warm latency and throughput of retrieval, evidence and quoting
            pipeline = NewsQA(scoped.model_copy(update={"answerer": "extractive"}))
            row["warm"] = warm_latency(pipeline, questions)
            if scale == scales[0]:
                if threads:
                    row["throughput_qps"] = throughput(pipeline, questions, threads)
                if args.peers:
                    row["peers"] = peers(pipeline, folder, Path(scratch), env, wall)
                if answerer_name(settings) != "extractive" and args.llm_questions:
                    # the default path with a model, beside the extractive one on the same questions
                    row["model"] = model_latency(NewsQA(scoped), pipeline, questions[:args.llm_questions])
            if settings.chroma_url:
                pipeline.store().drop()
            report["scales"].append(row)
    (out / "bench.json").write_text(json.dumps(report, indent=2))
    chart = write_chart(report, out / "bench.png")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
        print(f"\nwrote {out / 'bench.json'}" + (f" and {chart}" if chart else ""))
    return 0


def first_run_ingest(folder: Path, scratch: Path, settings: Settings, chunks: int) -> dict[str, Any]:
    """`qa ingest` as a user who skipped `qa prepare` meets it: an empty model cache, so the embedding
    model is exported inside the run (torch imported), into a fresh data dir."""
    scoped = settings.model_copy(update={"data_dir": scratch / "data", "cache_dir": scratch / "cache"})
    wall, rss, _ = run_process([*qa_command(), "ingest", str(folder), "--json", "--quiet"], process_env(scoped))
    return ingest_figures(wall, rss, chunks)


def ingest_figures(wall: float, rss: float, chunks: int) -> dict[str, float]:
    """What a bench row reports of one `qa ingest` run: wall seconds, ms per chunk, peak RSS (MiB)."""
    return {"wall_s": round(wall, 2), "ms_per_chunk": round(1000 * wall / chunks, 2), "peak_rss_mib": round(rss)}


def peers(pipeline: Any, folder: Path, scratch: Path, env: dict[str, str], ours: float) -> dict[str, Any]:
    """The same texts through the two peers, each a fresh process; ratios to our ingest wall time."""
    chunks = scratch / "chunks.json"
    store = pipeline.store()
    chunks.write_text(json.dumps([f"{m.get('title', '')}\n{t}" for _, t, m in store.records()]))
    print("bench: peers: sentence-transformers, stock llama-index…", file=sys.stderr, flush=True)
    st_wall, st_rss, st_out = run_process([sys.executable, "-m", "evals.peers", "st", str(chunks)], env)
    li_wall, li_rss, li_out = run_process([sys.executable, "-m", "evals.peers", "llamaindex", str(folder),
                                           str(scratch / "stock")], env)
    return {"sentence_transformers": {"wall_s": round(st_wall, 2), "peak_rss_mib": round(st_rss),
                                      **json.loads(st_out)},
            "llama_index": {"wall_s": round(li_wall, 2), "peak_rss_mib": round(li_rss), **json.loads(li_out)},
            "ours_vs_sentence_transformers": round(ours / st_wall, 2), "ours_vs_llama_index": round(ours / li_wall, 2)}
