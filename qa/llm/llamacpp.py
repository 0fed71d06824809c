"""llama.cpp itself, as the worker process runs it: load a GGUF safely on any x86 CPU, chat with the GGUF's
own template, stream, and read a yes/no judgement from the first reply token's logits (no generation).

Only qa.llm.worker imports this module, inside the worker process: a native crash here never takes the
asking process with it.
"""
from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import BackendError, ConfigError
from qa.llm.base import NO, YES, cpu_threads
from qa.llm.lookup import greedy, pieces
from qa.llm.prefixes import SavedPrefixes

SEQUENCES = 16   # candidates judged side by side in one batch, each a sequence of its own after the shared prefix


@contextlib.contextmanager
def _model_params(extra_buffers: bool) -> Iterator[None]:
    """llama_cpp.Llama has no argument for use_extra_bufts, n_seq_max or kv_unified: set them in the default
    params it starts from. Safe here: the worker process loads one model, on one thread.

    Sequences share one unified KV cache: a candidate's sequence reads the shared prefix's cells, not a copy."""
    import llama_cpp.llama as module

    model_defaults = module.llama_cpp.llama_model_default_params
    context_defaults = module.llama_cpp.llama_context_default_params

    def model_params() -> Any:
        found = model_defaults()
        found.use_extra_bufts = extra_buffers
        return found

    def context_params() -> Any:
        found = context_defaults()
        found.n_seq_max = SEQUENCES + 1
        found.kv_unified = True
        return found

    module.llama_cpp.llama_model_default_params = model_params
    module.llama_cpp.llama_context_default_params = context_params
    try:
        yield
    finally:
        module.llama_cpp.llama_model_default_params = model_defaults
        module.llama_cpp.llama_context_default_params = context_defaults


class LlamaCppModel:
    """One GGUF loaded with llama-cpp-python: chat completion, streaming and the first-token judgement."""

    def __init__(self, path: Path, *, context_tokens: int = 4096, max_tokens: int = 256,
                 temperature: float = 0.0, extra_buffers: str = "off", flash_attention: bool = True) -> None:
        """Load the model (seconds for 1.1 GB; the worker does it once).

        Raises:
            ConfigError: llama-cpp-python is missing or the file does not load.
        """
        try:
            import llama_cpp
        except ImportError as err:
            raise ConfigError("llama.cpp is not installed: pip install 'newsqa[llamacpp]'") from err
        self.path = Path(path)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.extra_buffers = extra_buffers == "on"   # "auto" is resolved by the asking process (qa.llm.amx)
        try:
            with _model_params(self.extra_buffers):
                # repacked weights are copies: reading the file, not mapping it, keeps its pages from staying
                # resident beside them (the 8-bit Qwen with the AMX repack: 2.2 GB resident against 3.5 GB)
                self._llm = llama_cpp.Llama(model_path=str(path), n_ctx=context_tokens, n_threads=cpu_threads(),
                                            n_threads_batch=cpu_threads(), n_batch=512, seed=0, verbose=False,
                                            use_mmap=not self.extra_buffers, flash_attn=flash_attention)
        except (ValueError, RuntimeError) as err:
            raise ConfigError(f"Cannot load the GGUF model {path}: {err}") from err
        self.flash_attention = self._llm.context_params.flash_attn_type == llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED
        self._yes = _token_ids(self._llm, YES)
        self._no = _token_ids(self._llm, NO)
        self.evaluated = 0   # prompt tokens evaluated so far (those reused from the KV cache are not)
        self._saved = SavedPrefixes(self._llm, self._tokens)

    @staticmethod
    def _messages(system: str, user: str) -> list[dict[str, str]]:
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def stream(self, system: str, user: str, max_tokens: int | None = None) -> Iterator[str]:
        """The reply in pieces as they are generated (after its system prompt, the rest evaluated as one batch).
        Greedy (temperature 0) with prompt-lookup drafts (qa.llm.lookup); sampled through llama-cpp-python."""
        tokens = self._tokens(system, user)
        held = self._system_only(system, tokens)
        if self.temperature <= 0:
            self.evaluated += len(tokens) - held
            try:
                yield from pieces(self._llm, greedy(self._llm, tokens, held, max_tokens or self.max_tokens))
            except RuntimeError as err:   # llama-cpp-python's eval: llama_decode failed
                raise BackendError(f"llama.cpp failed: {err}") from err
            return
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

    def _system_only(self, system: str, tokens: list[int]) -> int:
        """Make sequence 0 hold exactly the system prompt's tokens of tokens (loaded from its saved state, or
        evaluated as a batch of their own and saved), so the rest is always evaluated from the same point, into
        the same cells.

        The same prompt then gets the same judgement whatever came before it: the model's P(yes) - P(no) moves by
        up to 0.07 with where llama.cpp's batches start and where its tokens sit in the cache.

        Returns:
            how many tokens sequence 0 holds (the system prompt's).
        """
        llm = self._llm
        prefix = self._saved.prefix(system)
        n = len(prefix) if tokens[:len(prefix)] == prefix and len(prefix) < len(tokens) else 0
        if _held(llm, tokens[:n]) < n and not (n and self._saved.restore(system)):
            llm.n_tokens = 0
            llm._ctx.kv_cache_seq_rm(0, 0, -1)
            llm.eval(tokens[:n])
            self.evaluated += n
            self._saved.remember(system)
        llm.n_tokens = n
        llm._ctx.kv_cache_seq_rm(0, n, -1)
        return n

    def judge(self, system: str, user: str) -> float:
        """P(yes) - P(no) for the first token of the reply: the model's judgement, without generating."""
        p_yes, p_no = self.first_token_probs(system, user, (self._yes, self._no))
        return p_yes - p_no

    def judge_many(self, system: str, users: list[str]) -> list[float]:
        """The judgement of each prompt. The prefix they share (the instructions and the question) is evaluated
        once into sequence 0 of the KV cache (or reused from it); then every prompt's own tail is decoded in one
        batch, each as a sequence of its own that reads the shared prefix: one pass over all the candidates."""
        if len(users) < 2:
            return [self.judge(system, user) for user in users]
        llm = self._llm
        prompts = [self._tokens(system, user) for user in users]
        common = min(len(os.path.commonprefix(prompts)), min(len(p) for p in prompts) - 1)
        held_tokens = self._system_only(system, prompts[0])
        if common > held_tokens:   # the question: evaluated once, each candidate's tail reads it
            llm.eval(prompts[0][held_tokens:common])
            self.evaluated += common - held_tokens
        common = max(common, held_tokens)
        out: list[float] = []
        group: list[list[int]] = []
        for prompt in prompts:   # as many candidates as fit one batch
            tail = prompt[common:]
            if group and (len(group) >= SEQUENCES or sum(map(len, group)) + len(tail) > llm.n_batch):
                out += self._judge_tails(group, common)
                group = []
            group.append(tail)
        return out + self._judge_tails(group, common)

    def _judge_tails(self, tails: list[list[int]], start: int) -> list[float]:
        """Decode each tail as sequence 1, 2, … after the first start tokens of sequence 0; their judgements."""
        import llama_cpp

        ctx = self._llm._ctx
        batch = llama_cpp.llama_batch_init(sum(map(len, tails)), 0, 1)
        last: list[int] = []
        try:
            n = 0
            for seq, tail in enumerate(tails, 1):
                ctx.kv_cache_seq_cp(0, seq, 0, start)
                for offset, token in enumerate(tail):
                    batch.token[n], batch.pos[n], batch.n_seq_id[n] = token, start + offset, 1
                    batch.seq_id[n][0] = seq
                    batch.logits[n] = offset == len(tail) - 1
                    n += 1
                last.append(n - 1)
            batch.n_tokens = n
            if llama_cpp.llama_decode(ctx.ctx, batch) != 0:
                raise BackendError("llama.cpp could not decode the candidates' batch")
            self.evaluated += n
            return [self._margin(llama_cpp.llama_get_logits_ith(ctx.ctx, i)) for i in last]
        finally:
            for seq in range(1, len(tails) + 1):
                ctx.kv_cache_seq_rm(seq, 0, -1)
            llama_cpp.llama_batch_free(batch)

    def _margin(self, pointer: Any) -> float:
        p_yes, p_no = self._probs(pointer, (self._yes, self._no))
        return p_yes - p_no

    def choose(self, system: str, user: str, options: int) -> list[float]:
        """The probability that the reply starts with each of the numbers 0..options (a listwise choice read
        from the logits, not from generated text)."""
        return self.first_token_probs(system, user, [_token_ids(self._llm, (str(n), f" {n}"))
                                                     for n in range(options + 1)])

    def first_token_probs(self, system: str, user: str, groups) -> list[float]:
        """The probability of each group of token ids as the first token of the reply.

        The prompt is formatted with the GGUF's chat template up to the start of the assistant's reply; its
        system prompt's tokens are reused from the KV cache, the rest evaluated (self.evaluated counts the
        tokens actually evaluated).
        """
        tokens = self._tokens(system, user)
        held_tokens = self._system_only(system, tokens)
        self._llm.eval(tokens[held_tokens:])
        self.evaluated += len(tokens) - held_tokens
        # without logits_all llama.cpp keeps the logits of the last evaluated token only: exactly these
        return self._probs(self._llm._ctx.get_logits(), groups)

    def _tokens(self, system: str, user: str) -> list[int]:
        llm = self._llm
        tokens = llm.tokenize(self._format(system, user).encode("utf-8"), add_bos=False, special=True)
        if len(tokens) >= llm.n_ctx():
            raise BackendError(f"llama.cpp: the prompt ({len(tokens)} tokens) does not fit the context")
        return tokens

    def _probs(self, pointer: Any, groups) -> list[float]:
        """The probability of each group of token ids, from one position's logits."""
        logits = np.ctypeslib.as_array(pointer, shape=(self._llm.n_vocab(),)).astype(np.float64)
        top = float(logits.max())
        norm = math.log(float(np.exp(logits - top).sum())) + top
        return [sum(math.exp(logits[i] - norm) for i in ids) for ids in groups]

    def _format(self, system: str, user: str) -> str:
        return self._format_turns(self._messages(system, user))

    def _format_turns(self, turns: list[dict[str, str]]) -> str:
        """The conversation in the GGUF's own chat template, up to the start of the assistant's reply."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llm = self._llm
        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ConfigError(f"{self.path.name} stores no chat template")
        eos = llm.detokenize([llm.token_eos()]).decode("utf-8", "ignore")
        bos = llm.detokenize([llm.token_bos()]).decode("utf-8", "ignore") if llm.token_bos() >= 0 else ""
        formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos, add_generation_prompt=True)
        return formatter(messages=turns).prompt

    def close(self) -> None:
        """Free the model before the interpreter tears down the library it lives in."""
        with contextlib.suppress(Exception):
            self._llm.close()


def _held(llm: Any, tokens: list[int]) -> int:
    """How many of tokens sequence 0 already holds (the prefix they share with what it evaluated)."""
    shared = 0
    for old, new in zip(llm._input_ids[:llm.n_tokens], tokens):
        if old != new:
            break
        shared += 1
    return shared


def _token_ids(llm: Any, words: tuple[str, ...]) -> tuple[int, ...]:
    """Ids of the single-token spellings of words (multi-token spellings are left out)."""
    ids: list[int] = []
    for word in words:
        found = llm.tokenize(word.encode("utf-8"), add_bos=False, special=False)
        if len(found) == 1 and found[0] not in ids:
            ids.append(found[0])
    return tuple(ids)
