"""Test doubles that are not part of the product: a deterministic bag-of-words embedder."""
from __future__ import annotations

import hashlib
import re

import numpy as np


class BagOfWordsEmbedder:
    """Hashes lower-cased words into a fixed-size unit vector: similar wording, similar vector."""

    name = "bag-of-words"
    batch_size = 8
    dimension = 256

    def embed(self, texts, progress=False):
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    def embed_query(self, text):
        return self.embed([text])[0]
