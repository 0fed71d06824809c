"""`qa eval` for real on the seeds set: the report files and the scores we promise."""
import json
import subprocess
import sys

import pytest

from evals.datasets import DEFAULT_BENCHMARKS

pytestmark = pytest.mark.slow
METRICS = {"hit_at_1", "hit_at_5", "answer_at_5", "mrr", "answer_accuracy", "citation_precision", "refusal",
           "latency_ms"}


def test_eval_seeds_writes_report_and_scores_well(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "qa.cli", "eval", "--out", str(tmp_path), "--compare"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "| answer accuracy |" in proc.stdout
    out = tmp_path / "seeds"
    report = json.loads((out / "report.json").read_text())
    ours = report["pipelines"]["newsqa"]["metrics"]
    stock = report["pipelines"]["stock"]["metrics"]
    assert METRICS <= set(ours) and METRICS <= set(stock)
    assert set(ours["refusal"]) == {"precision", "recall", "false_refusal_rate"}
    assert set(ours["latency_ms"]) >= {"p50", "p95"}
    for name in ("report.md", "metrics.png", "latency.png"):
        assert (out / name).stat().st_size > 0
    # regression guards, measured on the project's own set
    assert ours["hit_at_5"] >= 0.95 and ours["answer_accuracy"] >= 0.85 and ours["citation_precision"] >= 0.88
    assert ours["refusal"]["false_refusal_rate"] <= 0.1 and ours["refusal"]["recall"] >= 0.45
    assert {"person", "date", "number", "other"} <= set(ours["by_answer_type"])
    assert "## By answer type" in (out / "report.md").read_text()
    assert ours["hit_at_1"] > stock["hit_at_1"] and ours["answer_accuracy"] > stock["answer_accuracy"]
    assert len(report["questions"]) == ours["questions"] >= 25


@pytest.mark.skipif(not DEFAULT_BENCHMARKS.is_dir(), reason="../shared/benchmarks is absent")
@pytest.mark.parametrize("dataset", ["squad2", "rgb"])
def test_eval_outside_benchmark_end_to_end(tmp_path, dataset):
    proc = subprocess.run([sys.executable, "-m", "qa.cli", "eval", "--dataset", dataset, "--limit", "40",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / dataset / "report.json").read_text())
    ours = report["pipelines"]["newsqa"]["metrics"]
    assert ours["questions"] == 40 and METRICS <= set(ours)
    assert ours["hit_at_5"] >= 0.6 and ours["answer_accuracy"] >= 0.3
    corpus = tmp_path / dataset / "corpus" / dataset
    assert len(list(corpus.glob("*.txt"))) == {"squad2": 411, "rgb": 969}[dataset]  # one file per document
    assert "eval-" + dataset in report["settings"]["collection"]
