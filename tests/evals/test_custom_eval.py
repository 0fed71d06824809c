"""`qa eval --dataset QUESTIONS.jsonl --corpus DIR`: the user's own questions over their own articles."""
import json
import subprocess
import sys

import pytest

from evals.datasets import load_dataset
from qa.errors import InputError

FESTIVAL = ("Zorblatt lantern festival returns to Quellmoor\n\nThe Zorblatt lantern festival will return to "
            "Quellmoor on 14 May, organisers said. About 12,000 visitors attended the last edition.")
HARBOUR = ("Quellmoor harbour reopens\n\nThe harbour of Quellmoor reopened on Monday after a storm closed it for "
           "three weeks. The mayor, Ada Brink, cut the ribbon.")


def write(tmp_path, rows):
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(r) if isinstance(r, dict) else r for r in rows) + "\n")
    return path


@pytest.mark.parametrize("line,message", [
    ('{"question": ""}', "'question' must be a non-empty string"),
    ('{"question": "Who?", "answers": "Ada"}', "'answers' must be a list of strings"),
    ('{"question": "Who?", "answerable": "yes", "answers": ["x"]}', "'answerable' must be true or false"),
    ('{"question": "Who?"}', "needs 'answers' or 'sources'"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
])
def test_bad_lines_are_named_by_number_and_field(tmp_path, line, message):
    path = write(tmp_path, [{"question": "Who cut the ribbon?", "answers": ["Ada Brink"]}, line])
    with pytest.raises(InputError, match=rf"questions.jsonl:2: .*{message}"):
        load_dataset(str(path), corpus_dir=tmp_path)


@pytest.mark.slow
def test_own_questions_over_own_articles_with_a_bar(tmp_path):
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "festival.txt").write_text(FESTIVAL)
    (corpus / "harbour.txt").write_text(HARBOUR)
    path = write(tmp_path, [
        {"question": "Who cut the ribbon at the Quellmoor harbour?", "answers": ["Ada Brink"], "sources": ["harbour"]},
        {"question": "How many visitors attended the Zorblatt festival?", "answers": ["12,000"],
         "sources": ["festival"]},
        {"question": "What is the population of Quellmoor?", "answerable": False}])
    base = [sys.executable, "-m", "qa.cli", "eval", "--dataset", str(path), "--corpus", str(corpus),
            "--out", str(tmp_path / "out"), "--data-dir", str(tmp_path / "data")]
    ok = subprocess.run(base + ["--min-accuracy", "0.5", "--min-hit-at-5", "1.0"], capture_output=True, text=True,
                        timeout=600)
    assert ok.returncode == 0, ok.stderr
    report = json.loads((tmp_path / "out" / "questions" / "report.json").read_text())
    metrics = report["pipelines"]["newsqa"]["metrics"]
    assert metrics["questions"] == 3 and metrics["hit_at_5"] == 1.0 and metrics["answer_accuracy"] == 1.0
    high = subprocess.run(base + ["--min-accuracy", "1.01"], capture_output=True, text=True, timeout=600)
    assert high.returncode == 1 and "below the bar" in high.stderr
    missing = subprocess.run(base[:7] + [str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "No such folder" in missing.stderr and "Traceback" not in missing.stderr
