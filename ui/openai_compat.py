"""newsqa as an OpenAI-compatible chat model: messages in, a chat completion (or its chunks) out.

The message content is the answer with its numbered sources under it; the structured citations travel in a
field of their own (`citations`), and the whole Answer in `newsqa`. Earlier turns make a follow-up.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from qa.errors import InputError
from qa.models import Answer
from ui.render import answer_to_text

MODEL = "newsqa"
_SOURCES = "\n\nSources:"


def content_of(message: dict[str, Any]) -> str:
    """The text of a message whose content is a string or a list of parts ({"type": "text", "text": ...})."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def conversation(messages: Sequence[dict[str, Any]]) -> tuple[list[tuple[str, str]], str]:
    """(earlier (question, answer) turns, the question) from chat messages; system messages are ignored.

    Raises:
        InputError: no messages, or the last one is not the user's.
    """
    turns = [m for m in messages if isinstance(m, dict) and m.get("role") in ("user", "assistant")]
    if not turns or turns[-1].get("role") != "user":
        raise InputError("messages must end with the user's question")
    history, question = [], None
    for message in turns[:-1]:
        if message["role"] == "user":
            question = content_of(message)
        elif question is not None:
            history.append((question, content_of(message).split(_SOURCES)[0].strip()))
            question = None
    return history, content_of(turns[-1])


def _base(created: int, completion_id: str, kind: str) -> dict[str, Any]:
    return {"id": completion_id, "object": kind, "created": created, "model": MODEL}


def _extras(answer: Answer) -> dict[str, Any]:
    data = answer.to_dict()
    return {"citations": data["citations"], "newsqa": data}


def completion(answer: Answer) -> dict[str, Any]:
    """A whole chat.completion for an Answer."""
    text = answer_to_text(answer)
    return {**_base(int(time.time()), f"chatcmpl-{uuid.uuid4().hex}", "chat.completion"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}, **_extras(answer)}


def completion_chunks(pieces: Iterator[str | Answer]) -> Iterator[dict[str, Any]]:
    """chat.completion.chunk objects as the answer is written; the last one carries the sources, the
    citations and the Answer. When checking changed the streamed text, the checked answer follows it."""
    created, completion_id = int(time.time()), f"chatcmpl-{uuid.uuid4().hex}"

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
        return {**_base(created, completion_id, "chat.completion.chunk"),
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}

    yield chunk({"role": "assistant", "content": ""})
    streamed = ""
    for piece in pieces:
        if isinstance(piece, Answer):
            full = answer_to_text(piece)
            rest = full[len(streamed):] if full.startswith(streamed) else f"\n\nChecked answer:\n{full}"
            yield chunk({"content": rest} if rest else {}, "stop", **_extras(piece))
            return
        streamed += piece
        yield chunk({"content": piece})


MAX_INPUTS = 2048
MAX_CHARS = 100_000


def embeddings(embedder: Any, texts: str | list[str], model: str | None) -> dict[str, Any]:
    """OpenAI's embeddings response for texts, from the embedder new chunks get (InputError: bad input)."""
    texts = [texts] if isinstance(texts, str) else texts
    if not texts or len(texts) > MAX_INPUTS or any(not isinstance(t, str) or not t.strip() for t in texts):
        raise InputError(f"input must be a non-empty text or a list of 1 to {MAX_INPUTS} non-empty texts")
    if any(len(t) > MAX_CHARS for t in texts):
        raise InputError(f"each input must be at most {MAX_CHARS} characters")
    if model and model != embedder.name:
        raise InputError(f"this server embeds with {embedder.name!r}, not {model!r}")
    vectors = embedder.embed(texts)
    return {"object": "list", "model": embedder.name, "usage": {"prompt_tokens": 0, "total_tokens": 0},
            "data": [{"object": "embedding", "index": i, "embedding": [float(x) for x in v]}
                     for i, v in enumerate(vectors)]}
