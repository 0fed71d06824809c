"""Idempotent, incremental ingest: unchanged articles skipped, changed replaced, deleted pruned."""
from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.chunker import Chunk, Chunker
from index.copies import Stories
from index.loader import MAX_FILE_BYTES, Article, Skipped, load_articles
from index.metadata import timestamp
from index.packing import pack_vectors
from index.sentences import sentence_spans, split_sentences
from index.store import ChunkStore

_BATCH_CHUNKS = 64


def _count(n: int, noun: str) -> str:
    """"1 article", "2 articles"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did."""

    collection: str
    articles: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks_written: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    rebuilt: bool = False  # built anew into a collection that replaced one built with other settings
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)   # loaded, with a caveat (a date that did not parse)

    def summary(self) -> str:
        """The one-line report the CLI prints."""
        line = (f"Ingested {_count(self.articles, 'article')} into {self.collection!r}: {self.added} new, "
                f"{self.updated} updated, {self.unchanged} unchanged, {self.removed} removed; "
                f"{_count(self.chunks_written, 'chunk')} written, {self.chunks_total} in the index; "
                f"{_count(len(self.skipped), 'file')} skipped; {self.seconds:.1f} s")
        return line + (" (rebuilt with the current settings)" if self.rebuilt else "")

    def lines(self) -> list[str]:
        """The summary, then a line per skipped file and per warning (what `qa ingest` and `qa watch` print)."""
        return [self.summary(), *(f"  skipped {s.path}: {s.reason}" for s in self.skipped),
                *(f"  warning {w}" for w in self.warnings)]


def to_node(chunk: Chunk, article: Article, vector: Any, added: str = "", story: str = "") -> Any:
    """A llama-index TextNode for one chunk, carrying its embedding and provenance."""
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    metadata = {"source": chunk.article_id, "title": chunk.title, "start": chunk.start, "end": chunk.end,
                "hash": chunk.content_hash, "path": article.path, "date": article.date, "url": article.url,
                "dateline": article.dateline, "added": added, "size": len(article.body), "outlet": article.outlet,
                "author": article.author, "story": story or chunk.article_id}
    if (ts := timestamp(article.date)) is not None:
        metadata["ts"] = ts   # publication time, for date filters (Chroma compares numbers)
    return TextNode(
        id_=chunk.chunk_id, text=chunk.text, metadata=metadata, embedding=list(map(float, vector)),
        start_char_idx=chunk.start, end_char_idx=chunk.end,
        excluded_embed_metadata_keys=[k for k in metadata if k != "title"],
        excluded_llm_metadata_keys=[k for k in metadata if k != "title"],
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.article_id)},
    )


def sentence_vectors(embedder: Any, chunks: list[Chunk]) -> list[str]:
    """Each chunk's sentences embedded on their own (each distinct sentence once) and packed for storage,
    so that questions only embed themselves."""
    split = [split_sentences(c.text) for c in chunks]
    distinct = list(dict.fromkeys(s for sentences in split for s in sentences))
    vectors = embedder.embed(distinct) if distinct else None
    row = {s: i for i, s in enumerate(distinct)}
    return [pack_vectors(vectors[[row[s] for s in sentences]]) if sentences else "" for sentences in split]


def embed_chunks(embedder: Any, chunks: list[Chunk], late: bool = True) -> tuple[np.ndarray, list[str]]:
    """The chunks' vectors and their sentences' (packed).

    late: one forward pass per chunk, each sentence's vector pooled from the chunk's token states over the
    sentence's span (late chunking); a sentence past the model's 256-wordpiece limit is embedded on its own.
    Otherwise every sentence is embedded again on its own (a second pass).
    """
    texts = [c.embed_text() for c in chunks]
    if not late:
        return embedder.embed(texts), sentence_vectors(embedder, chunks)
    spans = [[(len(c.title) + 1 + s, len(c.title) + 1 + e) for s, e in sentence_spans(c.text)] for c in chunks]
    vectors, pooled = embedder.embed_with_spans(texts, spans)
    cut = [(k, row) for k, rows in enumerate(pooled) for row in np.flatnonzero(np.isnan(rows[:, 0]))]
    if cut:
        alone = embedder.embed([texts[k][spans[k][row][0]:spans[k][row][1]] for k, row in cut])
        for (k, row), vector in zip(cut, alone):
            pooled[k][row] = vector
    return vectors, [pack_vectors(rows) if len(rows) else "" for rows in pooled]


def embed_ahead(embedder: Any, batches: list[list[tuple[Article, list[Chunk]]]], late: bool, ahead: int = 1
                ) -> Iterator[tuple[int, np.ndarray, list[str]]]:
    """Embed the batches in order on a thread of its own, at most `ahead` batches before the one taken: the
    caller writes one batch while the next is embedded (ONNX Runtime and Chroma's reads let other threads run).
    Yields (batch index, chunk vectors, packed sentence vectors); an error in the thread is raised here. Closing
    the iterator (or an error in the caller) stops the thread after its current batch."""
    done: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item: Any) -> None:
        while not stop.is_set():
            try:
                done.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def work() -> None:
        try:
            for i, batch in enumerate(batches):
                if stop.is_set():
                    return
                put((i, *embed_chunks(embedder, [c for _, cs in batch for c in cs], late)))
        except BaseException as err:   # raised in the caller, whatever it is
            put(err)
        put(None)

    threading.Thread(target=work, name="qa-embed-ahead", daemon=True).start()

    def taken() -> Iterator[tuple[int, np.ndarray, list[str]]]:
        try:
            while (item := done.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
    return taken()


def carried_articles(old: ChunkStore, skip: set[str]) -> list[Article]:
    """The finished articles of a collection being rebuilt, from their stored text (but those in skip)."""
    articles = []
    for article_id, content_hash in sorted(old.article_hashes().items()):
        stored = None if article_id in skip else old.stored_article(article_id)
        if stored is not None:
            meta, body = stored
            articles.append(Article(article_id, str(meta.get("title", "")), body, str(meta.get("path", "")),
                                    content_hash, date=str(meta.get("date", "")), url=str(meta.get("url", "")),
                                    dateline=str(meta.get("dateline", "")), author=str(meta.get("author", "")),
                                    outlet=str(meta.get("outlet", ""))))
    return articles


def ingest_folder(folder: Path | str, store: ChunkStore, embedder: Any, chunker: Chunker, *,
                  prune: bool = False, progress: bool = True, carry: ChunkStore | None = None,
                  max_bytes: int = MAX_FILE_BYTES, fields: dict[str, str] | None = None,
                  late: bool = True, embed_batches: Callable[..., Iterator[tuple[int, Any, list[str]]]] | None = None,
                  loaded: tuple[list[Article], list[Skipped]] | None = None) -> IngestReport:
    """Bring a collection in line with the articles under folder.

    Args:
        folder: directory (or file) of articles, or an http(s) URL (index.web).
        store: the target collection, opened with create=True.
        embedder: an Embedder.
        chunker: a Chunker.
        prune: also remove stored articles whose files are gone.
        progress: show a progress bar on stderr.
        max_bytes: files larger than this are skipped.
        fields: dump field names (our name -> the dump's).
        late: sentence vectors pooled from each chunk's one forward pass (else embedded again on their own).
        embed_batches: embeds the batches elsewhere (index.ray_embed): (batches, late) -> (batch index, chunk
            vectors, packed sentence vectors) in any order; None embeds them here, one after the other.
        carry: the collection store replaces (a rebuild with other settings): its articles that are not
            under folder are rebuilt from their stored text too (unless prune).
        loaded: folder's articles and skipped files, read already (a URL fetched before the collection opened).

    Returns:
        The report.

    Raises:
        InputError: folder missing.
    """
    from tqdm import tqdm

    started = time.perf_counter()
    articles, skipped = ([*loaded[0]], [*loaded[1]]) if loaded is not None else load_articles(folder, max_bytes,
                                                                                             fields)
    if carry is not None and not prune:
        articles += carried_articles(carry, {a.article_id for a in articles})
    report = IngestReport(store.name, articles=len(articles), skipped=skipped,
                          warnings=[f"{a.path}: {a.warning}" for a in articles if a.warning])
    # what is stored of these articles (of all, with prune): reads that cost the folder, not the archive
    ids = None if prune else [a.article_id for a in articles]
    stored = store.article_hashes(store.finished(ids))
    todo = [a for a in articles if stored.get(a.article_id) != a.content_hash]
    report.unchanged = len(articles) - len(todo)
    bar = tqdm(total=len(todo), desc="Ingesting", unit="article", disable=not progress or not todo)
    batches: list[list[tuple[Article, list[Chunk]]]] = []
    filled = _BATCH_CHUNKS   # chunks in the last batch: a new batch starts once it holds _BATCH_CHUNKS
    for article in todo:
        if filled >= _BATCH_CHUNKS:
            batches.append([])
            filled = 0
        chunks = chunker.chunk(article)
        batches[-1].append((article, chunks))
        filled += len(chunks)
    embedded = embed_batches(batches, late) if embed_batches is not None else embed_ahead(embedder, batches, late)
    with contextlib.closing(embedded):   # an error here stops the embedding ahead
        # While the first batch is embedded: a process's first read of a collection has Chroma load it (its reads
        # let other threads run), and the chunks found are those of finished or half-written (killed) articles
        # (read by source only for the articles that have any).
        held = store.chunk_ids(None if ids is None else
                               sorted(set(stored) | store.first_chunks([i for i in ids if i not in stored])))
        existing = set(stored) | set(held)
        if batches:   # nothing to write, nothing to load (an ingest that changes nothing)
            store.load_sentences()
        # an empty collection has no stored copies to look up (this run's own articles are in the Stories' memory),
        # and no manifest entries without band keys
        total = store.count()
        if total:
            stories = Stories(store.near_many)
        else:
            store.mark_banded()
            stories = Stories(lambda keys: [{} for _ in keys])
        # every story now, in one read of the manifest, while the first batch is embedded (at 1M chunks, looked up
        # batch by batch, the last batch's lookups added 0.4 s after the embedding had finished)
        assigned = stories.assign_all([(a.article_id, a.body) for batch in batches for a, _ in batch])
        for index, vectors, sentences in embedded:
            pending = batches[index]
            added = datetime.now(UTC).isoformat(timespec="seconds")
            nodes = []
            for article, cs in pending:
                story = assigned[article.article_id][0]
                nodes += [to_node(c, article, vectors[len(nodes) + i], added, story) for i, c in enumerate(cs)]
                if article.article_id in stored:
                    report.updated += 1
                else:
                    report.added += 1
            # Embeddings are ready before the old versions go. The batch's articles are unmarked, their old or
            # half-written chunks removed, the new ones added, and only then marked done: a crash anywhere in
            # between leaves them unmarked, and the next run redoes them.
            total -= store.delete_articles([a.article_id for a, _ in pending if a.article_id in existing], held)
            store.add_nodes(nodes, sentences)
            store.mark_done([(a.article_id, a.content_hash, len(cs)) for a, cs in pending],
                            {a.article_id: assigned[a.article_id] for a, _ in pending})
            total += len(nodes)
            report.chunks_written += len(nodes)
            bar.update(len(pending))
            batches[index] = []   # written: its chunks can go
    bar.close()
    if prune:
        gone = sorted(existing - {a.article_id for a in articles})
        total -= store.delete_articles(gone, held)
        report.removed = len(gone)
    report.chunks_total = total   # counted along (under the writer lock): Chroma's count takes 0.17 s at 1M chunks
    report.seconds = time.perf_counter() - started
    return report
