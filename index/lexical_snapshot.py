"""One snapshot of the lexical index (index.lexical): what a reader searches until its next question.

BM25 search under the same filter as Chroma's `where`, membership and a filter's ids from the id column, term
statistics, each chunk's stored record (read one document at a time: index.lexical advises its files so).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

MOST_IDS = 50_000   # the most ids one aggregation lists (Tantivy's aggregations stop at 65,000 buckets)
MOST_LISTED = 250_000   # the most ids a filter's share is listed by, MOST_IDS at a time (README, "The 58.6 s question")
_ALL_DATES = (-2**63, 2**63 - 1)
MARKER = "\x00generation"
_DF_CACHE = 65536


def tokens(texts: list[str], stopwords: bool) -> list[list[str]]:
    """BM25 tokens as bm25s makes them (lower case, Snowball stems; stopwords out with stopwords=True)."""
    import bm25s
    import Stemmer

    if not texts:
        return []
    return bm25s.tokenize(texts, stopwords="english" if stopwords else None, stemmer=Stemmer.Stemmer("english"),
                          show_progress=False, return_ids=False)


class DocFreqs:
    """Document frequency of a content term in one snapshot (a mapping's get, read from the index, cached)."""

    def __init__(self, searcher: Any) -> None:
        self._searcher, self._cache = searcher, {}

    def get(self, term: str, default: int | None = None) -> int | None:
        found = self._cache.get(term)
        if found is None:
            if len(self._cache) > _DF_CACHE:
                self._cache.clear()
            found = self._cache[term] = int(self._searcher.doc_freq("terms", term))
        return found or default


class Lexical:
    """One snapshot of the index (what a reader searches until its next question): BM25 search under the same
    filter as Chroma's `where`, membership, term statistics."""

    def __init__(self, index: Any, schema: Any) -> None:
        import tantivy

        self._schema = schema
        self._searcher = index.searcher()
        marker = self._searcher.search(tantivy.Query.term_query(schema, "id", MARKER), 1).hits
        self.generation = str(self._searcher.doc(marker[0][1]).get_first("generation") or "") if marker else ""
        self.count = max(int(self._searcher.num_docs) - len(marker), 0)
        self.df = DocFreqs(self._searcher)
        self._listed: dict[tuple[Any, ...], list[str] | None] = {}
        self._counted: dict[tuple[Any, ...], int] = {}

    def search(self, question: str, k: int, since: int | None = None, until: int | None = None,
               outlets: Sequence[str] = ()) -> list[tuple[str, float]]:
        """The k best chunks for the question: (chunk id, BM25 score), best first; only the chunks published from
        since to until (inclusive; undated ones then out) by one of outlets (any when empty), as Chroma's `where`
        clause of the same filter (qa.filters.Filter.where) lets through."""
        import tantivy

        words = tokens([question], stopwords=False)[0]
        if k < 1 or not words:
            return []
        should = [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "body", w, index_option="freq"))
                  for w in words]
        query = tantivy.Query.boolean_query(should)
        must = [(tantivy.Occur.Must, query), *self._filter(since, until, outlets)]
        if len(must) > 1:
            query = tantivy.Query.boolean_query(must)
        hits = self._searcher.search(query, k, count=False).hits   # (no count: the top k only)
        return [(str(self._searcher.doc(address).get_first("id")), float(score)) for score, address in hits]

    def admitted(self, since: int | None = None, until: int | None = None, outlets: Sequence[str] = ()) -> int:
        """How many chunks the filter lets through (a count over the index, no document read)."""
        key = (since, until, tuple(outlets))
        if key not in self._counted:   # (kept for the snapshot: a question's passes count the same filter)
            must = self._filter(since, until, outlets)
            if len(self._counted) >= 64:
                self._counted.clear()
            self._counted[key] = self._count(self._query(must)) if must else self.count
        return self._counted[key]

    def admitted_ids(self, since: int | None = None, until: int | None = None,
                     outlets: Sequence[str] = ()) -> list[str] | None:
        """The ids of the chunks the filter lets through, None when more than MOST_LISTED. Read from the id
        column: no stored document is read (a week's 5,000 chunks at 336k take ~10 ms, their documents ~1 s)."""
        key = (since, until, tuple(outlets))
        if key not in self._listed:   # (a snapshot does not change: its lists stay right while kept)
            self._listed[key] = self._listing(since, until, tuple(outlets))
            while len(self._listed) > 8 or sum(len(v or ()) for v in self._listed.values()) > 2 * MOST_LISTED:
                self._listed.pop(next(iter(self._listed)))
        return self._listed[key]

    def _listing(self, since: int | None, until: int | None, outlets: tuple[str, ...]) -> list[str] | None:
        """admitted_ids: one aggregation lists MOST_IDS, so a larger share is listed by parts of its dates, halved
        until each holds at most that many (a count each); an outlet's undated chunks are a part of their own."""
        import tantivy

        must = self._filter(since, until, outlets)
        query = self._query(must)
        # (the retriever counted the filter just before; unfiltered, the generation marker is listed too)
        admitted = self.admitted(since, until, outlets) if must else self._count(query)
        if admitted > MOST_LISTED:
            return None
        ids = self._ids(query, MOST_IDS) if admitted <= MOST_IDS else []
        parts = [] if admitted <= MOST_IDS else [self._dates(query)]
        if parts and since is None and until is None:   # (a range query lets no undated chunk through)
            undated = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.MustNot, (
                tantivy.Query.range_query(self._schema, "ts", tantivy.FieldType.Integer, *_ALL_DATES)))])
            if self._count(undated) > MOST_IDS:
                return None
            ids = self._ids(undated, MOST_IDS)
        while parts:
            lo, hi = parts.pop()
            part = self._query(self._filter(lo, hi, outlets))
            if self._count(part) <= MOST_IDS:
                ids += self._ids(part, MOST_IDS)
            elif lo >= hi:   # (more than MOST_IDS chunks of one second)
                return None
            else:
                parts += [(lo, (lo + hi) // 2), ((lo + hi) // 2 + 1, hi)]
        return [i for i in ids if i != MARKER]

    def _query(self, must: list[tuple[Any, Any]]) -> Any:
        import tantivy

        return tantivy.Query.boolean_query(must) if must else tantivy.Query.all_query()

    def _count(self, query: Any) -> int:
        return int(self._searcher.search(query, 1, count=True).count)

    def _dates(self, query: Any) -> tuple[int, int]:
        """The first and last date among the chunks the query finds (its dated ones)."""
        got = self._searcher.aggregate(query, {"lo": {"min": {"field": "ts"}}, "hi": {"max": {"field": "ts"}}})
        lo, hi = got["lo"]["value"], got["hi"]["value"]
        return (int(lo), int(hi)) if lo is not None and hi is not None else (1, 0)

    def _ids(self, query: Any, most: int) -> list[str]:
        """The ids of (at most most of) the documents the query finds, from the id column (none is read)."""
        got = self._searcher.aggregate(query, {"ids": {"terms": {"field": "id", "size": most}}})
        return [str(b["key"]) for b in got["ids"]["buckets"]]

    def _filter(self, since: int | None, until: int | None, outlets: Sequence[str]) -> list[tuple[Any, Any]]:
        """The filter's clauses (Chroma's `where` of the same qa.filters.Filter)."""
        import tantivy

        must = []
        if since is not None or until is not None:
            must.append((tantivy.Occur.Must, tantivy.Query.range_query(
                self._schema, "ts", tantivy.FieldType.Integer, since, until)))
        if outlets:
            must.append((tantivy.Occur.Must, tantivy.Query.term_set_query(self._schema, "outlet", list(outlets))))
        return must

    def holding(self, ids: Sequence[str], since: int | None = None, until: int | None = None,
                outlets: Sequence[str] = ()) -> set[str]:
        """Which of these chunk ids the snapshot holds (and the filter lets through), from the id column: no
        stored document is read (0.8 ms for 40 ids at 334k chunks, reading their documents 12 ms)."""
        must, held = self._filter(since, until, outlets), set()
        for at in range(0, len(ids), MOST_IDS):   # (an aggregation's buckets are bounded)
            part = ids[at:at + MOST_IDS]
            held.update(self._ids(self._among(part, must), len(part)))
        return held

    def stored(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any], str]]:
        """Chunk id -> (text, metadata, packed sentence vectors) of the ones among ids this snapshot holds: one
        lookup by id."""
        out = {}
        for doc in self._docs(ids):
            raw = doc.get_first("record")
            if raw is not None:
                got = json.loads(bytes(raw))
                out[str(doc.get_first("id"))] = (str(got["t"]), dict(got["m"]), str(got["v"]))
        return out

    def _docs(self, ids: Sequence[str]) -> list[Any]:
        """The stored documents of the ones among these chunk ids the snapshot holds (one lookup)."""
        if not ids:
            return []
        hits = self._searcher.search(self._among(ids), len(ids), count=False).hits
        return [self._searcher.doc(address) for _, address in hits]

    def _among(self, ids: Sequence[str], must: Sequence[tuple[Any, Any]] = ()) -> Any:
        """The query of these chunk ids that the clauses must let through."""
        import tantivy

        query = tantivy.Query.term_set_query(self._schema, "id", list(ids))
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), *must]) if must else query

    def all_ids(self) -> set[str]:
        """Every chunk id in the snapshot (reads them all: for checks, not questions)."""
        import tantivy

        total = int(self._searcher.num_docs)
        hits = self._searcher.search(tantivy.Query.all_query(), max(total, 1)).hits if total else []
        return {str(self._searcher.doc(a).get_first("id")) for _, a in hits} - {MARKER}
