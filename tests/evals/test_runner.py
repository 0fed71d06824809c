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


def test_a_filters_time_words_are_read_as_of_each_questions_day():
    """`qa eval --since "last week"` over a dated set: each question's filter starts a week before its own day."""
    from datetime import UTC, datetime

    from evals.datasets import Dataset, Question
    from evals.runner import run_ours
    from qa.filters import make_filter
    from qa.models import Answer

    seen = []

    class Pipeline:
        def articles(self):
            return []

        def stream(self, question, filters, as_of):
            seen.append((as_of, datetime.fromtimestamp(filters.since, UTC).date().isoformat()))
            yield Answer(question, "The articles don't say.", True, "extractive")

    questions = tuple(Question(str(i), "What happened?", (), (), False, as_of=day)
                      for i, day in enumerate(("2024-06-20", "2024-07-01")))
    run_ours(Pipeline(), Dataset("dated", questions, {}), lambda as_of: make_filter("last week", as_of=as_of))
    assert seen == [("2024-06-20", "2024-06-07"), ("2024-07-01", "2024-06-18")]
