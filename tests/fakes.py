"""Test doubles that are not part of the product: a bag-of-words embedder and a scripted LLM."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence

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


class FakeLLM:
    """A scripted LLM: replies in order (or from a function) and records every call (like llm's MockModel)."""

    def __init__(self, replies: Sequence[str] | Callable[[str, str], str] = ()) -> None:
        self.name = "fake"
        self._replies = replies if callable(replies) else list(replies)
        self.calls: list[tuple[str, str]] = []

    def complete(self, system: str, user: str) -> str:
        self.calls.append((system, user))
        if callable(self._replies):
            return self._replies(system, user)
        if not self._replies:
            raise AssertionError("FakeLLM ran out of scripted replies")
        return self._replies.pop(0)

    def stream(self, system: str, user: str) -> Iterator[str]:
        text = self.complete(system, user)
        for i in range(0, len(text), 8):
            yield text[i:i + 8]

    def judge(self, system: str, user: str) -> float | None:
        """Like a server that reports no token probabilities: no judgement."""
        return None


class JudgingFakeLLM(FakeLLM):
    """A scripted LLM that also judges (like llama.cpp in process): judge() returns the scripted P(yes) - P(no)."""

    def __init__(self, replies=(), judgements: Sequence[float] = ()) -> None:
        super().__init__(replies)
        self._judgements = list(judgements)
        self.judged: list[tuple[str, str]] = []

    def judge(self, system: str, user: str) -> float:
        self.judged.append((system, user))
        if not self._judgements:
            raise AssertionError("JudgingFakeLLM ran out of scripted judgements")
        return self._judgements.pop(0)
