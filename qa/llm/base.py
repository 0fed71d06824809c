"""What the answerers need from a language model, and the yes/no judgement read from token probabilities."""
from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from typing import Protocol

# single-token spellings of the judge's two possible replies
YES = ("yes", "Yes", "YES", " yes", " Yes")
NO = ("no", "No", "NO", " no", " No")


def cpu_threads() -> int:
    """Cores this process may run on (not a constant: containers and laptops differ)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class LLM(Protocol):
    """A chat model: whole replies, streamed replies, and a judgement where the backend reports probabilities."""

    name: str

    def complete(self, system: str, user: str) -> str:
        """The whole reply to a system and a user message."""

    def stream(self, system: str, user: str) -> Iterator[str]:
        """The reply in pieces as they are generated."""

    def judge(self, system: str, user: str) -> float | None:
        """P(yes) - P(no) of the first reply token, or None when the backend reports no probabilities."""


def yes_no_margin(logprobs: Iterable[tuple[str, float]]) -> float | None:
    """P(yes) - P(no) from (token, log-probability) pairs of one position (the top alternatives a server
    reports); None when neither answer is among them.

    Args:
        logprobs: the first reply token's alternatives with their natural-log probabilities.

    Returns:
        The margin in [-1, 1], or None.
    """
    p_yes = p_no = 0.0
    seen = False
    for token, logprob in logprobs:
        if token in YES:
            p_yes += math.exp(logprob)
            seen = True
        elif token in NO:
            p_no += math.exp(logprob)
            seen = True
    return p_yes - p_no if seen else None
