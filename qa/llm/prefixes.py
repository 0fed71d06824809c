"""System prompts kept evaluated: each one's KV-cache state saved in memory once, loaded back into sequence 0
when a prompt starts with it.

llama.cpp reuses only what the previous prompt shares with the next. A question alternates system prompts (the
candidates' judgement, then the direct answer's), so each was evaluated again for every question: ~165 of the
~360 prompt tokens a fact question costs.

The state is kept outside the cache, not in a sequence of its own: a loaded state lands in the same cells as a
fresh evaluation (sequence 0 is cleared first, so the cache is empty), and the rest of the prompt then lands where
it always does. The model's P(yes) - P(no) moves by up to 0.07 with where its tokens sit in the cache, so the same
question gets the same answer whatever was asked before it.

Only qa.llm.llamacpp uses this, inside the worker process.
"""
from __future__ import annotations

import ctypes
import os
from collections import OrderedDict
from typing import Any

SAVED = 6   # system prompts kept (the judgement, the direct answer, the relevance, yes/no, synthesis prompts)


class SavedPrefixes:
    """The evaluated state of recent system prompts, in memory."""

    def __init__(self, llm: Any, tokens_of) -> None:
        """llm: the llama_cpp.Llama; tokens_of(system, user): a prompt's tokens."""
        self.llm = llm
        self.tokens_of = tokens_of
        self.prefixes: dict[str, list[int]] = {}   # system -> the tokens that depend on it alone
        self.saved: OrderedDict[str, Any] = OrderedDict()   # system -> sequence 0's state holding them, oldest first

    def prefix(self, system: str) -> list[int]:
        """The tokens of a prompt that depend on its system message alone (up to the user's turn)."""
        if system not in self.prefixes:
            one, other = self.tokens_of(system, "a"), self.tokens_of(system, "b")
            self.prefixes[system] = one[:len(os.path.commonprefix([one, other]))]
        return self.prefixes[system]

    def restore(self, system: str) -> bool:
        """Sequence 0 becomes the system prompt's saved state (cleared, then loaded). Whether it was saved."""
        import llama_cpp

        state = self.saved.get(system)
        if state is None:
            return False
        llm = self.llm
        prefix = self.prefix(system)
        llm._ctx.kv_cache_seq_rm(0, 0, -1)
        if llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, state, len(state), 0) == 0:
            del self.saved[system]   # it did not load: evaluate it again
            return False
        llm.input_ids[:len(prefix)] = prefix
        llm.n_tokens = len(prefix)
        self.saved.move_to_end(system)
        return True

    def remember(self, system: str) -> None:
        """Save sequence 0's state, which holds exactly the system prompt's tokens (the oldest saved goes)."""
        import llama_cpp

        if system in self.saved:
            return
        ctx = self.llm._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        state = (ctypes.c_uint8 * size)()
        if llama_cpp.llama_state_seq_get_data(ctx, state, size, 0) != size:
            return
        if len(self.saved) >= SAVED:
            self.saved.popitem(last=False)
        self.saved[system] = state
