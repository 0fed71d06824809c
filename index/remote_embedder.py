"""Embeddings from a server that speaks OpenAI's `/v1/embeddings` (Text Embeddings Inference, vLLM, Infinity,
Ollama, llama.cpp's server, or another machine's `qa serve`): the ingest's heaviest work leaves this process.

The server reports the model it serves; a collection records it, and a server serving another model is refused
with one line (its vectors would not be comparable). A server returns one vector per text, never token states,
so each sentence's vector is embedded on its own (ingest's `standalone` sentence vectors).
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from index.embedder import _QueryCache
from qa.errors import BackendError, ConfigError

BATCH = 64


class RemoteEmbedder(_QueryCache):
    """Unit-length float32 vectors from an OpenAI-compatible embeddings endpoint."""

    variant = "openai"
    spans = False   # no token states: sentence vectors are embedded on their own

    def __init__(self, base_url: str, model: str = "", api_key: str = "", timeout: float = 120.0,
                 batch_size: int = 0) -> None:
        """
        Args:
            base_url: the server's OpenAI base, e.g. http://127.0.0.1:7997/v1.
            model: the model name to ask for ("" lets the server pick its one model).
            api_key: bearer token, when the server wants one.
            timeout: seconds per request.
            batch_size: texts per request (0: 64).
        """
        import httpx

        super().__init__()
        if not base_url:
            raise ConfigError("QA_EMBED_BACKEND=openai needs QA_EMBED_BASE_URL (e.g. http://127.0.0.1:7997/v1)")
        self.base_url = base_url.rstrip("/")
        self.batch_size = batch_size or BATCH
        self._model = model
        self._client = httpx.Client(timeout=timeout, headers={"Authorization": f"Bearer {api_key}"} if api_key else {})
        self._lock = threading.Lock()
        first = self._request(["newsqa"])   # what the server serves, and its dimension
        self.name = str(first[1] or model or "unknown")
        self.dimension = int(first[0].shape[1])

    def require(self, model: str, collection: str) -> None:
        """Refuse (ConfigError, one line) when the server does not serve the model a collection was embedded with."""
        if model and model != self.name:
            raise ConfigError(f"Collection {collection!r} was embedded with {model!r}, but the server at "
                              f"{self.base_url} serves {self.name!r}: serve that model, or ingest into another "
                              "collection")

    def _request(self, texts: list[str]) -> tuple[np.ndarray, str]:
        import httpx

        body: dict[str, Any] = {"input": texts, "encoding_format": "float"}
        if self._model:
            body["model"] = self._model
        try:
            response = self._client.post(f"{self.base_url}/embeddings", json=body)
        except httpx.HTTPError as err:
            raise BackendError(f"Cannot reach the embedding server at {self.base_url}: {err}") from err
        if response.status_code != 200:
            raise BackendError(f"The embedding server at {self.base_url} answered {response.status_code}: "
                               f"{response.text[:200]}")
        try:
            got = response.json()
            rows = sorted(got["data"], key=lambda d: d.get("index", 0))
            vectors = np.asarray([r["embedding"] for r in rows], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as err:
            raise BackendError(f"The embedding server at {self.base_url} sent no embeddings: {err}") from err
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise BackendError(f"The embedding server at {self.base_url} sent {len(vectors)} vectors for "
                               f"{len(texts)} texts")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0), str(got.get("model", ""))

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Unit-length vectors of texts, in order (requests of batch_size texts)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = [self._request(list(texts[i:i + self.batch_size]))[0] for i in range(0, len(texts), self.batch_size)]
        return np.concatenate(parts)

    def embed_with_spans(self, texts: Sequence[str], spans: Sequence[Sequence[Any]],
                         progress: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
        raise ConfigError("an embedding server gives no token states: use standalone sentence vectors")
