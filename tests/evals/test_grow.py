"""`qa bench --chunks`: the archive grown with perturbed copies (vectors reused) measures what it asks for."""
import json
import os
import subprocess
import sys

import pytest

from evals.grow import copy_of, grown_records, parse_sizes
from qa.errors import InputError


def test_sizes_are_read_as_people_write_them():
    assert parse_sizes("1m, 100k,10k,100k") == [10_000, 100_000, 1_000_000] and parse_sizes("2.5k") == [2500]
    for bad in ("", "lots", "0", "-5k"):
        with pytest.raises(InputError):
            parse_sizes(bad)


def test_copies_have_new_ids_a_perturbed_text_and_are_the_same_every_time():
    base = [("a:0", "one two three four five", {"source": "a", "title": "A"}), ("a:1", "six seven", {"source": "a"})]
    assert copy_of(base[0], 0) == base[0]
    chunk_id, text, meta = copy_of(base[0], 3)
    assert chunk_id == "a~3:0" and meta == {"source": "a~3", "title": "A"} and len(text.split()) == 4
    assert copy_of(base[0], 3) == (chunk_id, text, meta) and copy_of(base[1], 2)[1] == "six seven"
    assert [r[0] for r in grown_records(base, 5)] == ["a:0", "a:1", "a~1:0", "a~1:1", "a~2:0"]


def test_a_copy_has_as_many_sentences_as_the_vectors_it_reuses():
    """A dropped word never joins two sentences ("said." dropped) or splits one: the copy reads its original's
    sentence vectors, one per sentence."""
    from index.sentences import sentence_spans

    text = "Rates rose. Markets fell. Officials said so."
    copies = [copy_of(("a:0", text, {"source": "a"}), n)[1] for n in range(1, 40)]
    assert all(len(sentence_spans(c)) == 3 for c in copies)
    assert sum(len(c.split()) == 6 for c in copies) > 20   # (most copies still lose a word)


def test_warm_asks_are_asked_as_of_their_day_and_timed_by_stage():
    from types import SimpleNamespace

    from evals.bench import warm_latency

    days = []

    class Scripted:   # the pipeline's ask, timed by stage
        def ask(self, question, as_of=None):
            days.append(as_of)
            return SimpleNamespace(timings={"dense": 4.0 if as_of else 2.0, "bm25": 1.0})

    got = warm_latency(Scripted(), ["a?", "b?"], ["2024-01-05", ""])
    assert days == [None, None, "2024-01-05", None] and got["questions"] == 2   # warm-up first, undated
    assert got["stages_p50_ms"]["dense"] == 3.0 and got["stages_p95_ms"]["dense"] == pytest.approx(3.9)
    assert got["stages_p95_ms"]["answer"] == 0.0 and got["p95"] >= got["p50"]


@pytest.mark.slow
def test_growing_the_seeds_measures_every_figure(tmp_path):
    out = tmp_path / "out"
    dated = tmp_path / "dated.jsonl"   # questions over the seeds, each with the day it was asked
    asked = ("Why do Washington and its allies criticise the arms trade?", "Who met Putin in Vladivostok?",
             "What did Putin say this week?", "Where will Putin travel next?")
    dated.write_text("".join(json.dumps({"question": q, "answerable": False, "asked_on": "2024-06-20"}) + "\n"
                             for q in asked))
    run = subprocess.run([sys.executable, "-m", "qa.cli", "bench", "--dataset", str(dated), "--chunks", "60,150",
                          "--questions", "4", "--llm-questions", "0", "--json", "--out", str(out),
                          "--scratch", str(tmp_path)], env={**os.environ, "QA_DATA_DIR": str(tmp_path / "data")},
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report == json.loads((out / "grow.json").read_text()) and (out / "grow.png").stat().st_size > 10_000
    small, large = report["sizes"]
    assert (small["chunks"], large["chunks"]) == (60, 150)   # whole copies of the seeds' 15 chunks
    for row in (small, large):
        assert row["add_10_articles_s"] > 0 and row["remove_10_articles_s"] > 0 and row["bm25s_build_s"] >= 0
        assert row["warm_add_10_articles_s"] > 0 and row["warm_remove_10_articles_s"] > 0
        assert row["warm_remove_10_articles_one_change_s"] > 0
        assert row["cold_ask"]["peak_rss_mib"] > 50 and row["warm_extractive"]["p95"] >= row["warm_extractive"]["p50"]
        assert row["disk_mib"]["lexical"] > 0 and row["disk_mib"]["chroma"] > 0
        dated = row["warm_extractive_as_of"]   # asked as of each question's day too, timed by stage
        assert dated["questions"] == 4 and dated["stages_p95_ms"]["dense"] >= dated["stages_p50_ms"]["dense"] > 0
    assert list(tmp_path.glob("qa-grow-*")) == []   # the scratch archive is gone
