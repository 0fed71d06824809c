"""`qa bench --chunks 100k,1m`: what an archive costs as it grows.

The corpus (a benchmark's articles, or --corpus) is ingested the way a user does it (`qa ingest`), then grown to
each size with copies of its chunks under new article ids, each copy's text lightly perturbed (one word dropped
per chunk), its vectors reused: the bench measures the store, the lexical index and the ask path, not days of
embedding. At each size: warm ask p50/p95 (extractive and judged) by stage, `qa ingest` of 10 new articles and
`qa remove` of them (fresh processes, and in a running writer as `qa watch` keeps), a cold `qa ask` process (wall,
peak RSS), disk, and the lexical index's build time from scratch.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evals.bench import corpus_and_questions, model_latency, process_env, qa_command, run_process, warm_latency
from qa.errors import InputError
from qa.settings import Settings

BATCH = 2000


def parse_sizes(text: str) -> list[int]:
    """ "10k,100k,1m" -> [10000, 100000, 1000000]."""
    sizes = []
    for part in str(text).lower().split(","):
        part = part.strip()
        if not part:
            continue
        factor = {"k": 1_000, "m": 1_000_000}.get(part[-1], 1)
        try:
            sizes.append(int(float(part[:-1] if factor > 1 else part) * factor))
        except ValueError:
            raise InputError(f"--chunks wants sizes like 100k,1m, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise InputError(f"--chunks wants sizes like 100k,1m, got {text!r}")
    return sorted(set(sizes))


def _perturbed(text: str, key: str) -> str:
    """The text with one word dropped, the same one every time for the same key, never one whose loss joins or
    splits its sentences: a copy reads its original's sentence vectors, and a copy of other sentences than its
    vectors is embedded again when asked about (58-168 ms a question at 1M chunks, which no real archive pays)."""
    from index.sentences import sentence_spans

    words = text.split(" ")
    if len(words) < 3:
        return text
    start, sentences = int(hashlib.blake2b(key.encode(), digest_size=4).hexdigest(), 16), len(sentence_spans(text))
    for drop in (start % len(words), (start + 1) % len(words), (start + 2) % len(words)):
        copy = " ".join(words[:drop] + words[drop + 1:])
        if len(sentence_spans(copy)) == sentences:
            return copy
    return text


def copy_of(record: tuple[str, str, dict[str, Any]], copy: int) -> tuple[str, str, dict[str, Any]]:
    """A base chunk's copy number copy (0: itself): new article and chunk ids, the text perturbed."""
    chunk_id, text, meta = record
    if copy == 0:
        return record
    source = f"{meta.get('source', '')}~{copy}"
    new_id = f"{source}:{chunk_id.rsplit(':', 1)[-1]}"
    return new_id, _perturbed(text, new_id), {**meta, "source": source}


def grown_records(base: list[tuple[str, str, dict[str, Any]]], size: int) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """The first size chunks of base, its copy 1, copy 2, ... (what grow() writes)."""
    for n in range(size):
        yield copy_of(base[n % len(base)], n // len(base))


def original_id(chunk_id: str) -> str:
    """The base chunk a grown copy's id was made from (copy_of's inverse; a base id is its own)."""
    source, _, number = chunk_id.rpartition(":")
    return f"{source.rsplit('~', 1)[0]}:{number}" if "~" in source else chunk_id


def grown_sentences(sentences: dict[str, str]) -> Any:
    """Chunk ids -> packed sentence vectors for grown copies (their original's), as the lexical index stores."""
    return lambda ids: {i: v for i in ids if (v := sentences.get(original_id(i), ""))}


def grow(store: Any, base: list[tuple[str, str, dict[str, Any]]], vectors: dict[str, Any], sentences: dict[str, str],
         size: int) -> float:
    """Add copies to the collection until it holds at least size chunks (whole copies of the base); seconds taken."""
    started = time.perf_counter()
    signatures = {a: sig for a, (_, sig) in store.stories().items()}   # a copy's text signature is its original's
    have = store.count()
    size = -(-size // len(base)) * len(base)   # whole copies: every article complete
    chunks_of: dict[str, int] = {}
    for _, _, meta in base:
        chunks_of[meta["source"]] = chunks_of.get(meta["source"], 0) + 1
    for at in range(have, size, BATCH):
        batch = [copy_of(base[n % len(base)], n // len(base)) for n in range(at, min(at + BATCH, size))]
        originals = [base[n % len(base)][0] for n in range(at, at + len(batch))]
        store.add_records(batch, [vectors[o] for o in originals], [sentences.get(o, "") for o in originals])
        done = {meta["source"] for _, _, meta in batch}
        store.mark_done([(s, f"grown-{s}", chunks_of[s.split("~")[0]]) for s in done],
                        {s: (s, signatures.get(s.split("~")[0], "")) for s in done})
    return time.perf_counter() - started


def bm25s_build(records: Iterator[tuple[str, str, dict[str, Any]]]) -> float:
    """Seconds to tokenize and index records with bm25s, as the earlier lexical index did on every change."""
    import bm25s
    import Stemmer

    from index.lexical import bm25_text

    started = time.perf_counter()
    texts = [bm25_text(str(m.get("title", "")), t) for _, t, m in records]
    tokens = bm25s.tokenize(texts, stopwords="english", stemmer=Stemmer.Stemmer("english"), show_progress=False)
    bm25s.BM25().index(tokens, show_progress=False)
    return time.perf_counter() - started


def warm_changes(settings: Settings, ten: Path, ids: list[str]) -> tuple[float, float, float]:
    """Seconds to add the articles of ten and remove them again in a running writer (as `qa watch` and `qa serve`
    keep one: the collection open, the embedding model loaded), after a round that warms up: removed one at a time
    (each a change of its own, as the HTTP API's DELETE makes them), then, after adding them again, in one change
    (as `qa remove A B ...` and `qa watch --prune` do). Returns (add, remove one at a time, remove in one change)."""
    from qa.pipeline import NewsQA

    writer = NewsQA(settings.model_copy(update={"answerer": "extractive"}))
    writer.ingest(ten)
    writer.remove_many(ids)
    started = time.perf_counter()
    writer.ingest(ten)
    added = time.perf_counter()
    for article_id in ids:
        writer.remove(article_id)
    each = time.perf_counter()
    writer.ingest(ten)
    again = time.perf_counter()
    writer.remove_many(ids)
    return (round(added - started, 2), round(each - added, 2), round(time.perf_counter() - again, 2))


def _disk_mib(folder: Path) -> float:
    return round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 2)


def run_grow(settings: Settings, args: argparse.Namespace) -> int:
    """Measure at each --chunks size; print a table (or --json), write grow.json into --out."""
    from evals.bench_report import write_grow_chart
    from evals.report import writable_folder
    from qa.library import lexical_index
    from qa.pipeline import NewsQA

    sizes = parse_sizes(args.chunks)
    out = writable_folder(args.out)
    within = writable_folder(args.scratch, "--scratch") if args.scratch else None
    name, texts, questions, as_of, given = corpus_and_questions(args)
    questions, as_of = questions[:args.questions], as_of[:args.questions]
    scratch = Path(tempfile.mkdtemp(prefix="qa-grow-", dir=within))
    report: dict[str, Any] = {"corpus": name, "articles": len(texts), "chroma": settings.chroma_url or "embedded",
                              "sizes": []}
    try:
        folder, data = given or scratch / "corpus", scratch / "data"
        if given is None:   # texts without a folder of their own (squad2, rgb): one file each
            folder.mkdir()
            for did, text in texts.items():
                (folder / f"{did}.txt").write_text(text, encoding="utf-8")
        scoped = settings.model_copy(update={"data_dir": data, "collection": "grow"})
        env = process_env(scoped)
        print(f"bench: ingesting {len(texts)} articles…", file=sys.stderr, flush=True)
        wall, _, printed = run_process([*qa_command(), "ingest", str(folder), "--json", "--quiet"], env)
        report["ingest"] = {"wall_s": round(wall, 1), "chunks": json.loads(printed)["chunks_total"]}
        store = NewsQA(scoped).store()
        base, vectors, sentences = store.export()
        ten = scratch / "ten"
        ten.mkdir()
        for i, (did, text) in enumerate(list(texts.items())[:10]):
            (ten / f"new-{i}-{did}.txt").write_text(f"Update {i}: {text}", encoding="utf-8")
        for size in sorted({max(size, len(base)) for size in sizes}):   # the smallest: the corpus itself
            print(f"bench: growing to {size} chunks…", file=sys.stderr, flush=True)
            grow_s = grow(store, base, vectors, sentences, size)
            index = lexical_index(scoped, store)
            started = time.perf_counter()
            index.rebuild(grown_records(base, store.count()), store.generation(), grown_sentences(sentences))
            build_s = time.perf_counter() - started
            row: dict[str, Any] = {"chunks": store.count(), "grow_s": round(grow_s, 1),
                                   "lexical_build_s": round(build_s, 1)}
            if args.peers:   # what every change cost before: bm25s has no update, so each one rebuilt it all
                row["bm25s_build_s"] = round(bm25s_build(grown_records(base, store.count())), 1)
            add_s, _, _ = run_process([*qa_command(), "ingest", str(ten), "--json", "--quiet"], env)
            ids = [p.stem for p in ten.iterdir()]
            remove_s, _, _ = run_process([*qa_command(), "remove", *ids], env)
            row["add_10_articles_s"], row["remove_10_articles_s"] = round(add_s, 2), round(remove_s, 2)
            (row["warm_add_10_articles_s"], row["warm_remove_10_articles_s"],
             row["warm_remove_10_articles_one_change_s"]) = warm_changes(scoped, ten, ids)
            colds = [run_process([*qa_command(), "ask", q, "--json"], env) for q in questions[:3]]
            row["cold_ask"] = {"median_s": round(sorted(c[0] for c in colds)[len(colds) // 2], 2),
                               "peak_rss_mib": round(max(c[1] for c in colds))}
            extractive = NewsQA(scoped.model_copy(update={"answerer": "extractive"}))
            row["warm_extractive"] = warm_latency(extractive, questions)
            if any(as_of):   # a dated set (newsdump): each question as of its day too, its time words filtering
                row["warm_extractive_as_of"] = warm_latency(extractive, questions, as_of)
            if args.llm_questions:
                row["judged"] = model_latency(NewsQA(scoped), extractive, questions[:args.llm_questions])
            row["disk_mib"] = {"chroma": _disk_mib(data / "chroma") if (data / "chroma").exists() else None,
                               "lexical": _disk_mib(data / "lexical")}
            report["sizes"].append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            (out / "grow.json").write_text(json.dumps(report, indent=2))
        if settings.chroma_url:
            store.drop()
    finally:
        if args.keep:
            print(f"bench: kept the grown archive: QA_DATA_DIR={scratch / 'data'} QA_COLLECTION=grow", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    chart = write_grow_chart(report, out / "grow.png")
    print(json.dumps(report, indent=2) if args.json else _table(report) + (f"\nwrote {chart}" if chart else ""))
    return 0


def _table(report: dict[str, Any]) -> str:
    lines = [f"corpus {report['corpus']} ({report['articles']} articles), Chroma {report['chroma']}",
             "chunks | add 10 / remove 10 (s; in a running writer) | warm extractive p50/p95 (ms) | judged p50/p95 (s) "
             "| cold ask (s, MiB) | lexical build from scratch (s) | disk chroma/lexical (MiB)"]
    for r in report["sizes"]:
        w, j = r["warm_extractive"], r.get("judged", {})
        warm = (f"{r.get('warm_add_10_articles_s', '-')} / {r.get('warm_remove_10_articles_s', '-')}, in one change "
                f"{r.get('warm_remove_10_articles_one_change_s', '-')}")
        dated = r.get("warm_extractive_as_of")
        asked = f" (as of each day asked: {dated['p50']} / {dated['p95']})" if dated else ""
        lines.append(f"{r['chunks']} | {r['add_10_articles_s']} / {r['remove_10_articles_s']} ({warm}) | "
                     f"{w['p50']} / {w['p95']}{asked} | {j.get('whole_p50_s', '-')} / {j.get('whole_p95_s', '-')} | "
                     f"{r['cold_ask']['median_s']}, {r['cold_ask']['peak_rss_mib']} | {r['lexical_build_s']} "
                     f"(bm25s {r.get('bm25s_build_s', '-')}) | {r['disk_mib']['chroma']} / {r['disk_mib']['lexical']}")
    return "\n".join(lines)
