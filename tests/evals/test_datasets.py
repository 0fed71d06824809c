import json

import pytest

from evals.datasets import DEFAULT_BENCHMARKS, HERE, load_dataset, load_seeds
from qa.errors import InputError
from tests.conftest import SEEDS

PAGES = SEEDS.parent / "tests" / "index" / "pages"


def test_seeds_set_is_complete_and_points_at_real_articles():
    ds = load_seeds()
    ids = {p.stem for p in SEEDS.glob("*.txt")}
    assert len(ds.questions) >= 25
    assert sum(not q.answerable for q in ds.questions) >= 4
    assert len({q.qid for q in ds.questions}) == len(ds.questions)
    for q in ds.questions:
        if q.answerable:
            assert q.answers and set(q.sources) <= ids, q
            texts = " ".join((SEEDS / f"{s}.txt").read_text() for s in q.sources)
            assert any(a.lower() in texts.lower() for a in q.answers), q
        else:
            assert not q.answers and not q.sources


@pytest.mark.skipif(not DEFAULT_BENCHMARKS.is_dir(), reason="../shared/benchmarks is absent")
def test_outside_benchmarks_load():
    squad = load_dataset("squad2")
    assert len(squad.questions) == 500 and len(squad.documents) == 411
    assert sum(q.answerable for q in squad.questions) == 242
    assert all(q.sources[0] in squad.documents for q in squad.questions)
    rgb = load_dataset("rgb")
    assert len(rgb.questions) == 100 and all(q.answers and q.sources for q in rgb.questions)
    assert all(s in rgb.documents for q in rgb.questions for s in q.sources)


def test_unknown_dataset_and_missing_benchmarks(tmp_path):
    with pytest.raises(InputError, match="Unknown dataset"):
        load_dataset("nope")
    with pytest.raises(InputError, match="No benchmarks folder"):
        load_dataset("squad2", tmp_path / "none")


def test_custom_jsonl(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text('{"question": "Who?", "answers": ["Kim"], "sources": ["a"]}\n')
    ds = load_dataset(str(path))
    assert ds.name == "mine" and ds.questions[0].answerable and ds.corpus_dir == SEEDS
    path.write_text('{"nope": 1}\n')
    with pytest.raises(InputError, match="question"):
        load_dataset(str(path))


@pytest.mark.skipif(not (DEFAULT_BENCHMARKS / "realnews").is_dir(), reason="../shared/benchmarks/realnews is absent")
def test_the_real_news_sets_are_built_in():
    realnews = load_dataset("realnews")
    assert realnews.name == "realnews" and len(realnews.questions) == 85 and realnews.documents is None
    assert sum(not q.answerable for q in realnews.questions) == 25
    pages = {p.stem for p in realnews.corpus_dir.glob("*.html")}
    assert all(set(q.sources) <= pages for q in realnews.questions)
    synthesis = load_dataset("synthesis-realnews")
    assert synthesis.corpus_dir == realnews.corpus_dir and all(q.key_points for q in synthesis.questions)
    assert all(set(q.sources) <= pages for q in synthesis.questions)
    with pytest.raises(InputError, match="No realnews/pages"):
        load_dataset("synthesis-realnews", realnews.corpus_dir)
    paraphrased = load_dataset("paraphrase-realnews")   # realnews questions in other words, the same answers
    originals = {q.question: q for q in realnews.questions}
    assert paraphrased.corpus_dir == realnews.corpus_dir and len(paraphrased.questions) >= 30
    of = {json.loads(line)["id"]: json.loads(line)["of"]
          for line in (HERE / "datasets" / "paraphrase-realnews.jsonl").read_text().splitlines()}
    for q in paraphrased.questions:
        original = originals[of[q.qid]]
        assert q.question != original.question and q.answers == original.answers
        assert q.sources == original.sources and q.answerable == original.answerable


def test_the_stock_peer_reads_the_articles_newsqa_loaded(tmp_path):
    from evals.stock import article_documents
    from qa.settings import Settings

    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "page.html").write_text((PAGES / "harbour.html").read_text())   # a saved page: no .txt or .md
    (folder / "dump.jsonl").write_text('{"id": "d1", "title": "Harbour", "text": "The harbour opened in May."}\n')
    documents = article_documents(folder, Settings())
    assert sorted(d.metadata["article_id"] for d in documents) == ["dump-d1", "page"]   # the ids newsqa gives them
    assert all(d.text.strip() for d in documents)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="No articles"):
        article_documents(tmp_path / "empty", Settings())


@pytest.mark.skipif(not (DEFAULT_BENCHMARKS / "realnews").is_dir(), reason="../shared/benchmarks/realnews is absent")
def test_the_several_statement_questions_name_no_summary_and_their_sources_state_every_key_point():
    from evals.metrics import key_points_made
    from index.html import html_to_text
    from qa.lexicon import SYNTHESIS

    sets = [load_dataset("meaning"), load_dataset("meaning-realnews")]
    assert sum(len(ds.questions) for ds in sets) >= 10 and sets[0].collection == "seeds"
    texts = {p.stem: p.read_text() for p in SEEDS.glob("*.txt")}
    texts |= {p.stem: html_to_text(p.read_text()) for p in sets[1].corpus_dir.glob("*.html")}
    for ds in sets:
        for q in ds.questions:
            assert q.key_points and not SYNTHESIS.search(q.question), q.question   # no keyword routes it
            for point in q.key_points:   # the scorer credits each point from every article it cites
                assert all(key_points_made(texts[source], [point]) == 1 for source in point.sources), (q.qid, point)
