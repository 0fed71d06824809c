"""Every prompt template and the refusal sentence, nowhere else."""
from __future__ import annotations

from collections.abc import Sequence

REFUSAL = "The articles don't say."

SYSTEM = (
    "You answer questions about news articles using only the numbered sources given. "
    "Write a short answer (one to three sentences). After every claim put the number of the "
    "source that supports it in square brackets, like [1] or [2]. Do not use any outside "
    f"knowledge. If the sources do not contain the answer, reply exactly: {REFUSAL}"
)


def format_sources(texts: Sequence[tuple[str, str]]) -> str:
    """Render (title, text) pairs as a numbered source list for the prompt.

    Args:
        texts: title and passage text, in citation order.

    Returns:
        The sources block, numbered from 1.
    """
    return "\n\n".join(f"[{i}] {title}\n{text}" for i, (title, text) in enumerate(texts, 1))


def build_user_prompt(question: str, texts: Sequence[tuple[str, str]]) -> str:
    """The user message: numbered sources, then the question.

    Args:
        question: the user's question.
        texts: title and passage text, in citation order.

    Returns:
        The prompt text.
    """
    return f"Sources:\n\n{format_sources(texts)}\n\nQuestion: {question}\nAnswer:"
