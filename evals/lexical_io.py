"""`python -m evals.lexical_io DATA_DIR [--chunks N] [--memory 1G]`: what a question reads from disk at scale.

Builds, in a scratch folder, a lexical index of N chunks from the one DATA_DIR holds (its chunks repeated under new
ids, their BM25 words and content terms computed once, each document as index.lexical writes it), then, in a fresh
process for each way of reading it, drops the page cache (root only) and asks 60 newsdump questions three times:
BM25's 20 hits, then the 10 kept passages' records, as a warm ask does. With --memory the process runs in a memory
cgroup of that size, its page cache charged to it (a 1M archive's 48 GB of index files on 24 GiB of RAM, in small).
Ways: `shipped` (the snapshot as newsqa opens it, its stored documents advised as read at random) and `before`
(no read-ahead advice: the reading before the forty-first session).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from evals.datasets import DEFAULT_BENCHMARKS
from evals.metrics import percentiles

CGROUP = Path("/sys/fs/cgroup/memory/qa-lexical-io")   # cgroup v1's memory controller


def build(source: Path, target: Path, chunks: int) -> None:
    """A lexical index of chunks documents in target: source's chunks repeated under new ids."""
    import tantivy

    from index.lexical import FORMAT, MARKER, _schema, bm25_text, document, term_text
    from index.lexical_snapshot import tokens
    from qa.terms import TermWeights

    searcher = tantivy.Index.open(str(source)).searcher()
    base = []
    for _, address in searcher.search(tantivy.Query.all_query(), max(int(searcher.num_docs), 1)).hits:
        doc = searcher.doc(address)
        if doc.get_first("id") != MARKER:
            record = json.loads(bytes(doc.get_first("record")))
            base.append((str(doc.get_first("id")), record["t"], record["m"], record["v"]))
    texts = [bm25_text(str(m.get("title", "")), t) for _, t, m, _ in base]
    bodies = [" ".join(words) for words in tokens(texts, stopwords=True)]
    terms = [" ".join(set(TermWeights().terms(term_text(str(m.get("title", "")), t)))) for _, t, m, _ in base]
    target.mkdir(parents=True, exist_ok=True)
    writer = tantivy.Index(_schema(), path=str(target), reuse=False).writer(heap_size=64_000_000, num_threads=1)
    for n in range(chunks):
        copy, at = divmod(n, len(base))
        chunk_id, text, meta, packed = base[at]
        meta = {**meta, "source": f"{meta.get('source', '')}~{copy}"} if copy else meta
        writer.add_document(document(f"{chunk_id}~{copy}" if copy else chunk_id, text, meta, bodies[at], terms[at],
                                     packed))
    writer.add_document(tantivy.Document(id=MARKER, generation="lexical-io"))
    writer.commit()
    writer.wait_merging_threads()
    (target / "format").write_text(FORMAT)


def ask(folder: Path, way: str, memory: str) -> None:
    """(In a fresh process) the three passes of one way of reading, printed."""
    if memory:
        CGROUP.mkdir(exist_ok=True)
        (CGROUP / "memory.limit_in_bytes").write_text(memory)
        (CGROUP / "cgroup.procs").write_text(str(os.getpid()))
    subprocess.run("sync; echo 1 > /proc/sys/vm/drop_caches", shell=True, check=False, stderr=subprocess.DEVNULL)
    import tantivy

    from index.lexical import LexicalIndex, _schema
    from index.lexical_snapshot import Lexical
    from qa.terms import TermWeights

    if way == "shipped":
        snap = LexicalIndex(folder, TermWeights().terms).snapshot()
    else:   # the snapshot without its read-ahead advice
        snap = Lexical(tantivy.Index.open(str(folder)), _schema())
    lines = (DEFAULT_BENCHMARKS / "newsdump" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines][:60]
    for round_ in range(3):
        bm25, records, read = [], [], []
        for question in questions:
            before, started = _read_bytes(), time.perf_counter()
            ids = [i for i, _ in snap.search(question, 20)]
            searched = time.perf_counter()
            snap.stored(ids[:10])
            bm25.append((searched - started) * 1000)
            records.append((time.perf_counter() - searched) * 1000)
            read.append((_read_bytes() - before) / 2**20)
        print(f"{way:8s} pass {round_ + 1}: BM25 {_p(bm25)} ms | records {_p(records)} ms | "
              f"read from disk {statistics.mean(read):.1f} MiB a question", flush=True)


def _p(values: list[float]) -> str:
    got = percentiles(values)
    return f"p50 {got['p50']:.1f} p95 {got['p95']:.1f}"


def _read_bytes() -> int:
    """Bytes this process has had read from storage (readahead included)."""
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(fields["read_bytes"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.lexical_io", description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="a data dir whose lexical index is repeated")
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--memory", default="", help="a memory cgroup's size for the asking process, e.g. 1G")
    parser.add_argument("--scratch", type=Path, default=Path("lexical-io"))
    parser.add_argument("--ask", default="", help=argparse.SUPPRESS)   # (the child: one way of reading)
    args = parser.parse_args(argv)
    if args.ask:
        ask(args.scratch, args.ask, args.memory)
        return 0
    sources = sorted((args.data_dir / "lexical").glob("*/*/tantivy-*"))
    if not sources:
        print(f"error: no lexical index under {args.data_dir}", file=sys.stderr)
        return 2
    if not (args.scratch / "format").exists():
        started = time.perf_counter()
        build(sources[0], args.scratch, args.chunks)
        print(f"built {args.chunks:,} chunks in {time.perf_counter() - started:.0f} s", flush=True)
    for way in ("before", "shipped"):
        subprocess.run([sys.executable, "-m", "evals.lexical_io", str(args.data_dir), "--scratch", str(args.scratch),
                        "--memory", args.memory, "--ask", way], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
