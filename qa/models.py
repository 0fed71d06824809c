"""Passage, Citation, Answer and the explanation they carry: the one data model shared by every layer."""
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
    published: str = ""    # ISO 8601 publication date, when the article says (HTML metadata, front matter, a dump)
    outlet: str = ""       # the outlet or publisher
    author: str = ""
    url: str = ""
    story: str = ""        # the story it belongs to: wire copies of one text share it (index.copies)
    also_in: tuple[str, ...] = ()   # the outlets whose copies of this passage were folded into it


@dataclass(frozen=True, slots=True)
class Citation:
    """What the answer text cites as [number]."""

    number: int
    source: str
    title: str
    quote: str
    score: float
    published: str = ""    # ISO 8601 publication date, when the article says (HTML metadata, front matter, a dump)
    outlet: str = ""       # the outlet or publisher
    author: str = ""
    url: str = ""
    also_in: tuple[str, ...] = ()   # other outlets that ran the same wire copy

    @classmethod
    def of(cls, passage: Passage, number: int, quote: str, score: float) -> Citation:
        """The citation of a passage, carrying its article's date, outlet, author and URL."""
        return cls(number, passage.source, passage.title, quote, score, passage.published, passage.outlet,
                   passage.author, passage.url, passage.also_in)


@dataclass(frozen=True, slots=True)
class SignalValue:
    """One evidence signal for one sentence: its value and what it added to the sentence's score."""

    name: str
    value: float
    contribution: float


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    """A sentence of a retrieved passage with its evidence score and the per-signal breakdown."""

    passage: int                          # index into Answer.passages
    sentence: str
    score: float
    signals: tuple[SignalValue, ...] = ()


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why the answer is what it is: what was searched, how the best sentences scored, the threshold."""

    searched: str                         # the (standalone) question that was searched
    threshold: float                      # evidence score below which the assistant refuses
    best_score: float                     # the best sentence's score (0 when nothing was retrieved)
    sentences: tuple[ScoredSentence, ...] = ()   # the best few, best first
    judge: float | None = None            # the reader's P(yes) - P(no) that the passages answer, when asked
    notes: tuple[str, ...] = ()
    time: str = ""                        # the publication range its time words point at, and the day asked


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
    standalone: str = ""                  # the question actually searched, when a follow-up was rewritten
    explanation: Explanation | None = None
    timings: dict[str, float] = field(default_factory=dict, compare=False)  # ms per stage of this answer
    direct: str = ""                      # the few words that answer ("2030"), checked against the quote; "" if none
    parts: tuple[str, ...] = ()           # the questions a multi-part question asked, answered in this order
    kind: str = ""                        # how it was answered: fact | yes/no | synthesis | coverage | multi-part

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (nested dataclasses as dicts, tuples as lists)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Match:
    """A passage a search found, with its best sentence for the query: what `qa search` and POST /v1/search give."""

    rank: int
    sentence: str                         # the passage's best-scored sentence (with the line it leans on)
    score: float                          # that sentence's evidence score
    passage: Passage

    def to_dict(self) -> dict:
        """Plain JSON-ready dict."""
        return asdict(self)
