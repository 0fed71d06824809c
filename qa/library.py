"""The articles side of the pipeline: ingest, remove and check a collection, and publish what readers derive
from it. Every change journals the articles it touches, applies them to the lexical index (index.lexical) under a
new generation, and only then records that generation; readers switch at their next question. One writer at a time
per data dir (a lock), as many readers as like."""
from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from qa.errors import InputError, NotFoundError
from qa.settings import Settings


def lexical_root(settings: Settings) -> Path:
    """Where a collection's lexical indexes live (one per physical collection)."""
    place = "local" if not settings.chroma_url else "".join(c if c.isalnum() else "_" for c in settings.chroma_url)
    return Path(settings.data_dir) / "lexical" / place / settings.collection


def lexical_index(settings: Settings, store: Any) -> Any:
    """The lexical index (index.lexical.LexicalIndex) of the physical collection store reads."""
    from index.lexical import LexicalIndex
    from qa.terms import TermWeights

    return LexicalIndex(lexical_root(settings) / f"tantivy-{store.physical}", TermWeights().terms)


def prune_lexical(settings: Settings, keep: Any) -> None:
    """Delete the lexical indexes of other physical collections (replaced by a rebuild) and older formats."""
    import shutil

    root = lexical_root(settings)
    for old in root.iterdir() if root.is_dir() else ():
        if old.name != f"tantivy-{keep.physical}" and not old.name.startswith("tantivy-" + keep.name + ".b"):
            shutil.rmtree(old, ignore_errors=True)


def catch_up(store: Any, index: Any, generation: str | None = None, full: bool = False) -> None:
    """Bring the lexical index up to the collection: apply the journal's articles (or, with full or when the index
    does not match the collection's recorded generation, rebuild it from every finished article), then record generation
    (a new one for a writer; None keeps the collection's, for a reader finishing what a killed writer left).
    Called under the writer lock."""
    import uuid

    current = store.generation(fresh=False)   # fresh would follow the head away from a rebuild's target
    label = generation or current or uuid.uuid4().hex[:16]
    if full or index.snapshot().generation != current:
        index.rebuild(store.finished_records(), label, store.sentence_vectors)
    else:
        changed = index.pending()
        index.apply(changed, store.finished_records(sorted(changed)), label, store.sentence_vectors)
    if label != current:
        store.set_generation(label)
    index.settled()


def _show(built_with: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(built_with.items()))


class Library:
    """Changes one collection: ingest, remove, check; each change publishes a new generation."""

    def __init__(self, settings: Settings, store: Callable[..., Any], embedder: Callable[[], Any],
                 changed: Callable[[], None], lock: threading.RLock) -> None:
        """
        Args:
            settings: effective settings.
            store: opens the collection (create=True makes it).
            embedder: the embedding model new chunks get (loaded on first use).
            changed: tells the readers of this process to reread the collection.
            lock: the pipeline's lock (held while changing).
        """
        self.settings = settings
        self._store = store
        self._embedder = embedder
        self._changed = changed
        self._lock = lock

    def _writing(self) -> Any:
        from index.lock import writer_lock

        return writer_lock(Path(self.settings.data_dir))

    def _open(self, create: bool = False) -> Any:
        """The collection, opened for a change: every article whose chunks change is journaled first."""
        store = self._store(create=create)
        store.on_change = lexical_index(self.settings, store).note
        return store

    def publish(self, store: Any, full: bool = False) -> None:
        """After a change: apply it to the lexical index (full: rebuild it) under a new generation, then record
        that generation. Called while writing."""
        catch_up(store, lexical_index(self.settings, store), uuid.uuid4().hex[:16], full=full)
        self._changed()

    def published(self, store: Any) -> bool:
        """Whether the lexical index holds the collection's current generation, with nothing left to apply."""
        index = lexical_index(self.settings, store)
        generation = store.generation()
        return bool(generation) and index.snapshot().generation == generation and not index.pending()

    def ingest(self, folder: str | Path | Sequence[str | Path], *, prune: bool = False,
               progress: bool = False) -> Any:
        """Add or update the articles under folder (unchanged ones are skipped).

        Args:
            folder: a directory (searched recursively), one file, an http(s) URL of a news page, feed or dump,
                or several of these (`qa ingest a.html b.html feeds/`): one change, one report.
            prune: also remove stored articles that none of the folders holds any more (folders and files only).
            progress: show a progress bar on stderr.

        Returns:
            The index.ingest.IngestReport.

        Raises:
            InputError: a folder does not exist, a URL cannot be fetched (nothing is opened or changed then);
                ConfigError/BackendError: setup problems.
        """
        from index.chroma import check_collection_name
        from index.chunker import Chunker
        from index.dumps import parse_fields
        from index.ingest import ingest_folder
        from index.loader import load_sources
        from index.web import PRUNE_NEEDS_FOLDER, expand_lists, is_url

        check_collection_name(self.settings.collection)
        s = self.settings
        sources = expand_lists([folder] if isinstance(folder, str | Path) else list(folder))
        if not sources:
            raise InputError("Nothing to ingest: name a folder, a file or a URL")
        if prune and any(is_url(source) for source in sources):
            raise InputError(PRUNE_NEEDS_FOLDER)
        max_bytes = int(s.max_file_mb * 1_000_000)
        fields = parse_fields(s.dump_fields)
        # read (and fetched) before anything is opened: a missing folder or a URL that fails changes nothing
        loaded = load_sources(sources, max_bytes, fields, s.feed_page_words)
        folder = sources[0]
        with self._lock, self._writing():
            store = self._open(create=True)
            store.collect_garbage()
            embedder = self._embedder()
            late = s.sentence_vectors == "late" and getattr(embedder, "spans", True)   # a server has no token states
            built_with = {"embed_model": embedder.name, "embed_backend": embedder.variant,
                          "chunk_words": s.chunk_words, "overlap_words": s.overlap_words,
                          "sentence_vectors": "late" if late else "standalone"}
            recorded = store.built_with()
            if embedder.variant == recorded.get("embed_backend") == "openai" and store.count():
                embedder.require(recorded.get("embed_model", ""), store.name)
            chunker = Chunker(s.chunk_words, s.overlap_words)
            elsewhere = None
            if s.ray:
                from index.ray_embed import ray_embedding

                elsewhere = ray_embedding(s.ray, s.ray_workers, s.embed_backend, s.embed_model or None, s.embed_batch,
                                          s.models_dir)
            if not store.claim(built_with):
                # Other settings built the vectors: everything goes into a new collection, which replaces
                # the old one only when complete (asks read the old one until then).
                target = store.rebuild(built_with)
                if progress:
                    print(f"Collection {store.name!r} was built with {_show(store.built_with())}: rebuilding it "
                          f"with {_show(built_with)}", file=sys.stderr)
                report = ingest_folder(folder, target, embedder, chunker, prune=prune, progress=progress,
                                       carry=store, max_bytes=max_bytes, fields=fields, late=late,
                                       embed_batches=elsewhere, loaded=loaded)
                self.publish(target, full=True)
                store.switch_to(target)
                prune_lexical(self.settings, target)
                report.rebuilt = True
                return report
            report = None
            try:
                report = ingest_folder(folder, store, embedder, chunker, prune=prune, progress=progress,
                                       max_bytes=max_bytes, fields=fields, late=late, embed_batches=elsewhere,
                                       loaded=loaded)
            finally:
                if report is None or report.chunks_written or report.removed or not self.published(store):
                    self.publish(store)
                    prune_lexical(self.settings, store)
            return report

    def remove(self, article_id: str) -> int:
        """Remove every chunk of one article; it is never retrieved again.

        Returns:
            How many chunks were removed.

        Raises:
            NotFoundError: no such article.
        """
        return self.remove_many([article_id])[article_id]

    def remove_many(self, article_ids: Sequence[str]) -> dict[str, int]:
        """Remove every chunk of these articles in one change (one delete per collection, one publish): all of
        them, or none when one is unknown.

        Returns:
            Article id -> how many chunks were removed, in the order given.

        Raises:
            NotFoundError: an article id the collection does not hold (nothing is removed then).
        """
        wanted = list(dict.fromkeys(article_ids))
        with self._lock, self._writing():
            store = self._open()
            held = store.chunk_ids(wanted) if wanted else {}
            missing = [a for a in wanted if not held.get(a)]
            if missing:
                raise NotFoundError(f"No article {', '.join(map(repr, missing))} in collection "
                                    f"{self.settings.collection!r} (an article's id is its file name without the "
                                    "extension); nothing removed")
            if wanted:
                store.delete_articles(wanted, held)
                self.publish(store)
            return {a: len(held[a]) for a in wanted}

    def check(self, lexical_ids: Callable[[], set[str]], repair: bool = False) -> list[str]:
        """Differences between the manifest, Chroma's chunks and the BM25 index; repair them with repair=True.

        Args:
            lexical_ids: the chunk ids the readers' BM25 index holds.
            repair: remove unfinished chunks and publish a fresh generation.

        Returns:
            One line per problem (empty when all agree).
        """
        with self._lock, self._writing():
            store = self._open()
            problems = store.check(repair=repair)
            held = lexical_ids()
            if held != {i for i, _, _ in store.finished_records()}:
                problems.append(f"the lexical index holds {len(held)} chunks, Chroma {store.count()} (other ones)")
            if not self.published(store):
                problems.append("the lexical index is behind the collection's current generation")
            if repair and problems:
                self.publish(store, full=True)
            return problems

    def article(self, article_id: str) -> tuple[str, str]:
        """(title, body) of one stored article.

        Raises:
            NotFoundError: no such article.
        """
        found = self._store().article_text(article_id)
        if found is None:
            raise NotFoundError(f"No article {article_id!r} in collection {self.settings.collection!r}")
        return found

    def stats(self) -> dict[str, Any]:
        """Articles, chunks, collection and where it lives; articles per outlet and the publication date range."""
        store = self._store()
        rows = store.articles()
        outlets: dict[str, int] = {}
        for row in rows:
            outlets[row["outlet"] or "(unknown)"] = outlets.get(row["outlet"] or "(unknown)", 0) + 1
        dates = sorted(str(r["published"])[:10] for r in rows if r["published"])
        s = self.settings
        return {"articles": len(store.article_hashes()), "chunks": store.count(), "collection": s.collection,
                "data_dir": s.chroma_url or str(s.data_dir),
                "outlets": dict(sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))),
                "published": {"first": dates[0], "last": dates[-1], "dated": len(dates)} if dates else {}}
