"""The ask path stays lean and reads what ingest saved: no torch, sentence-transformers, transformers,
gradio or llama-index in a `qa ask` process; the lexical index is opened, not rebuilt; a change
in progress in another process (or one that crashed) is invisible until it completes."""
import json
import subprocess
import sys

import pytest

from index.store import ChunkStore
from qa.pipeline import NewsQA
from qa.settings import Settings
from tests.conftest import ARMS_QUESTION, CHOE_ARTICLE, REPO, SEEDS

pytestmark = pytest.mark.slow
HEAVY = ("torch", "sentence_transformers", "transformers", "gradio", "llama_index.core")

PROBE = """
import json, sys
import index.lexical
def refuse(*a, **k):
    raise AssertionError("the lexical index was changed by a reader although it was up to date")
index.lexical.LexicalIndex.rebuild = index.lexical.LexicalIndex.apply = refuse
from qa.cli import main
code = main(["ask", sys.argv[1], "--data-dir", sys.argv[2], "--json"])
print(json.dumps({"code": code, "heavy": [m for m in HEAVY if m in sys.modules]}), file=sys.stderr)
""".replace("HEAVY", repr(HEAVY))


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("onnx-seeded")
    report = NewsQA(Settings(data_dir=data)).ingest(SEEDS)
    assert report.chunks_written > 0
    return data


def ask_in_a_new_process(data_dir, question=ARMS_QUESTION):
    done = subprocess.run([sys.executable, "-c", PROBE, question, str(data_dir)], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), json.loads(done.stderr.strip().splitlines()[-1])


def test_a_cold_ask_imports_nothing_heavy_and_loads_the_saved_bm25(onnx_dir):
    answer, probe = ask_in_a_new_process(onnx_dir)
    assert probe == {"code": 0, "heavy": []}
    assert answer["citations"][0]["source"] == CHOE_ARTICLE
    assert set(answer["timings"]) >= {"embed", "dense", "bm25", "fusion", "evidence", "answer"}


def test_the_collection_records_the_onnx_backend_and_questions_use_it(onnx_dir):
    built = ChunkStore(onnx_dir, "articles").built_with()
    assert built["embed_backend"] == "onnx-int8" and built["embed_model"] == "all-MiniLM-L6-v2"
    pipeline = NewsQA(Settings(data_dir=onnx_dir, embed_backend="torch"))  # a setting cannot mismatch the vectors
    retriever, _ = pipeline._search_parts()
    assert retriever.embedder.variant == "onnx-int8"
    assert pipeline.ask(ARMS_QUESTION).citations[0].source == CHOE_ARTICLE


def test_sentence_vectors_come_from_ingest(onnx_dir):
    pipeline = NewsQA(Settings(data_dir=onnx_dir))
    retriever, finder = pipeline._search_parts()
    calls = []
    original = retriever.embedder.embed
    retriever.embedder.embed = lambda texts, progress=False: calls.append(list(texts)) or original(texts)
    try:
        pipeline.ask("Who is Choe Son Hui?")
    finally:
        retriever.embedder.embed = original
    assert calls == [["Who is Choe Son Hui?"]]  # the question only: every sentence vector was stored


def test_unfinished_chunks_are_never_answered_from_and_a_finished_ingest_is_seen(onnx_dir, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(onnx_dir, data)
    reader = NewsQA(Settings(data_dir=data))
    reader.ask(ARMS_QUESTION)  # the reader's parts are built before the writer starts
    # a writer that dies half-way: chunks of a new article in Chroma, never marked done, no new generation
    from index.chunker import Chunker
    from index.ingest import sentence_vectors, to_node
    from index.loader import load_articles

    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "zebra.txt").write_text("Zebra committee meets in Lisbon\n\nThe zebra committee in Lisbon "
                                                "decided on Tuesday to paint every crossing purple.\n")
    article = load_articles(tmp_path / "new")[0][0]
    chunks = Chunker().chunk(article)
    onnx = reader._query_embedder({"embed_backend": "onnx-int8"})
    vectors = onnx.embed([c.embed_text() for c in chunks])
    store = ChunkStore(data, "articles")
    store.add_nodes([to_node(c, article, v) for c, v in zip(chunks, vectors)], sentence_vectors(onnx, chunks))
    question = "What did the zebra committee in Lisbon decide?"
    assert "zebra" not in {p.source for p in reader.find(question).passages}
    assert "zebra" not in {p.source for p in NewsQA(Settings(data_dir=data)).find(question).passages}
    assert any("zebra" in line for line in NewsQA(Settings(data_dir=data)).check())
    # the next ingest finishes the article; the long-lived reader sees the new generation
    NewsQA(Settings(data_dir=data)).ingest(tmp_path / "new")
    assert reader.ask(question).citations[0].source == "zebra"
