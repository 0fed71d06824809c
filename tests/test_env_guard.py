"""A machine's QA_* settings reach no fixture, not even those built once per session or module."""
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def settings_seen_by_session_fixtures() -> list[str]:
    return sorted(key for key in os.environ if key.startswith("QA_"))


def test_session_fixtures_see_no_qa_setting(settings_seen_by_session_fixtures):
    assert settings_seen_by_session_fixtures == []


def test_a_machine_setting_does_not_reach_session_fixtures():
    env = {**os.environ, "QA_JUDGE_ORDER": "question", "QA_LLM": "llamacpp"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k",
                          "session_fixtures_see_no_qa_setting"], env=env, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "1 passed" in run.stdout
