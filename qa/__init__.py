"""newsqa: answers about news articles, with citations. `from qa import ask`."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from qa.models import Answer, Citation, Passage

if TYPE_CHECKING:
    from qa.engine import Assistant

__all__ = ["Answer", "Citation", "Passage", "ask", "get_assistant"]

_assistants: dict[tuple, Assistant] = {}
_lock = threading.Lock()


def get_assistant(*, collection: str = "articles", llm: str | None = None) -> Assistant:
    """The cached Assistant for (data dir, collection, Chroma URL, LLM); built on first use.

    Raises:
        QAError: nothing ingested, bad configuration.
    """
    from qa.engine import build_assistant
    from qa.settings import Settings

    overrides: dict[str, object] = {"collection": collection}
    if llm is not None:
        overrides["llm"] = llm
    settings = Settings(**overrides)
    key = (str(settings.data_dir.resolve()), settings.collection, settings.chroma_url, settings.llm, settings.llm_model)
    with _lock:
        if key not in _assistants:
            _assistants[key] = build_assistant(settings)
        return _assistants[key]


def ask(question: str, *, collection: str = "articles", top_k: int | None = None, llm: str | None = None) -> Answer:
    """Answer a question from the ingested articles.

    Args:
        question: the question.
        collection: which collection to search.
        top_k: passages to retrieve (default QA_TOP_K).
        llm: "extractive", "llamacpp", "ollama" or "openai" (default QA_LLM).

    Returns:
        The Answer: text with [n] markers, citations, retrieved passages, refused flag.

    Raises:
        QAError: empty question, nothing ingested, bad configuration.
    """
    return get_assistant(collection=collection, llm=llm).ask(question, top_k=top_k)
