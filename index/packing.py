"""Sentence vectors as stored beside their chunk: float16 rows, base64 (a 170-word chunk: ~5 KB)."""
from __future__ import annotations

import base64

import numpy as np


def pack_vectors(vectors: np.ndarray) -> str:
    """Sentence vectors as stored beside a chunk: float16, base64."""
    return base64.b64encode(np.asarray(vectors, dtype=np.float16).tobytes()).decode("ascii")


def unpack_vectors(packed: str, dimension: int) -> np.ndarray:
    """The stored sentence vectors of a chunk as float32 rows."""
    return np.frombuffer(base64.b64decode(packed), dtype=np.float16).reshape(-1, dimension).astype(np.float32)
