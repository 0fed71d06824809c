"""`qa bench --chunks`: the archive grown with perturbed copies (vectors reused) measures what it asks for."""
import json
import os
import subprocess
import sys

import pytest

from evals.grow import copy_of, grown_records, parse_sizes
from qa.errors import InputError
from tests.conftest import SEEDS


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


@pytest.mark.slow
def test_growing_the_seeds_measures_every_figure(tmp_path):
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "qa.cli", "bench", "--corpus", str(SEEDS), "--chunks", "60,150",
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
        assert row["cold_ask"]["peak_rss_mib"] > 50 and row["warm_extractive"]["p95"] >= row["warm_extractive"]["p50"]
        assert row["disk_mib"]["lexical"] > 0 and row["disk_mib"]["chroma"] > 0
    assert list(tmp_path.glob("qa-grow-*")) == []   # the scratch archive is gone
