import argparse

import pytest
from pydantic import ValidationError

from qa.cli import _settings, build_parser
from qa.settings import Settings


def test_env_overrides_defaults(monkeypatch):
    monkeypatch.setenv("QA_TOP_K", "7")
    monkeypatch.setenv("QA_LLM", "ollama")
    s = Settings()
    assert (s.top_k, s.llm, s.collection, s.host) == (7, "ollama", "articles", "127.0.0.1")


def test_cli_flags_override_env(monkeypatch):
    monkeypatch.setenv("QA_TOP_K", "7")
    args = build_parser().parse_args(["ask", "q", "--top-k", "3", "--collection", "news"])
    s = _settings(args)
    assert (s.top_k, s.collection) == (3, "news")


def test_secrets_are_masked(monkeypatch):
    monkeypatch.setenv("QA_LLM_API_KEY", "sk-secret")
    masked = Settings().masked()
    assert masked["llm_api_key"] == "**********" and "sk-secret" not in str(masked)


def test_bad_values_are_rejected(monkeypatch):
    monkeypatch.setenv("QA_TOP_K", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_every_subcommand_prints_its_help_with_every_setting_flag(capsys):
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    for name in commands:
        with pytest.raises(SystemExit) as done:
            parser.parse_args([name, "--help"])
        assert done.value.code == 0
        printed = capsys.readouterr().out
        assert name != "ask" or "--llm-flash-attention" in printed   # a help text with "%" once broke it
