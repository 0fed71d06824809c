"""Bulk ingest on a real local Ray instance: actors embed, this process writes; the index equals a plain ingest's."""
import os
import subprocess
import sys

import numpy as np
import pytest

from index.store import ChunkStore
from qa.pipeline import NewsQA
from qa.settings import Settings
from tests.conftest import ARMS_QUESTION, CHOE_ARTICLE, SEEDS

pytestmark = pytest.mark.slow
pytest.importorskip("ray")


def stored(data_dir):
    store = ChunkStore(data_dir, "articles")
    got = store._collection.get(include=["documents", "metadatas", "embeddings"])
    rows = sorted(zip(got["ids"], got["documents"], got["embeddings"]), key=lambda r: r[0])
    return store, rows, store.sentence_vectors([r[0] for r in rows])


def test_ray_ingest_gives_the_index_a_plain_ingest_gives(tmp_path):
    env = {**os.environ, "QA_DATA_DIR": str(tmp_path / "ray"), "QA_RAY_WORKERS": "2"}
    done = subprocess.run([sys.executable, "-m", "qa.cli", "ingest", str(SEEDS), "--ray"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "5 new" in done.stdout and "15 in the index" in done.stdout
    NewsQA(Settings(data_dir=tmp_path / "plain")).ingest(SEEDS)
    (ray_store, ray_rows, ray_sentences), (plain_store, plain_rows, plain_sentences) = (
        stored(tmp_path / "ray"), stored(tmp_path / "plain"))
    assert [r[:2] for r in ray_rows] == [r[:2] for r in plain_rows]
    assert np.allclose([r[2] for r in ray_rows], [r[2] for r in plain_rows], atol=1e-5)
    assert ray_sentences == plain_sentences and ray_store.article_hashes() == plain_store.article_hashes()
    pipeline = NewsQA(Settings(data_dir=tmp_path / "ray", llm="extractive"))
    assert pipeline.check() == [] and pipeline.ask(ARMS_QUESTION).citations[0].source == CHOE_ARTICLE
    again = subprocess.run([sys.executable, "-m", "qa.cli", "ingest", str(SEEDS), "--ray"], env=env,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "5 unchanged" in again.stdout


def test_an_unreachable_cluster_is_one_line(tmp_path):
    env = {**os.environ, "QA_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "qa.cli", "ingest", str(SEEDS), "--ray", "127.0.0.1:9"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "Ray" in done.stderr and "Traceback" not in done.stderr
