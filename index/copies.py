"""Wire copies: one AP or Reuters story runs in dozens of outlets. At ingest each article gets a MinHash of its
word shingles (datasketch); an article whose text nearly matches one already stored joins that one's story.
Retrieval then counts a story once and a citation says where else it ran. The story key is the first copy's id
and stays on every copy, so removing any one of them keeps the others together.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
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
    """A signature back from its text."""
    import numpy as np
    from datasketch import MinHash

    values = np.frombuffer(bytes.fromhex(text), dtype=">u8").astype(np.uint64)
    return MinHash(num_perm=PERMUTATIONS, hashvalues=values, scheme=SCHEME)


class Stories:
    """Which story each article belongs to: an LSH index over the signatures of the stored articles."""

    def __init__(self, stored: Mapping[str, tuple[str, str]]) -> None:
        """stored: article id -> (story, encoded signature) of the articles already in the collection."""
        from datasketch import MinHashLSH

        self._lsh = MinHashLSH(threshold=SAME_STORY, num_perm=PERMUTATIONS)
        self._story: dict[str, str] = {}
        self._sig: dict[str, Any] = {}
        for article_id, (story, sig) in stored.items():
            if sig and len(sig) == PERMUTATIONS * 16:
                self._add(article_id, story or article_id, decode(sig))

    def assign(self, article_id: str, text: str) -> tuple[str, str]:
        """(story, encoded signature) of an article being ingested: the story of a stored near-copy whose
        estimated similarity passes SAME_STORY, else its own id."""
        sig = signature(text)
        if article_id in self._story:       # an update: it leaves its old place first
            self._lsh.remove(article_id)
            del self._story[article_id], self._sig[article_id]
        matches = sorted(m for m in self._lsh.query(sig)   # the index's candidates, checked: LSH over-reports
                         if m != article_id and self._sig[m].jaccard(sig) >= SAME_STORY)
        story = self._story[matches[0]] if matches else article_id
        self._add(article_id, story, sig)
        return story, encode(sig)

    def _add(self, article_id: str, story: str, sig: Any) -> None:
        self._lsh.insert(article_id, sig)
        self._story[article_id] = story
        self._sig[article_id] = sig
