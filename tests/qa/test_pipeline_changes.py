"""The pipeline over a real index sees every change at once: ingest, remove, settings; --explain adds up."""
import json
import subprocess
import sys

import pytest

import qa
from qa.errors import NotFoundError
from qa.library import lexical_index
from qa.pipeline import NewsQA
from qa.settings import Settings
from tests.conftest import ARMS_QUESTION, CHOE_ARTICLE

pytestmark = pytest.mark.slow

FESTIVAL = ("Zorblatt lantern festival returns to Quellmoor\n\n"
            "The Zorblatt lantern festival will return to Quellmoor on 14 May, organisers said on Tuesday. "
            "About 12,000 visitors attended the last edition, which ended with a parade of paper boats.")


@pytest.fixture
def pipeline(seeds_copy, tmp_path, embedder):
    p = NewsQA(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    p.ingest(seeds_copy)
    return p


def test_an_ingested_article_is_searched_at_once_by_bm25_and_dense(pipeline, tmp_path):
    question = "How many visitors attended the Zorblatt lantern festival?"
    assert pipeline.ask(question).refused  # builds BM25 over the five seeds
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "festival.txt").write_text(FESTIVAL)
    pipeline.ingest(folder)
    retriever, _ = pipeline._search_parts()
    bm25 = retriever.lexical_search("Zorblatt Quellmoor", 3)
    assert bm25 and bm25[0].source == "festival"
    answer = pipeline.ask(question)
    assert not answer.refused and "12,000" in answer.text and answer.citations[0].source == "festival"


def test_a_removed_article_is_never_retrieved_again(pipeline):
    assert pipeline.ask(ARMS_QUESTION).citations[0].source == CHOE_ARTICLE
    assert pipeline.remove(CHOE_ARTICLE) > 0
    for question in (ARMS_QUESTION, "Who is Choe Son Hui?"):
        found = pipeline.find(question, top_k=10)
        assert CHOE_ARTICLE not in {p.source for p in found.passages}
    assert not any(i.startswith(f"{CHOE_ARTICLE}:") for i in pipeline._search_parts()[0].lexical.all_ids())


def test_several_articles_are_removed_in_one_change_or_not_at_all(pipeline):
    stored = {row["id"]: row["chunks"] for row in pipeline.articles()}
    two = sorted(stored)[:2]
    generation = pipeline.store().generation()
    with pytest.raises(NotFoundError, match="nothing removed"):
        pipeline.remove_many([*two, "no-such-article"])
    assert {row["id"] for row in pipeline.articles()} == set(stored)
    assert pipeline.store().generation() == generation   # nothing published either
    assert pipeline.remove_many(two) == {a: stored[a] for a in two}
    assert {row["id"] for row in pipeline.articles()} == set(stored) - set(two)
    held = pipeline._search_parts()[0].lexical.all_ids()
    assert held and not any(i.split(":")[0] in two for i in held)
    assert pipeline.check() == []


def test_a_change_killed_before_its_publish_is_caught_up_by_the_next_reader(pipeline, embedder):
    writing = pipeline.library._open()   # journals every article whose chunks change
    writing.delete_article(CHOE_ARTICLE)  # ... then the process dies before publishing
    index = lexical_index(pipeline.settings, writing)
    assert index.pending() == {CHOE_ARTICLE}
    assert any(i.startswith(f"{CHOE_ARTICLE}:") for i in index.snapshot().all_ids())
    reader = NewsQA(pipeline.settings, embedder=embedder)
    held = reader._search_parts()[0].lexical.all_ids()
    assert held and not any(i.startswith(f"{CHOE_ARTICLE}:") for i in held)
    assert index.pending() == set() and reader.check() == []   # the manifest, Chroma and the lexical index agree


def test_qa_ask_follows_every_setting(pipeline, monkeypatch):
    monkeypatch.setenv("QA_DATA_DIR", str(pipeline.settings.data_dir))
    first = qa.ask(ARMS_QUESTION)
    assert not first.refused
    monkeypatch.setenv("QA_MIN_SUPPORT", "5")  # a setting outside the old five-field cache key
    assert qa.ask(ARMS_QUESTION).refused
    monkeypatch.setenv("QA_MIN_SUPPORT", "0.34")
    monkeypatch.setenv("QA_MAX_SENTENCES", "1")
    assert len(qa.ask(ARMS_QUESTION).citations) == 1
    assert qa.get_pipeline() is qa.get_pipeline()


def test_explain_json_carries_a_breakdown_that_sums_to_the_score(pipeline):
    env_dir = str(pipeline.settings.data_dir)
    out = subprocess.run([sys.executable, "-m", "qa.cli", "ask", ARMS_QUESTION, "--explain", "--json",
                          "--data-dir", env_dir], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    explanation = json.loads(out.stdout)["explanation"]
    threshold = Settings.model_fields["min_support"].default
    assert explanation["threshold"] == threshold and explanation["best_score"] >= threshold
    best = explanation["sentences"][0]
    names = [s["name"] for s in best["signals"]]
    assert names[:4] == ["similarity", "coverage", "phrase", "retrieval"] and "entities" in names
    assert sum(s["contribution"] for s in best["signals"]) == pytest.approx(best["score"], abs=1e-5)
    assert best["score"] == pytest.approx(explanation["best_score"])
    text = subprocess.run([sys.executable, "-m", "qa.cli", "ask", ARMS_QUESTION, "--explain", "--no-stream",
                           "--data-dir", env_dir], capture_output=True, text=True, timeout=300).stdout
    assert f"refusal threshold {threshold:.3f}" in text and "contribution" in text


def test_a_summary_reads_its_best_article_whole(seeds_copy, tmp_path, embedder):
    """The figures deep in a long page match none of a summary question's words; the page is read whole."""
    filler = " ".join(f"Paragraph {n} of the Quellmoor harbour report describes the quays, the cranes and the "
                      "ferries that cross the bay every morning in some detail." for n in range(30))
    (seeds_copy / "harbour.txt").write_text("Quellmoor harbour report\n\n" + filler +
                                            " Dock workers unloaded 48,000 containers in March.")
    question = "Summarize the Quellmoor harbour report."
    whole = NewsQA(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    whole.ingest(seeds_copy)
    found = whole.find(question)
    chunks = [p.chunk_id for p in found.passages if p.source == "harbour"]
    assert len(chunks) > 2 and chunks == sorted(chunks, key=lambda c: int(c.rsplit(":", 1)[1]))
    assert any("48,000" in ev.sentence for ev in found.evidence)
    retrieved = NewsQA(Settings(data_dir=tmp_path / "data", synthesis_whole=0), embedder=embedder).find(question)
    assert len([p for p in retrieved.passages if p.source == "harbour"]) <= 2   # retrieval keeps two of an article
