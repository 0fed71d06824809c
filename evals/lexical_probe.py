"""`python -m evals.lexical_probe [N]`: Tantivy as newsqa's lexical index uses it, over N chunks of newsdump text
(the archive's chunks repeated, one word dropped per copy): build time, a question's latency with and without a
date range, the cost of committing 100 added and 100 deleted chunks, disk and memory. What chose the engine."""
from __future__ import annotations

import json
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from evals.datasets import DEFAULT_BENCHMARKS

QUESTIONS = ["Which wildly popular show was recently green lit for a new season?",
             "Who won the election in Taiwan this week?",
             "What did the president say about the border crisis and immigration?",
             "How many people died in the earthquake in Turkey?"]


def base_chunks() -> list[str]:
    """newsdump's articles cut into ~170-word chunks."""
    chunks = []
    for path in sorted((DEFAULT_BENCHMARKS / "newsdump" / "corpus").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            words = json.loads(line)["text"].split()
            chunks += [" ".join(words[i:i + 170]) for i in range(0, len(words), 150)]
    return chunks


def main(n: int) -> None:
    from index.lexical import LexicalIndex
    from qa.terms import TermWeights

    base, rng = base_chunks(), random.Random(0)

    def records(count: int, prefix: str = "c"):
        for i in range(count):
            text = base[i % len(base)]
            if i >= len(base):
                words = text.split()
                words.pop(rng.randrange(len(words)))
                text = " ".join(words)
            yield f"{prefix}{i}", text, {"source": f"{prefix}{i // 12}", "title": "", "ts": 1_600_000_000 + i}

    folder = Path(tempfile.mkdtemp(prefix="qa-lexical-"))
    try:
        index = LexicalIndex(folder / "index", TermWeights().terms)
        started = time.perf_counter()
        index.rebuild(records(n), "g1")
        print(f"{n} chunks: built in {time.perf_counter() - started:.1f} s")
        snap = index.snapshot()
        for window in (None, (1_600_000_000, 1_600_000_000 + n // 10)):
            took = []
            for _ in range(5):
                for q in QUESTIONS:
                    started = time.perf_counter()
                    snap.search(q, 20, *(window or (None, None)))
                    took.append(time.perf_counter() - started)
            took.sort()
            print(f"question {'with a date range' if window else 'plain'}: p50 {took[len(took) // 2] * 1000:.1f} ms")
        started = time.perf_counter()
        index.apply([], records(100, "new"), "g2")
        print(f"100 chunks added in one commit: {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        index.apply([f"new{i}" for i in range(9)], [], "g3")
        print(f"their articles deleted in one commit: {time.perf_counter() - started:.2f} s")
        disk = sum(f.stat().st_size for f in (folder / "index").rglob("*") if f.is_file()) / 1e6
        print(f"disk {disk:.0f} MB, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
