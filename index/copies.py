"""Wire copies: one AP or Reuters story runs in dozens of outlets. At ingest each article gets a MinHash of its
word shingles (datasketch); an article whose text nearly matches one already stored joins that one's story.
Retrieval then counts a story once and a citation says where else it ran. The story key is the first copy's id
and stays on every copy, so removing any one of them keeps the others together.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

PERMUTATIONS = 64
SHINGLE = 5            # words per shingle
SCHEME = "affine32"    # datasketch's hashing scheme: stored signatures are read back with the one they were made with
SAME_STORY = 0.8       # estimated Jaccard similarity of the shingles from which two articles are copies (wire
#                        copies differ by a dateline and a credit line; web pages on one topic share far less)
_WORD = re.compile(r"\w+")


def signature(text: str) -> Any:
    """The MinHash of a text's word shingles."""
    from datasketch import MinHash

    words = _WORD.findall(text.lower())
    shingles = {" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    sig = MinHash(num_perm=PERMUTATIONS, scheme=SCHEME)
    sig.update_batch([s.encode() for s in shingles])
    return sig


def encode(sig: Any) -> str:
    """A signature as text (what the manifest keeps)."""
    return sig.hashvalues.astype(">u8").tobytes().hex()


def decode(text: str) -> Any:
    """A signature back from its text, for comparing (a LeanMinHash: a MinHash would first draw its permutations
    again, 0.6 ms each, which at 1M chunks was a fifth of looking up an article's stored copies)."""
    import numpy as np
    from datasketch import LeanMinHash

    values = np.frombuffer(bytes.fromhex(text), dtype=">u8").astype(np.uint64)
    return LeanMinHash(seed=1, hashvalues=values, scheme=SCHEME)


def bands(encoded: str) -> dict[str, str]:
    """The LSH band keys of an encoded signature, as the manifest keeps them ("band0".."band4"): two articles
    whose signatures share a band are candidates (datasketch's banding for SAME_STORY and PERMUTATIONS)."""
    import hashlib

    if not encoded or len(encoded) != PERMUTATIONS * 16:
        return {}
    raw = bytes.fromhex(encoded)
    return {f"band{i}": hashlib.blake2b(raw[start * 8:end * 8], digest_size=8).hexdigest()
            for i, (start, end) in enumerate(_band_ranges())}


@functools.cache
def _band_ranges() -> tuple[tuple[int, int], ...]:
    from datasketch import MinHashLSH

    return tuple(MinHashLSH(threshold=SAME_STORY, num_perm=PERMUTATIONS).hashranges)


class Stories:
    """Which story each article belongs to. Stored articles are found by their band keys in the manifest (a
    lookup that costs the candidates, not the archive), the ones of this ingest by an LSH in memory."""

    def __init__(self, near: Callable[[Sequence[dict[str, str]]], Sequence[Mapping[str, tuple[str, str]]]]) -> None:
        """near: each article's band keys -> article id -> (story, encoded signature) of the stored articles
        sharing one (Manifest.near_many: one read for all)."""
        from datasketch import MinHashLSH

        self._near = near
        self._lsh = MinHashLSH(threshold=SAME_STORY, num_perm=PERMUTATIONS)
        self._story: dict[str, str] = {}
        self._sig: dict[str, Any] = {}

    def assign_all(self, articles: Sequence[tuple[str, str]]) -> dict[str, tuple[str, str]]:
        """Article id -> (story, encoded signature) of the articles (id, text) being ingested, in order: the story
        of a stored near-copy, or of an earlier one of these, whose estimated similarity passes SAME_STORY, else
        its own id. Their stored near-copies are looked up in one read."""
        sigs = [signature(text) for _, text in articles]
        encoded = [encode(sig) for sig in sigs]
        stored = self._near([bands(e) for e in encoded])
        return {article_id: (self._assign(article_id, sig, near), code)
                for (article_id, _), sig, code, near in zip(articles, sigs, encoded, stored)}

    def _assign(self, article_id: str, sig: Any, near: Mapping[str, tuple[str, str]]) -> str:
        if article_id in self._story:       # an update: it leaves its old place first
            self._lsh.remove(article_id)
            del self._story[article_id], self._sig[article_id]
        stories = {m: (self._story[m], self._sig[m]) for m in self._lsh.query(sig)}
        for other, (story, stored) in near.items():
            if other not in stories and len(stored) == PERMUTATIONS * 16:
                stories[other] = (story or other, decode(stored))
        matches = sorted(m for m, (_, other) in stories.items()   # candidates, checked: LSH over-reports
                         if m != article_id and other.jaccard(sig) >= SAME_STORY)
        story = stories[matches[0]][0] if matches else article_id
        self._lsh.insert(article_id, sig)
        self._story[article_id] = story
        self._sig[article_id] = sig
        return story
