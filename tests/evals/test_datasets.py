import pytest

from evals.datasets import DEFAULT_BENCHMARKS, load_dataset, load_seeds
from qa.errors import InputError
from tests.conftest import SEEDS


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
