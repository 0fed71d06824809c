"""The lexical half of search: a Tantivy index of every chunk, changed in place by what changed.

Each chunk is one document: its BM25 words (the tokens llama-index's BM25Retriever and bm25s read: English
stopwords out, Snowball stems, "title: ...\\n\\n" + text), its content terms (what the evidence's term statistics
count), its article, publication time and outlet (what a filter reads). A change deletes the chunks of the articles
it touched and adds their current ones in one commit, whose cost follows the change, not the archive (Tantivy's
segments merge in the background). One marker document records the collection generation the index matches.

Each document also stores its chunk as read back for an answer (text, metadata, packed sentence vectors): a
question's passages are read from the snapshot it searched (a keyed lookup that costs the same at any size, and
of the same generation by construction), not from Chroma, whose reads by id grow with the collection.

Crash safety: before a writer changes the chunks of an article, the article's id is appended (and synced) to the
`pending` journal beside the index; the change is applied to the index from the journal, then the journal is
cleared. A writer killed at any point leaves a journal the next writer (or reader) applies again: applying is
idempotent (the articles' chunks as they now stand, only those of finished articles).
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

FORMAT = "tantivy-v3"   # v2: the stored record of each chunk; v3: chunk ids in a column (a filter's ids, unread)
MOST_IDS = 50_000   # the most ids a filter's share is listed by (Tantivy's aggregations stop at 65,000 buckets)
MARKER = "\x00generation"
Vectors = Callable[[list[str]], dict[str, str]]   # chunk ids -> their packed sentence vectors
_DF_CACHE = 65536


def bm25_text(title: str, text: str) -> str:
    """A chunk as BM25 reads it (llama-index's MetadataMode.EMBED rendering of our nodes)."""
    return f"title: {title}\n\n{text}"


def term_text(title: str, text: str) -> str:
    """A chunk as the term statistics count it."""
    return f"{title}\n{text}"


def _schema() -> Any:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("source", tokenizer_name="raw")
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="basic")
    builder.add_integer_field("ts", indexed=True, fast=True)
    builder.add_text_field("outlet", tokenizer_name="raw")
    builder.add_text_field("generation", stored=True, tokenizer_name="raw")
    builder.add_bytes_field("record", stored=True)
    return builder.build()


def _record(text: str, meta: dict[str, Any], packed: str) -> bytes:
    """What a document stores of its chunk: text, metadata, packed sentence vectors ("" for none)."""
    return json.dumps({"t": text, "m": meta, "v": packed}, ensure_ascii=False).encode("utf-8")


def _tokens(texts: list[str], stopwords: bool) -> list[list[str]]:
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
        self._listed: dict[tuple[Any, ...], list[str]] = {}

    def search(self, question: str, k: int, since: int | None = None, until: int | None = None,
               outlets: Sequence[str] = ()) -> list[tuple[str, float]]:
        """The k best chunks for the question: (chunk id, BM25 score), best first; only the chunks published from
        since to until (inclusive; undated ones then out) by one of outlets (any when empty), as Chroma's `where`
        clause of the same filter (qa.filters.Filter.where) lets through."""
        import tantivy

        words = _tokens([question], stopwords=False)[0]
        if k < 1 or not words:
            return []
        should = [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "body", w, index_option="freq"))
                  for w in words]
        query = tantivy.Query.boolean_query(should)
        must = [(tantivy.Occur.Must, query), *self._filter(since, until, outlets)]
        if len(must) > 1:
            query = tantivy.Query.boolean_query(must)
        hits = self._searcher.search(query, k).hits
        return [(str(self._searcher.doc(address).get_first("id")), float(score)) for score, address in hits]

    def admitted(self, since: int | None = None, until: int | None = None, outlets: Sequence[str] = ()) -> int:
        """How many chunks the filter lets through (a count over the index, no document read)."""
        import tantivy

        must = self._filter(since, until, outlets)
        if not must:
            return self.count
        return int(self._searcher.search(tantivy.Query.boolean_query(must), 1, count=True).count)

    def admitted_ids(self, since: int | None = None, until: int | None = None,
                     outlets: Sequence[str] = ()) -> list[str]:
        """The ids of the chunks the filter lets through (at most MOST_IDS of them), read from the id column: no
        stored document is read (a share of a week's 5,000 chunks at 336k takes ~10 ms, their documents ~1 s)."""
        import tantivy

        key = (since, until, tuple(outlets))
        if key not in self._listed:
            must = self._filter(since, until, outlets)
            query = tantivy.Query.boolean_query(must) if must else tantivy.Query.all_query()
            if len(self._listed) >= 8:   # (a snapshot does not change: its lists stay right while kept)
                self._listed.pop(next(iter(self._listed)))
            self._listed[key] = [i for i in self._ids(query, MOST_IDS) if i != MARKER]
        return self._listed[key]

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
        hits = self._searcher.search(self._among(ids), len(ids)).hits
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


class LexicalIndex:
    """The index of one physical collection, in its own folder: snapshots for readers, changes for the writer
    (who holds the data dir's writer lock)."""

    def __init__(self, folder: Path, terms: Callable[[str], list[str]]) -> None:
        """Open the index in folder, making an empty one when there is none (or one of another format).

        Args:
            folder: where the index lives.
            terms: a text's content terms, as the evidence's term statistics count them.
        """
        import tantivy

        self.folder, self._terms, self._schema = Path(folder), terms, _schema()
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = self.folder / "format"
        if not stamp.exists() or stamp.read_text() != FORMAT:
            self._fresh()
        try:
            self._index = tantivy.Index.open(str(self.folder))
        except ValueError:   # unreadable files: start empty (the next catch-up rebuilds it from the collection)
            self._fresh()
            self._index = tantivy.Index.open(str(self.folder))

    def _fresh(self) -> None:
        """An empty index of this format in the folder (the journal kept)."""
        import tantivy

        for old in self.folder.iterdir():
            if old.name != "pending":
                shutil.rmtree(old) if old.is_dir() else old.unlink()
        tantivy.Index(self._schema, path=str(self.folder), reuse=False)
        (self.folder / "format").write_text(FORMAT)

    def snapshot(self) -> Lexical:
        """What the last commit holds."""
        self._index.reload()
        return Lexical(self._index, self._schema)

    # -- the journal ---------------------------------------------------------------------------------
    def note(self, sources: Iterable[str]) -> None:
        """Record (durably) that these articles' chunks are about to change."""
        sources = sorted(set(sources))
        if sources:
            with open(self.folder / "pending", "a", encoding="utf-8") as journal:
                journal.write("".join(f"{s}\n" for s in sources))
                journal.flush()
                os.fsync(journal.fileno())

    def pending(self) -> set[str]:
        """The articles changed since the index last caught up."""
        try:
            return {line for line in (self.folder / "pending").read_text(encoding="utf-8").splitlines() if line}
        except OSError:
            return set()

    def settled(self) -> None:
        """The journal's changes are in the index and recorded: forget them."""
        (self.folder / "pending").unlink(missing_ok=True)

    # -- changes -------------------------------------------------------------------------------------
    def apply(self, sources: Iterable[str], records: Iterable[tuple[str, str, dict[str, Any]]],
              generation: str, sentences: Vectors | None = None) -> None:
        """Replace the chunks of these articles by records (their current chunks) and mark the index as of
        generation, in one commit. sentences: chunk ids -> their packed sentence vectors (stored with them)."""
        writer = self._writer()
        for source in set(sources):
            writer.delete_documents_by_term("source", source)
        self._commit(writer, records, generation, sentences)

    def rebuild(self, records: Iterable[tuple[str, str, dict[str, Any]]], generation: str,
                sentences: Vectors | None = None) -> None:
        """Replace everything by records, as of generation, in one commit (sentences as in apply)."""
        writer = self._writer()
        writer.delete_all_documents()
        self._commit(writer, records, generation, sentences)

    def _writer(self) -> Any:
        return self._index.writer(heap_size=64_000_000, num_threads=1)

    def _commit(self, writer: Any, records: Iterable[tuple[str, str, dict[str, Any]]], generation: str,
                sentences: Vectors | None) -> None:
        import tantivy

        batch: list[tuple[str, str, dict[str, Any]]] = []

        def flush() -> None:
            rows = [(i, str(m.get("title", "")), t, m) for i, t, m in batch]
            words = _tokens([bm25_text(title, t) for _, title, t, _ in rows], stopwords=True)
            packed = sentences([r[0] for r in rows]) if sentences is not None and rows else {}
            for (chunk_id, title, text, meta), tokens in zip(rows, words):
                doc = tantivy.Document(id=chunk_id, source=str(meta.get("source", "")), body=" ".join(tokens),
                                       terms=" ".join(set(self._terms(term_text(title, text)))))
                doc.add_bytes("record", _record(text, meta, packed.get(chunk_id, "")))
                if isinstance(meta.get("ts"), int | float):
                    doc.add_integer("ts", int(meta["ts"]))
                if meta.get("outlet"):
                    doc.add_text("outlet", str(meta["outlet"]))
                writer.add_document(doc)
            batch.clear()

        for record in records:
            batch.append(record)
            if len(batch) >= 2000:
                flush()
        flush()
        writer.delete_documents_by_term("id", MARKER)
        writer.add_document(tantivy.Document(id=MARKER, generation=generation))
        writer.commit()
        writer.wait_merging_threads()
