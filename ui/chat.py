"""The chat tab's handlers: stream an answer into the conversation, open a cited source. Presentation only:
every question goes through the pipeline's conversation API."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from qa.errors import QAError
from qa.filters import make_filter
from qa.models import Answer
from ui.render import answer_to_html, article_to_html, cited_passage, provenance

PENDING = "…"


def history_pairs(messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The (question, answer text) turns of a chat, for condensing follow-ups."""
    pairs, question = [], None
    for message in messages:
        if message.get("role") == "user":
            question = str(message.get("content", ""))
        elif message.get("role") == "assistant" and question is not None:
            meta = message.get("metadata") or {}
            pairs.append((question, str(meta.get("plain", ""))))
            question = None
    return pairs


def respond(pipeline: Any, messages: list[dict[str, Any]], question: str, answers: list[Any], answerer: str,
            top_k: int, show_passages: bool, since: str = "", until: str = "",
            outlets: str = "", as_of: str = "") -> Iterator[tuple[list[dict[str, Any]], str, list[Any], Any]]:
    """Stream one answer into the chat.

    Yields:
        (messages, cleared textbox, answers so far, source choices) after each piece.
    """
    import gradio as gr

    question = (question or "").strip()
    if not question:
        yield messages, "", answers, gr.update()
        return
    history = history_pairs(messages)
    messages = [*messages, {"role": "user", "content": question}, {"role": "assistant", "content": PENDING}]
    yield messages, "", answers, gr.update()
    written = ""
    try:
        day = (as_of or "").strip() or None
        filters = make_filter(since or None, until or None, [o for o in (outlets or "").split(",") if o.strip()],
                              as_of=day)
        for piece in pipeline.chat_stream(history, question, top_k=int(top_k), answerer=answerer or None,
                                          filters=filters, as_of=day):
            if isinstance(piece, Answer):
                answers = [*answers, piece]
                messages[-1] = {"role": "assistant", "content": answer_to_html(piece, show_passages=show_passages),
                                "metadata": {"plain": piece.text}}
                yield messages, "", answers, source_choices(piece)
                return
            written += piece
            messages[-1] = {"role": "assistant", "content": _escape(written) + " ▌"}
            yield messages, "", answers, gr.update()
    except QAError as err:
        messages[-1] = {"role": "assistant", "content": f'<p class="qa-error">⚠ {_escape(str(err))}</p>',
                        "metadata": {"plain": ""}}
        yield messages, "", answers, gr.update()


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def source_choices(answer: Answer) -> Any:
    """The source picker for the latest answer: one entry per citation, in order."""
    import gradio as gr

    choices = [(f"[{c.number}] {c.title} ({c.source})", f"{c.number}") for c in answer.citations]
    return gr.update(choices=choices, value=None, visible=bool(choices))


def open_source(pipeline: Any, answers: list[Answer], number: str | None) -> str:
    """The whole article behind citation `number` of the latest answer, its cited passage highlighted."""
    if not answers or not number:
        return ""
    answer = answers[-1]
    citation = next((c for c in answer.citations if str(c.number) == str(number)), None)
    if citation is None:
        return ""
    try:
        title, body = pipeline.article(citation.source)
    except QAError as err:
        return f'<p class="qa-error">⚠ {_escape(str(err))}</p>'
    passage = cited_passage(answer, citation)
    quotes = [citation.quote] + ([passage.text] if passage and citation.quote not in body else [])
    return article_to_html(citation.source, title, body, quotes, provenance(citation))
