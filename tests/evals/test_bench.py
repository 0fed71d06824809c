"""`qa bench` end to end on the seeds at two scales, with both peers: the figures the performance issue asks
for are all in the JSON, and the chart is written."""
import json
import os
import subprocess
import sys

import pytest

from evals.bench import write_scaled
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow


def test_write_scaled_gives_distinct_ids(tmp_path):
    write_scaled({"a": "A\n\nx", "b": "B\n\ny"}, 3, tmp_path / "c")
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "a-copy1.txt", "a-copy2.txt", "a.txt", "b-copy1.txt", "b-copy2.txt", "b.txt"]


def test_bench_on_the_seeds_at_two_scales_with_peers(tmp_path):
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "qa.cli", "bench", "--corpus", str(SEEDS), "--scale", "1,2",
                          "--questions", "5", "--cold", "1", "--threads", "1,2", "--json", "--out", str(out)],
                         env={**os.environ, "QA_DATA_DIR": str(tmp_path / "data")}, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report == json.loads((out / "bench.json").read_text())
    assert (out / "bench.png").stat().st_size > 10_000
    one, two = report["scales"]
    assert (one["scale"], two["scale"]) == (1, 2) and two["articles"] == 2 * one["articles"] == 10
    assert two["chunks"] == 2 * one["chunks"]
    for row in (one, two):
        assert row["ingest"]["wall_s"] > 0 and row["ingest"]["peak_rss_mib"] > 50
        assert row["ingest"]["ms_per_chunk"] == pytest.approx(1000 * row["ingest"]["wall_s"] / row["chunks"], rel=0.01)
        # an empty model cache: the export (torch) runs inside that ingest, so it is bigger and slower
        first = row["first_run_ingest"]
        assert first["peak_rss_mib"] > row["ingest"]["peak_rss_mib"] and first["wall_s"] > row["ingest"]["wall_s"]
        assert row["cold_ask"]["runs"] == 1 and row["cold_ask"]["median_s"] > 0
        warm = row["warm"]
        assert warm["questions"] == 5 and warm["p50"] <= warm["p95"] <= warm["p99"]
        assert set(warm["stages_p50_ms"]) == {"open", "embed", "dense", "bm25", "fusion", "evidence", "answer"}
    assert set(one["throughput_qps"]) == {"1", "2"}
    peers = one["peers"]
    assert peers["sentence_transformers"]["texts"] == one["chunks"]
    assert peers["llama_index"]["wall_s"] > 0 and peers["ours_vs_llama_index"] > 0
