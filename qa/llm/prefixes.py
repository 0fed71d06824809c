"""System prompts kept evaluated: each in a KV-cache sequence of its own, copied back into sequence 0 when a
prompt starts with it.

llama.cpp reuses only what the previous prompt shares with the next. A question alternates system prompts (the
candidates' judgement, then the direct answer's), so each was evaluated again for every question: ~165 of the
~360 prompt tokens a fact question costs. A saved sequence shares the cells of the prompt it was copied from
(the KV cache is unified), and llama-cpp-python trims only sequence 0, so the copy lives until it is dropped.

Only qa.llm.llamacpp uses this, inside the worker process.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any

SAVED = 4   # system prompts kept (the judgement, the direct answer, the relevance and yes/no prompts)


def held(llm: Any, tokens: list[int]) -> int:
    """How many of tokens sequence 0 already holds (the prefix they share with what it evaluated)."""
    shared = 0
    for old, new in zip(llm._input_ids[:llm.n_tokens], tokens):
        if old != new:
            break
        shared += 1
    return shared


class SavedPrefixes:
    """The evaluated tokens of recent system prompts, each in sequence first, first + 1, …"""

    def __init__(self, llm: Any, first: int, tokens_of) -> None:
        """llm: the llama_cpp.Llama; first: the first sequence id free for saving; tokens_of(system, user): a
        prompt's tokens."""
        self.llm = llm
        self.first = first
        self.tokens_of = tokens_of
        self.prefixes: dict[str, list[int]] = {}   # system -> the tokens that depend on it alone
        self.saved: OrderedDict[str, int] = OrderedDict()   # system -> its sequence, oldest first
        self.reused = 0   # prompt tokens copied from saved sequences instead of evaluated

    def prefix(self, system: str) -> list[int]:
        """The tokens of a prompt that depend on its system message alone (up to the user's turn)."""
        if system not in self.prefixes:
            one, other = self.tokens_of(system, "a"), self.tokens_of(system, "b")
            self.prefixes[system] = one[:len(os.path.commonprefix([one, other]))]
        return self.prefixes[system]

    def restore(self, system: str, tokens: list[int]) -> None:
        """Before tokens are evaluated into sequence 0: when their system prompt is saved and sequence 0 shares
        less of them, sequence 0 becomes the saved prefix (its cells copied, not evaluated)."""
        seq = self.saved.get(system)
        prefix = self.prefix(system)
        n = len(prefix)
        if seq is None or n >= len(tokens) or tokens[:n] != prefix:
            return
        llm = self.llm
        shared = held(llm, tokens[:n])
        if shared >= n:
            return
        ctx = llm._ctx
        ctx.kv_cache_seq_rm(0, 0, -1)
        ctx.kv_cache_seq_cp(seq, 0, 0, n)
        llm.input_ids[:n] = prefix
        llm.n_tokens = n
        self.saved.move_to_end(system)
        self.reused += n - shared

    def remember(self, system: str) -> None:
        """After an evaluation: save the system prompt's prefix from sequence 0, when it is there and not saved."""
        llm = self.llm
        prefix = self.prefix(system)
        n = len(prefix)
        if system in self.saved:
            self.saved.move_to_end(system)
            return
        if not n or llm.n_tokens < n or list(llm.input_ids[:n]) != prefix:
            return
        if len(self.saved) >= SAVED:
            _, seq = self.saved.popitem(last=False)
            llm._ctx.kv_cache_seq_rm(seq, 0, -1)
        else:
            seq = self.first + len(self.saved)
        llm._ctx.kv_cache_seq_cp(0, seq, 0, n)
        self.saved[system] = seq

    def make_room(self, tokens: int) -> None:
        """Drop every saved prefix when a prompt of this many tokens might not fit beside them."""
        if tokens + sum(len(self.prefixes[s]) for s in self.saved) < self.llm.n_ctx():
            return
        for seq in self.saved.values():
            self.llm._ctx.kv_cache_seq_rm(seq, 0, -1)
        self.saved.clear()
