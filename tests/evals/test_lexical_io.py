"""evals.lexical_io: the grown index holds each chunk and its copies as index.lexical writes them."""
from evals.lexical_io import build, main
from index.lexical import LexicalIndex
from qa.terms import TermWeights

ROWS = [("a:0", "The ferry to Quellmoor runs four times a day.", {"source": "a", "title": "Ferries", "ts": 5}),
        ("b:0", "The harbour master said the pier was repaired.", {"source": "b", "title": "Pier"})]


def test_the_grown_index_repeats_each_chunk_under_new_ids_as_the_index_writes_it(tmp_path):
    LexicalIndex(tmp_path / "lex", TermWeights().terms).rebuild(ROWS, "g1")
    build(tmp_path / "lex", tmp_path / "grown", 5)
    snap = LexicalIndex(tmp_path / "grown", TermWeights().terms).snapshot()
    assert snap.count == 5 and snap.all_ids() == {"a:0", "b:0", "a:0~1", "b:0~1", "a:0~2"}
    hits = snap.search("ferry Quellmoor", 10)
    assert {i for i, _ in hits} == {"a:0", "a:0~1", "a:0~2"} and len({s for _, s in hits}) == 1
    text, meta, _ = snap.stored(["a:0~2"])["a:0~2"]
    assert text == ROWS[0][1] and meta == {**ROWS[0][2], "source": "a~2"}
    assert snap.holding(["a:0~1"], since=5, until=5) == {"a:0~1"}


def test_a_data_dir_without_a_lexical_index_is_one_line(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2 and "no lexical index" in capsys.readouterr().err
