"""`qa bench`: time model load, ingest and questions on a scratch index; print the numbers."""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from evals.datasets import load_seeds
from evals.metrics import percentiles
from qa.settings import Settings


def run_bench(settings: Settings, args: argparse.Namespace) -> int:
    """Measure and print: embedder load, ingest throughput, assistant build, per-question latency, peak RSS."""
    from index.chunker import Chunker
    from index.embedder import Embedder
    from index.ingest import ingest_folder
    from index.loader import load_articles
    from index.store import ChunkStore
    from qa.engine import build_assistant

    load_articles(Path(args.folder))
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as scratch:
        scoped = settings.model_copy(update={"data_dir": Path(scratch), "collection": "bench"})
        t = time.perf_counter()
        embedder = Embedder(scoped.embed_model or None, scoped.embed_batch)
        rows.append(("embedding model load (incl. imports)", f"{time.perf_counter() - t:.2f} s"))
        store = ChunkStore(scoped.data_dir, scoped.collection, create=True)
        t = time.perf_counter()
        report = ingest_folder(Path(args.folder), store, embedder, Chunker(scoped.chunk_words, scoped.overlap_words),
                               progress=False)
        took = time.perf_counter() - t
        rows.append(("ingest", f"{report.articles} articles, {report.chunks_written} chunks in {took:.2f} s "
                               f"({report.chunks_written / max(took, 1e-9):.0f} chunks/s)"))
        t = time.perf_counter()
        assistant = build_assistant(scoped, embedder=embedder)
        rows.append(("assistant build (BM25 index, term weights)", f"{time.perf_counter() - t:.2f} s"))
        questions = [q.question for q in load_seeds().questions]
        t = time.perf_counter()
        assistant.ask(questions[0])
        rows.append(("first question", f"{(time.perf_counter() - t) * 1000:.0f} ms"))
        latencies = []
        for i in range(args.repeat):
            t = time.perf_counter()
            assistant.ask(questions[i % len(questions)])
            latencies.append((time.perf_counter() - t) * 1000)
        p = percentiles(latencies)
        rows.append((f"question latency ({args.repeat} asks, {assistant.model})",
                     f"p50 {p['p50']:.0f} ms, p95 {p['p95']:.0f} ms, mean {p['mean']:.0f} ms"))
    rows.append(("peak RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0
