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
from tests.conftest import CHOE_ARTICLE, SEEDS

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
    bm25 = NewsQA(Settings(data_dir=data_dir))._search_parts()[0].lexical.all_ids()
    return {"articles": store.article_hashes(), "chunks": chunks, "count": store.count(), "bm25": sorted(bm25),
            "sentence_vectors": sorted(store.sentence_vectors([c[0] for c in chunks]))}


def ingest(folder, data_dir, env_extra=None, **kw):
    env = {**os.environ, "QA_DATA_DIR": str(data_dir), **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-m", "qa.cli", "ingest", str(folder)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_random_kills_leave_an_index_equal_to_a_clean_run(tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus)
    clean = tmp_path / "clean"
    assert ingest(corpus, clean).wait(timeout=600) == 0
    expected = snapshot(clean)
    assert expected["count"] == len(expected["bm25"]) == len(expected["chunks"]) and len(expected["articles"]) == 160

    crashed = tmp_path / "crashed"
    rng = random.Random(11)
    originals = {p: p.read_text() for p in corpus.glob("*.txt")}
    killed_mid_ingest = 0
    for round_ in range(KILLS):
        # after the first runs most articles are in: edit some so that every run has work to be killed in
        for path in rng.sample(sorted(originals), 80):
            path.write_text(originals[path] + f"\nUpdated in round {round_}.\n")
        proc = ingest(corpus, crashed)
        # wait until it is writing (its progress bar is on stderr), then kill it at a random moment
        started = time.monotonic()
        seen = b""
        while b"Ingesting" not in seen and proc.poll() is None and time.monotonic() - started < 120:
            seen += os.read(proc.stderr.fileno(), 256)
        time.sleep(rng.uniform(0.0, 1.5))
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
    assert len(state["articles"]) == 40 and state["count"] == len(state["bm25"]) == len(state["chunks"])


def test_changed_settings_rebuild_into_a_new_collection_while_asks_keep_working(tmp_path):
    corpus, extra = tmp_path / "corpus", tmp_path / "extra"
    make_corpus(corpus, n=240)   # a rebuild long enough to be killed half-way (the model is cached: ingest starts fast)
    extra.mkdir()
    (extra / "extra.txt").write_text("A lone report\n\n" + (SEEDS / f"{CHOE_ARTICLE}.txt").read_text())
    data = tmp_path / "data"
    for folder in (corpus, extra):  # extra is only in the old collection: the rebuild carries it over
        assert ingest(folder, data).wait(timeout=600) == 0
    old = ChunkStore(data, "articles").built_with()
    reader = NewsQA(Settings(data_dir=data))  # long-lived: must keep answering through the rebuild
    question = "Who did Choe Son Hui meet?"
    first = reader.ask(question)
    assert not first.refused

    rng = random.Random(5)
    for _ in range(3):  # rebuilds killed half-way leave the old collection in charge
        proc = ingest(corpus, data, env_extra={"QA_CHUNK_WORDS": "60", "QA_OVERLAP_WORDS": "10"})
        seen = b""
        while b"Ingesting" not in seen and proc.poll() is None:
            seen += os.read(proc.stderr.fileno(), 256)
        assert b"rebuilding" in seen
        assert reader.ask(question).text == first.text  # an ask during the rebuild reads the old collection
        time.sleep(rng.uniform(0.1, 0.8))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert ChunkStore(data, "articles").built_with() == old
        assert reader.ask(question).text == first.text

    done = ingest(corpus, data, env_extra={"QA_CHUNK_WORDS": "60", "QA_OVERLAP_WORDS": "10"})
    printed, err = done.communicate(timeout=600)
    assert done.returncode == 0, err
    assert b"rebuilt" in printed
    store = ChunkStore(data, "articles")
    assert store.built_with()["chunk_words"] == "60" and store.physical != "articles"
    # the same index a clean run with the new settings makes from the same articles
    clean = tmp_path / "clean"
    for folder in (corpus, extra):
        assert ingest(folder, clean, env_extra={"QA_CHUNK_WORDS": "60", "QA_OVERLAP_WORDS": "10"}).wait(600) == 0
    rebuilt, expected = snapshot(data), snapshot(clean)
    assert rebuilt["chunks"] == expected["chunks"] and rebuilt["bm25"] == expected["bm25"]
    assert rebuilt["articles"] == expected["articles"] and len(rebuilt["articles"]) == 241
    # the long-lived reader follows the switch at its next question
    answer = reader.ask(question)
    assert not answer.refused and sorted(reader._search_parts()[0].lexical.all_ids()) == rebuilt["bm25"]
    # the next writer deletes what the rebuild replaced
    again = subprocess.run([sys.executable, "-m", "qa.cli", "ingest", str(corpus)], capture_output=True, timeout=600,
                           env={**os.environ, "QA_DATA_DIR": str(data), "QA_CHUNK_WORDS": "60",
                                "QA_OVERLAP_WORDS": "10"})
    assert again.returncode == 0
    names = sorted(c.name for c in ChunkStore(data, "articles")._client.list_collections())
    assert names == sorted(["articles", f"{store.physical}", f"{store.physical}.manifest",
                            f"{store.physical}.sentences"])
    assert ChunkStore(data, "articles")._head.count() == 0
