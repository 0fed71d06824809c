"""Greedy generation with prompt-lookup drafts, over a llama_cpp.Llama (inside the worker process).

A reply that copies its prompt (the direct answer copies words of the quoted sentence; a summary, phrases of its
sources) is guessed ahead from the prompt: the tokens that followed the last place where the reply's latest
tokens appear. The guess rides in the same forward pass as the next token, and each guessed token the model
would have chosen itself is kept. The reply is the one greedy decoding gives token by token (up to the rounding
of a batch), in fewer passes. On a 2-core CPU a pass costs nearly as much for 11 tokens as for 1: the weights are
read once either way (the Qwen model at 8 bits with the AMX kernels: 77 ms for 1 token, ~103 ms for 8-16).

Only qa.llm.llamacpp uses this.
"""
from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import Any

import numpy as np

DRAFTED = 10          # tokens guessed ahead at most
NGRAMS = (3, 2, 1)    # the reply's last tokens looked up in what came before, the longest match first


def drafted(history: list[int], most: int = DRAFTED) -> list[int]:
    """The tokens that followed the latest earlier occurrence of history's last n tokens (n = 3, then 2, then 1),
    at most `most` of them; [] when none occurs."""
    if most <= 0:
        return []
    for n in NGRAMS:
        if len(history) <= n:
            continue
        tail = history[-n:]
        for start in range(len(history) - n - 1, -1, -1):
            if history[start:start + n] == tail:
                return history[start + n:start + n + most]
    return []


def greedy(llm: Any, tokens: list[int], held: int, max_tokens: int) -> Iterator[int]:
    """The reply's tokens, greedily, after the prompt tokens, of which sequence 0 of the KV cache holds the first
    `held` (the rest are evaluated here). Stops at an end-of-generation token (not yielded) or after max_tokens.
    Sequence 0 keeps the prompt and the reply's evaluated tokens, and llm.n_tokens says how many. The reply ends
    where the context window does."""
    import llama_cpp

    ctx, vocab = llm._ctx, llm._model.vocab
    max_tokens = min(max_tokens, llm.n_ctx() - len(tokens))   # the reply ends where the context does
    llm.n_tokens = held
    llm.eval(tokens[held:])   # logits of the last token only
    following = _best(ctx.get_logits(), llm.n_vocab())
    history = list(tokens)
    batch = llama_cpp.llama_batch_init(DRAFTED + 1, 0, 1)
    try:
        produced = 0
        while True:
            if llama_cpp.llama_vocab_is_eog(vocab, following):
                return
            yield following
            produced += 1
            if produced >= max_tokens:
                return
            step = [following] + drafted(history + [following], min(DRAFTED, max_tokens - produced - 1))
            predicted = _decode(llm, batch, step, len(history))
            kept = 1
            while kept < len(step) and predicted[kept - 1] == step[kept]:
                kept += 1
            history += step[:kept]
            ctx.kv_cache_seq_rm(0, len(history), -1)   # the guesses the model did not make
            llm.n_tokens = len(history)
            for token in step[1:kept]:
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    return
                yield token
                produced += 1
            following = predicted[kept - 1]
    finally:
        llama_cpp.llama_batch_free(batch)


def _decode(llm: Any, batch: Any, step: list[int], start: int) -> list[int]:
    """Evaluate step at positions start.. of sequence 0; the greedy next token after each of its tokens."""
    import llama_cpp

    from qa.errors import BackendError

    for i, token in enumerate(step):
        batch.token[i], batch.pos[i], batch.n_seq_id[i], batch.logits[i] = token, start + i, 1, True
        batch.seq_id[i][0] = 0
    batch.n_tokens = len(step)
    if llama_cpp.llama_decode(llm._ctx.ctx, batch) != 0:
        raise BackendError("llama.cpp could not decode the reply")
    llm.input_ids[start:start + len(step)] = step   # greedy() sets llm.n_tokens to what it keeps of them
    return [_best(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, i), llm.n_vocab()) for i in range(len(step))]


def _best(pointer: Any, vocab: int) -> int:
    return int(np.ctypeslib.as_array(pointer, shape=(vocab,)).argmax())


def pieces(llm: Any, tokens: list[int]) -> Iterator[str]:
    """The text of tokens as they come (a character split across tokens waits for its last byte)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    for token in tokens:
        text = decoder.decode(llm.detokenize([token]))
        if text:
            yield text
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail
