"""`qa bench`: time model load, ingest and questions on a scratch index; print the numbers."""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from evals.datasets import load_seeds
from evals.metrics import percentiles
from qa.errors import InputError
from qa.settings import Settings


def run_bench(settings: Settings, args: argparse.Namespace) -> int:
    """Measure and print: embedder load, ingest throughput, assistant build, per-question latency, peak RSS."""
    from index.embedder import Embedder
    from qa.pipeline import NewsQA

    folder = Path(args.folder)
    if not folder.exists():
        raise InputError(f"No such file or folder: {folder}")
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as scratch:
        scoped = settings.model_copy(update={"data_dir": Path(scratch), "collection": "bench"})
        t = time.perf_counter()
        embedder = Embedder(scoped.embed_model or None, scoped.embed_batch)
        rows.append(("embedding model load (incl. imports)", f"{time.perf_counter() - t:.2f} s"))
        pipeline = NewsQA(scoped, embedder=embedder)
        t = time.perf_counter()
        report = pipeline.ingest(folder)
        took = time.perf_counter() - t
        rows.append(("ingest", f"{report.articles} articles, {report.chunks_written} chunks in {took:.2f} s "
                               f"({report.chunks_written / max(took, 1e-9):.0f} chunks/s)"))
        questions = [q.question for q in load_seeds().questions]
        t = time.perf_counter()
        pipeline.ask(questions[0])
        rows.append(("first question (builds BM25, term weights)", f"{(time.perf_counter() - t) * 1000:.0f} ms"))
        latencies = []
        for i in range(args.repeat):
            t = time.perf_counter()
            pipeline.ask(questions[i % len(questions)])
            latencies.append((time.perf_counter() - t) * 1000)
        p = percentiles(latencies)
        rows.append((f"question latency ({args.repeat} asks, {pipeline.model})",
                     f"p50 {p['p50']:.0f} ms, p95 {p['p95']:.0f} ms, mean {p['mean']:.0f} ms"))
    rows.append(("peak RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0
