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
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from index.lexical_snapshot import MARKER, Lexical, tokens

FORMAT = "tantivy-v3"   # v2: the stored record of each chunk; v3: chunk ids in a column (a filter's ids, unread)
Vectors = Callable[[list[str]], dict[str, str]]   # chunk ids -> their packed sentence vectors


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


def document(chunk_id: str, text: str, meta: dict[str, Any], body: str, terms: str, packed: str) -> Any:
    """A chunk's document: its BM25 words (body) and content terms, as strings of space-separated tokens; what a
    filter reads; its record (text, metadata, packed sentence vectors, "" for none), stored."""
    import tantivy

    doc = tantivy.Document(id=chunk_id, source=str(meta.get("source", "")), body=body, terms=terms)
    doc.add_bytes("record", json.dumps({"t": text, "m": meta, "v": packed}, ensure_ascii=False).encode("utf-8"))
    if isinstance(meta.get("ts"), int | float):
        doc.add_integer("ts", int(meta["ts"]))
    if meta.get("outlet"):
        doc.add_text("outlet", str(meta["outlet"]))
    return doc


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
        """What the last commit holds. Its stored documents (each chunk's record) are read one at a time, so their
        files are advised as read at random (index.advice: no megabytes read ahead of each)."""
        from index.advice import random_access

        self._index.reload()
        snapshot = Lexical(self._index, self._schema)
        random_access(self.folder, (".store",))
        return snapshot

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
            words = tokens([bm25_text(title, t) for _, title, t, _ in rows], stopwords=True)
            packed = sentences([r[0] for r in rows]) if sentences is not None and rows else {}
            for (chunk_id, title, text, meta), bm25_words in zip(rows, words):
                terms = " ".join(set(self._terms(term_text(title, text))))
                writer.add_document(document(chunk_id, text, meta, " ".join(bm25_words), terms,
                                             packed.get(chunk_id, "")))
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
