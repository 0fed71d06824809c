"""llama.cpp in process: chat with the GGUF's own chat template, stream, and a yes/no judgement read from
the logits of the first reply token (prompt evaluation only, no generation).

The loaded model is cached per process (a cache, keyed by file and context size): loading 1.1 GB
once is the point.
"""
from __future__ import annotations

import atexit
import contextlib
import math
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import BackendError, ConfigError

_MODELS: dict[tuple[str, int], Any] = {}
_MODELS_LOCK = threading.Lock()
_YES = ("yes", "Yes", "YES", " yes", " Yes")
_NO = ("no", "No", "NO", " no", " No")


def cpu_threads() -> int:
    """Cores this process may run on (not a constant: containers and laptops differ)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def load_llama(path: Path, context_tokens: int) -> Any:
    """The llama_cpp.Llama for a GGUF, loaded once per process.

    Raises:
        ConfigError: llama-cpp-python is missing or the file does not load.
    """
    try:
        import llama_cpp
    except ImportError as err:
        raise ConfigError("llama.cpp is not installed: pip install 'newsqa[llamacpp]'") from err
    key = (str(path), context_tokens)
    with _MODELS_LOCK:
        if key not in _MODELS:
            if not _MODELS:
                atexit.register(_close_all)
            try:
                _MODELS[key] = llama_cpp.Llama(model_path=str(path), n_ctx=context_tokens, n_threads=cpu_threads(),
                                               n_threads_batch=cpu_threads(), n_batch=512, seed=0, verbose=False)
            except (ValueError, RuntimeError) as err:
                raise ConfigError(f"Cannot load the GGUF model {path}: {err}") from err
        return _MODELS[key]


def _close_all() -> None:
    """Free the models before the interpreter tears down the library they live in (else llama-cpp-python's
    finaliser prints a TypeError at exit)."""
    with _MODELS_LOCK:
        for llm in _MODELS.values():
            with contextlib.suppress(Exception):
                llm.close()
        _MODELS.clear()


class LlamaCppChat:
    """Our LLM protocol over llama_cpp.Llama's chat completion (the chat template stored in the GGUF)."""

    def __init__(self, path: Path, *, context_tokens: int = 4096, max_tokens: int = 256,
                 temperature: float = 0.0, name: str | None = None) -> None:
        self.path = Path(path)
        self.name = name or f"llamacpp:{self.path.name}"
        self.max_tokens = max_tokens
        self.temperature = temperature
        self._llm = load_llama(self.path, context_tokens)
        self._lock = threading.Lock()  # one llama context: one request at a time
        self._yes = _token_ids(self._llm, _YES)
        self._no = _token_ids(self._llm, _NO)

    @staticmethod
    def _messages(system: str, user: str) -> list[dict[str, str]]:
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def complete(self, system: str, user: str) -> str:
        """The whole reply."""
        return "".join(self.stream(system, user))

    def stream(self, system: str, user: str, *, max_tokens: int | None = None) -> Iterator[str]:
        """The reply in pieces as they are generated."""
        with self._lock:
            try:
                chunks = self._llm.create_chat_completion(
                    self._messages(system, user), max_tokens=max_tokens or self.max_tokens,
                    temperature=self.temperature, seed=0, stream=True)
                for chunk in chunks:
                    delta = chunk["choices"][0].get("delta", {}).get("content")
                    if delta:
                        yield delta
            except ValueError as err:  # e.g. the prompt does not fit the context window
                raise BackendError(f"llama.cpp failed: {err}") from err

    def judge(self, system: str, user: str) -> float:
        """P(yes) - P(no) for the first token of the reply: the model's judgement, without generating.

        The prompt is formatted with the GGUF's chat template up to the start of the assistant's reply;
        the tokens it shares with the previous request are reused from the KV cache.
        """
        prompt = self._format(system, user)
        tokens = self._llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        with self._lock:
            llm = self._llm
            if len(tokens) >= llm.n_ctx():
                raise BackendError(f"llama.cpp: the prompt ({len(tokens)} tokens) does not fit the context")
            shared = 0
            for old, new in zip(llm._input_ids[:llm.n_tokens], tokens[:-1]):
                if old != new:
                    break
                shared += 1
            llm.n_tokens = shared
            llm._ctx.kv_cache_seq_rm(-1, shared, -1)
            llm.eval(tokens[shared:])
            # without logits_all llama.cpp keeps the logits of the last evaluated token only: exactly these
            logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),)).astype(np.float64)
        top = float(logits.max())
        norm = math.log(float(np.exp(logits - top).sum())) + top
        p_yes = sum(math.exp(logits[i] - norm) for i in self._yes)
        p_no = sum(math.exp(logits[i] - norm) for i in self._no)
        return p_yes - p_no

    def _format(self, system: str, user: str) -> str:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llm = self._llm
        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ConfigError(f"{self.path.name} stores no chat template")
        eos = llm.detokenize([llm.token_eos()]).decode("utf-8", "ignore")
        bos = llm.detokenize([llm.token_bos()]).decode("utf-8", "ignore") if llm.token_bos() >= 0 else ""
        formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos, add_generation_prompt=True)
        return formatter(messages=self._messages(system, user)).prompt


def _token_ids(llm: Any, words: tuple[str, ...]) -> tuple[int, ...]:
    """Ids of the single-token spellings of words (multi-token spellings are left out)."""
    ids: list[int] = []
    for word in words:
        found = llm.tokenize(word.encode("utf-8"), add_bos=False, special=False)
        if len(found) == 1 and found[0] not in ids:
            ids.append(found[0])
    return tuple(ids)
