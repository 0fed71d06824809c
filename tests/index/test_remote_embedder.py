"""Embedding over a server: `qa serve`'s OpenAI-compatible /v1/embeddings as a real process, the `openai` embedding
backend against it (vectors as the in-process model's, ingest and asks through it), a model mismatch refused."""
import os
import subprocess
import sys

import httpx
import numpy as np
import pytest

from index.remote_embedder import RemoteEmbedder
from qa.errors import BackendError, ConfigError
from qa.pipeline import NewsQA
from qa.settings import Settings
from tests.conftest import ARMS_QUESTION, CHOE_ARTICLE, SEEDS, free_port
from tests.servers import qa_running

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A `qa serve` process whose embedder (the bundled MiniLM, int8 ONNX) serves /v1/embeddings."""
    root = tmp_path_factory.mktemp("embed-server")
    with qa_running("serve", root / "data", root, env_extra={"QA_LLM": "extractive"}, ready="/healthz") as url:
        yield f"{url}/v1"


def test_served_vectors_are_the_in_process_model_s(served, tmp_path):
    texts = ["Putin expressed readiness to visit North Korea.", "The harbour reopened on Monday after repairs.",
             "Kim Jong Un met Russian officials in Pyongyang to discuss the arms trade."]
    remote = RemoteEmbedder(served, batch_size=2)
    local = NewsQA(Settings(data_dir=tmp_path)).embedder
    assert remote.name == local.name and remote.dimension == 384
    cosines = np.sum(remote.embed(texts) * local.embed(texts), axis=1)
    assert (cosines > 0.999).all(), cosines
    wrong = httpx.post(f"{served}/embeddings", json={"input": [], "model": remote.name})
    assert wrong.status_code == 400 and "input" in wrong.json()["error"]["message"]
    assert httpx.post(f"{served}/embeddings", json={"input": "x", "model": "bge-m3"}).status_code == 400


def test_ingest_and_ask_embed_over_the_server_and_another_model_is_refused(served, tmp_path):
    env = {**os.environ, "QA_DATA_DIR": str(tmp_path / "data"), "QA_EMBED_BACKEND": "openai",
           "QA_EMBED_BASE_URL": served, "QA_LLM": "extractive"}
    done = subprocess.run([sys.executable, "-m", "qa.cli", "ingest", str(SEEDS)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    settings = Settings(data_dir=tmp_path / "data", embed_backend="openai", embed_base_url=served, llm="extractive")
    pipeline = NewsQA(settings)
    assert pipeline.store().built_with()["embed_backend"] == "openai"
    assert pipeline.store().built_with()["sentence_vectors"] == "standalone"   # no token states over a server
    assert pipeline.ask(ARMS_QUESTION).citations[0].source == CHOE_ARTICLE
    # a collection embedded with another model than the server serves: one line, no answer
    store = pipeline.store()
    store._collection.modify(metadata={**store._collection.metadata, "built_with:embed_model": "bge-m3"})
    for command in (["ask", ARMS_QUESTION], ["ingest", str(SEEDS)]):
        refused = subprocess.run([sys.executable, "-m", "qa.cli", *command], env=env, capture_output=True, text=True,
                                 timeout=120)
        assert refused.returncode != 0 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        assert "'bge-m3'" in refused.stderr and "serves 'all-MiniLM-L6-v2'" in refused.stderr


def test_an_unreachable_server_is_one_clear_error():
    with pytest.raises(BackendError, match="Cannot reach the embedding server"):
        RemoteEmbedder(f"http://127.0.0.1:{free_port()}/v1", timeout=5)
    with pytest.raises(ConfigError, match="QA_EMBED_BASE_URL"):
        RemoteEmbedder("")
