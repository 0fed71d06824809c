"""Shared fixtures: every data directory under tmp_path, the real model loaded once per session."""
from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
CHOE_ARTICLE = "004_23f38ab0d320b1ba"
ARMS_QUESTION = "Why do Washington and its allies criticise the arms trade between Russia and North Korea?"


def cleared(patch: pytest.MonkeyPatch) -> None:
    """Every QA_* variable removed from the environment (restored when patch undoes)."""
    for key in [key for key in os.environ if key.startswith("QA_")]:
        patch.delenv(key)


@pytest.fixture(scope="session", autouse=True)
def machine_env_cleared():
    """No QA_* setting of the machine reaches the session and module fixtures either: they are built before
    isolated_env (a developer's QA_JUDGE_ORDER or QA_LLM would change what the real-model fixtures answer with)."""
    with pytest.MonkeyPatch.context() as patch:
        cleared(patch)
        yield


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No QA_* setting leaks in from the machine or an earlier test; the index lives in tmp_path."""
    cleared(monkeypatch)
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QA_LLM", "extractive")  # no model unless a test asks for one (the model tests do)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    yield


@pytest.fixture(scope="session")
def embedder():
    """The real bundled MiniLM (loaded once)."""
    from index.embedder import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def seeded_dir(tmp_path_factory, embedder) -> Path:
    """A data dir holding the seeds, ingested once for the session (copy it before changing it)."""
    from index.chunker import Chunker
    from index.ingest import ingest_folder
    from index.store import ChunkStore

    data = tmp_path_factory.mktemp("seeded")
    store = ChunkStore(data, "articles", create=True)
    ingest_folder(SEEDS, store, embedder, Chunker(), progress=False)
    return data


@pytest.fixture(scope="session")
def seeded_pipeline(seeded_dir, embedder):
    """An extractive NewsQA over the seeded index (read-only: copy seeded_dir before changing articles). Extractive
    by its own settings: a session fixture is built before isolated_env clears the machine's QA_* and sets
    QA_LLM=extractive, so without them it would answer with whatever model the machine has installed."""
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    return NewsQA(Settings(data_dir=seeded_dir, llm="extractive", answerer="extractive"), embedder=embedder)


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """A private, writable copy of the seed articles."""
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
