"""Crash safety with real processes: `kill -9` in the middle of `qa ingest`, again and again, then one more
`qa ingest` leaves exactly the index one clean run makes; two ingests at once never corrupt it."""
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from index.sentences import split_sentences
from index.store import ChunkStore
from qa.pipeline import NewsQA
from qa.settings import Settings
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow
KILLS = 20


def make_corpus(folder, n=160):
    """n articles of a few seed sentences each, deterministic."""
    sentences = [s for p in sorted(SEEDS.glob("*.txt")) for s in split_sentences(p.read_text()) if len(s) > 40]
    rng = random.Random(7)
    folder.mkdir()
    for i in range(n):
        body = " ".join(rng.sample(sentences, 8))
        (folder / f"a{i:03d}.txt").write_text(f"Report number {i} on the region\n\n{body}\n")


def snapshot(data_dir):
    store = ChunkStore(data_dir, "articles")
    got = store._collection.get(include=["documents", "metadatas"])
    chunks = sorted(zip(got["ids"], got["documents"], (m["source"] for m in got["metadatas"])))
    bm25 = NewsQA(Settings(data_dir=data_dir))._search_parts()[0].lexical.ids
    return {"articles": store.article_hashes(), "chunks": chunks, "count": store.count(), "bm25": sorted(bm25),
            "sentence_vectors": sorted(store.sentence_vectors([c[0] for c in chunks]))}


def ingest(folder, data_dir, **kw):
    env = {**os.environ, "QA_DATA_DIR": str(data_dir)}
    return subprocess.Popen([sys.executable, "-m", "qa.cli", "ingest", str(folder)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_random_kills_leave_an_index_equal_to_a_clean_run(tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus)
    clean = tmp_path / "clean"
    assert ingest(corpus, clean).wait(timeout=600) == 0
    expected = snapshot(clean)
    assert expected["count"] == expected["bm25"] == len(expected["chunks"]) and len(expected["articles"]) == 160

    crashed = tmp_path / "crashed"
    rng = random.Random(11)
    originals = {p: p.read_text() for p in corpus.glob("*.txt")}
    killed_mid_ingest = 0
    for round_ in range(KILLS):
        # after the first runs most articles are in: edit some so that every run has work to be killed in
        for path in rng.sample(sorted(originals), 30):
            path.write_text(originals[path] + f"\nUpdated in round {round_}.\n")
        proc = ingest(corpus, crashed)
        # wait until it is writing (its progress bar is on stderr), then kill it at a random moment
        started = time.monotonic()
        seen = b""
        while b"Ingesting" not in seen and proc.poll() is None and time.monotonic() - started < 120:
            seen += os.read(proc.stderr.fileno(), 256)
        time.sleep(rng.uniform(0.0, 2.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_mid_ingest += 1
        proc.wait(timeout=60)
    assert killed_mid_ingest >= KILLS - 2
    for path, text in originals.items():
        path.write_text(text)
    out = subprocess.run([sys.executable, "-m", "qa.cli", "ingest", str(corpus)],
                         env={**os.environ, "QA_DATA_DIR": str(crashed)}, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert snapshot(crashed) == expected
    check = subprocess.run([sys.executable, "-m", "qa.cli", "check"], env={**os.environ, "QA_DATA_DIR": str(crashed)},
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0 and "agree" in check.stdout


def test_a_half_written_article_is_redone_and_check_repairs(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    make_corpus(corpus, n=6)
    data = tmp_path / "data"
    pipeline = NewsQA(Settings(data_dir=data), embedder=embedder)
    pipeline.ingest(corpus)
    store = pipeline.store()
    # simulate a crash after one article's chunks changed but before it was marked done
    store.unmark(["a002"])
    store._collection.delete(ids=["a002:0"])
    problems = pipeline.check()
    assert any("a002" in p for p in problems)
    report = pipeline.ingest(corpus)
    assert report.updated + report.added == 1 and pipeline.check() == []
    # stray chunks of an article no finished ingest owns are removed by --repair
    store.unmark(["a003"])
    assert pipeline.check(repair=True) and pipeline.check() == [] and "a003" not in store.chunk_sources()


def test_two_ingests_at_once_wait_for_each_other(tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus, n=40)
    data = tmp_path / "data"
    first, second = ingest(corpus, data), ingest(corpus, data)
    outs = [p.communicate(timeout=600) for p in (first, second)]
    assert first.returncode == second.returncode == 0
    assert any(b"waiting for it to finish" in err for _, err in outs)
    state = snapshot(data)
    assert len(state["articles"]) == 40 and state["count"] == state["bm25"] == len(state["chunks"])
