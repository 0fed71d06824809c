"""Vectors from a transformer's token states: the whole text's (mean pooling, as sentence-transformers
pools MiniLM) and each sentence's from the same states (late chunking), so that one forward pass over a
chunk gives the chunk's vector and every sentence's."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Span = tuple[int, int]


def unit(vector: np.ndarray) -> np.ndarray:
    """vector scaled to length 1 (a zero vector stays zero)."""
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def text_vector(states: np.ndarray) -> np.ndarray:
    """The text's vector: the mean of all its token states ([CLS] and [SEP] included), unit length."""
    return unit(states.mean(axis=0)).astype(np.float32)


def span_vectors(states: np.ndarray, offsets: Sequence[Span], spans: Sequence[Span]) -> np.ndarray:
    """Each character span's vector: the mean of the states of the tokens inside it, unit length.

    Args:
        states: (tokens, dimension) token states of one text.
        offsets: each token's (start, end) characters in that text; special tokens are (0, 0).
        spans: (start, end) characters of the pieces wanted (sentences), in the same text.

    Returns:
        (len(spans), dimension) float32; a row is NaN where no token lies inside its span (the text was
        cut at the model's length limit before it).
    """
    out = np.full((len(spans), states.shape[1]), np.nan, dtype=np.float32)
    if not spans:
        return out
    starts = np.array([s for s, _ in offsets[:len(states)]])
    ends = np.array([e for _, e in offsets[:len(states)]])
    real = ends > starts
    for row, (start, end) in enumerate(spans):
        inside = real & (starts >= start) & (ends <= end)
        if inside.any():
            out[row] = unit(states[inside].mean(axis=0))
    return out
