"""Passage, Citation, Answer: the one data model shared by every layer."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk of an article."""

    chunk_id: str
    source: str
    title: str
    text: str
    score: float


@dataclass(frozen=True, slots=True)
class Citation:
    """What the answer text cites as [number]."""

    number: int
    source: str
    title: str
    quote: str
    score: float


@dataclass(frozen=True, slots=True)
class Answer:
    """The assistant's reply: text with [n] markers, what it cites and what it retrieved."""

    question: str
    text: str
    refused: bool
    model: str
    citations: tuple[Citation, ...] = ()
    passages: tuple[Passage, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        """Plain JSON-ready dict; citations and passages as lists of objects."""
        data = asdict(self)
        data["citations"] = [asdict(c) for c in self.citations]
        data["passages"] = [asdict(p) for p in self.passages]
        data["warnings"] = list(self.warnings)
        return data
