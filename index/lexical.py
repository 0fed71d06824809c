"""The lexical half of search, persisted: a bm25s index over every chunk plus the term statistics.

Written at the end of each change to a collection (ingest, remove, repair), into a folder named for
that change's generation, then the collection records the generation: readers memory-map the files
of the generation the collection names and never see a half-written index. The texts are read as
llama-index's BM25Retriever reads them ("title: ...\\n\\n" + text, English stopwords, Snowball stems),
so scores equal the stock retriever's.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# bm25s logs every build at DEBUG; a library that configures the root logger must not surface it.
logging.getLogger("bm25s").setLevel(logging.WARNING)

FORMAT = "bm25s-v2"   # v2: index.json carries each row's publication time and outlet (a v1 index is rebuilt)


def bm25_text(title: str, text: str) -> str:
    """A chunk as BM25 reads it (llama-index's MetadataMode.EMBED rendering of our nodes)."""
    return f"title: {title}\n\n{text}"


def term_text(title: str, text: str) -> str:
    """A chunk as the term statistics count it."""
    return f"{title}\n{text}"


@dataclass
class Lexical:
    """One generation of the lexical index: chunk ids by BM25 row, the bm25s model, term counts."""

    generation: str
    ids: list[str]
    bm25: Any
    df: dict[str, int]
    n: int
    ts: list[int | None]      # publication time of each row (None: undated)
    outlets: list[str]        # outlet of each row ("" when unknown)

    def __post_init__(self) -> None:
        import numpy as np
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")
        self.id_set = frozenset(self.ids)
        # what a filter reads, as arrays once per generation (not per question)
        self._dated = np.array([t is not None for t in self.ts], dtype=bool)
        self._ts = np.array([0 if t is None else t for t in self.ts], dtype=np.int64)
        self._outlets = np.array(self.outlets, dtype=object)

    def mask(self, since: int | None, until: int | None, outlets: tuple[str, ...]) -> Any:
        """1.0 for the rows published from since to until (inclusive) by one of outlets (any when empty), else 0:
        the rows Chroma's `where` clause of the same filter (qa.filters.Filter.where) lets through."""
        import numpy as np

        keep = np.ones(len(self.ids), dtype=bool)
        if since is not None:
            keep &= self._dated & (self._ts >= since)
        if until is not None:
            keep &= self._dated & (self._ts <= until)
        if outlets:
            keep &= np.isin(self._outlets, list(outlets))
        return keep.astype(np.float32)

    def search(self, question: str, k: int, mask: Any = None) -> list[tuple[str, float]]:
        """The k best chunks for the question: (chunk id, BM25 score), best first; with a mask, only the rows it
        keeps."""
        import bm25s

        k = min(k, len(self.ids) if mask is None else int(mask.sum()))
        if k < 1:
            return []
        tokens = bm25s.tokenize(question, stemmer=self._stemmer, show_progress=False, return_ids=False)
        rows, scores = self.bm25.retrieve(tokens, k=k, show_progress=False, n_threads=1, weight_mask=mask)
        return [(self.ids[int(r)], float(s)) for r, s in zip(rows[0], scores[0]) if mask is None or s > 0]


def build(records: Iterable[tuple[str, str, dict[str, Any]]], generation: str,
          term_counts: Callable[[Iterable[str]], tuple[dict[str, int], int]]) -> Lexical:
    """Index (id, text, metadata) records; term_counts turns texts into (document frequencies, n)."""
    import bm25s
    import Stemmer

    records = list(records)
    rows = [(i, str(m.get("title", "")), t) for i, t, m in records]
    ids = [i for i, _, _ in rows]
    bm25 = bm25s.BM25()
    if rows:
        tokens = bm25s.tokenize([bm25_text(title, t) for _, title, t in rows], stopwords="english",
                                stemmer=Stemmer.Stemmer("english"), show_progress=False)
        bm25.index(tokens, show_progress=False)
    df, n = term_counts(term_text(title, t) for _, title, t in rows)
    return Lexical(generation, ids, bm25, df, n, *_row_metadata([m for _, _, m in records]))


def _row_metadata(metas: list[dict[str, Any]]) -> tuple[list[int | None], list[str]]:
    """Each row's publication time and outlet (what a filter reads)."""
    ts = [m.get("ts") if isinstance(m.get("ts"), int | float) else None for m in metas]
    return [None if t is None else int(t) for t in ts], [str(m.get("outlet", "") or "") for m in metas]


def save(lexical: Lexical, root: Path, prune: bool = True) -> None:
    """Write one generation under root atomically (temp folder, rename); with prune, older generations go."""
    root.mkdir(parents=True, exist_ok=True)
    target = root / lexical.generation
    scratch = Path(tempfile.mkdtemp(dir=root, prefix=".tmp-"))
    try:
        if lexical.ids:
            lexical.bm25.save(str(scratch / "bm25"))
        (scratch / "index.json").write_text(json.dumps(
            {"format": FORMAT, "generation": lexical.generation, "ids": lexical.ids, "n": lexical.n, "df": lexical.df,
             "ts": lexical.ts, "outlets": lexical.outlets}))
        if target.exists():
            shutil.rmtree(target)
        os.replace(scratch, target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    for old in root.iterdir() if prune else ():
        if old.name != lexical.generation:
            shutil.rmtree(old, ignore_errors=True)


def load(root: Path, generation: str) -> Lexical | None:
    """The saved index of that generation (memory-mapped), or None when it is not there or unreadable."""
    import bm25s

    folder = root / generation
    try:
        meta = json.loads((folder / "index.json").read_text())
        if meta.get("format") != FORMAT or meta.get("generation") != generation:
            return None
        bm25 = bm25s.BM25.load(str(folder / "bm25"), mmap=True) if meta["ids"] else bm25s.BM25()
    except (OSError, ValueError, KeyError):
        return None
    return Lexical(generation, list(meta["ids"]), bm25, dict(meta["df"]), int(meta["n"]), list(meta["ts"]),
                   list(meta["outlets"]))
