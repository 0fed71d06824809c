"""newsqa: answers about news articles, with citations. `from qa import ask`."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from qa.models import Answer, Citation, Match, Passage

if TYPE_CHECKING:
    from qa.pipeline import NewsQA

__all__ = ["Answer", "Citation", "Match", "Passage", "ask", "get_pipeline", "search"]

_pipelines: dict[str, NewsQA] = {}   # a cache: one pipeline per distinct effective settings
_lock = threading.Lock()


def get_pipeline(**overrides: object) -> NewsQA:
    """The cached NewsQA for the effective settings (QA_* variables plus overrides); built on first use.

    The cache key is the whole settings object, so changing any setting (in the environment or here)
    gives a pipeline built with the new values, never the old one.

    Raises:
        QAError: bad configuration.
    """
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    key = settings.cache_key()
    with _lock:
        if key not in _pipelines:
            _pipelines[key] = NewsQA(settings)
        return _pipelines[key]


def ask(question: str, *, collection: str = "articles", top_k: int | None = None, llm: str | None = None,
        answerer: str | None = None, since: str | None = None, until: str | None = None,
        outlets: list[str] | None = None, as_of: str | None = None) -> Answer:
    """Answer a question from the ingested articles.

    Args:
        question: the question.
        collection: which collection to search.
        top_k: passages to retrieve (default QA_TOP_K).
        llm: the model backend: "extractive" (none), "llamacpp", "ollama" or "openai" (default QA_LLM: llamacpp
            when the Qwen model is installed).
        answerer: "extractive", "judged" or "reader" (default QA_ANSWERER: judged when there is a model).
        since, until: only articles published in this date range (inclusive): YYYY-MM-DD, a year, or time words
            read as of as_of ("yesterday", "last week", "3 days ago", "June").
        outlets: only articles of these outlets.
        as_of: the day the question is asked (YYYY-MM-DD, default today): "this week" is read relative to it.

    Returns:
        The Answer: text with [n] markers, citations, retrieved passages, refused flag.

    Raises:
        QAError: empty question, nothing ingested, bad configuration.
    """
    from qa.filters import make_filter

    return get_pipeline(collection=collection, llm=llm, answerer=answerer).ask(
        question, top_k=top_k, filters=make_filter(since, until, outlets, as_of=as_of), as_of=as_of)


def search(query: str, *, collection: str = "articles", top_k: int | None = None, since: str | None = None,
           until: str | None = None, outlets: list[str] | None = None, as_of: str | None = None) -> tuple[Match, ...]:
    """The passages a question (or a few words) finds, best first, each with its best-scored sentence: what
    qa.ask reads, with no answer and no model (`qa search`). The arguments are qa.ask's.

    Raises:
        QAError: empty query, nothing ingested, bad dates.
    """
    from qa.filters import make_filter

    return get_pipeline(collection=collection).search(
        query, top_k, filters=make_filter(since, until, outlets, as_of=as_of), as_of=as_of)
