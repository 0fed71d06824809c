"""The articles side of the pipeline: ingest, remove and check a collection, and publish what readers derive
from it. Every change ends by saving BM25 and the term statistics for a new generation of the collection
(bm25s has no incremental update) and only then recording that generation; readers switch at their next
question. One writer at a time per data dir (a lock), as many readers as like."""
from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa.errors import InputError, NotFoundError
from qa.settings import Settings


def term_counts(texts: Any) -> tuple[dict[str, int], int]:
    """Document frequencies of the collection's terms, as TermWeights counts them."""
    from qa.terms import TermWeights

    weights = TermWeights(texts)
    return weights.df, weights.n


def lexical_root(settings: Settings) -> Path:
    """Where a collection's BM25 index and term statistics are saved (per generation)."""
    place = "local" if not settings.chroma_url else "".join(c if c.isalnum() else "_" for c in settings.chroma_url)
    return Path(settings.data_dir) / "lexical" / place / settings.collection


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

    def publish(self, store: Any) -> None:
        """After a change: save BM25 and term statistics for a new generation, then record it. Called while
        writing."""
        from index.lexical import build, save

        snapshot = build(store.records(), uuid.uuid4().hex[:16], term_counts)
        save(snapshot, lexical_root(self.settings))
        store.set_generation(snapshot.generation)
        self._changed()

    def published(self, store: Any) -> bool:
        """Whether the collection's current generation has its saved BM25 files."""
        from index.lexical import load

        generation = store.generation()
        return bool(generation) and load(lexical_root(self.settings), generation) is not None

    def ingest(self, folder: str | Path, *, prune: bool = False, progress: bool = False) -> Any:
        """Add or update the articles under folder (unchanged ones are skipped).

        Args:
            folder: a directory (searched recursively) or one file.
            prune: also remove stored articles whose files are gone.
            progress: show a progress bar on stderr.

        Returns:
            The index.ingest.IngestReport.

        Raises:
            InputError: the folder does not exist; ConfigError/BackendError: setup problems.
        """
        from index.chroma import check_collection_name
        from index.chunker import Chunker
        from index.dumps import parse_fields
        from index.ingest import ingest_folder

        folder = Path(folder)
        check_collection_name(self.settings.collection)
        if not folder.exists():
            raise InputError(f"No such file or folder: {folder}")
        s = self.settings
        with self._lock, self._writing():
            store = self._store(create=True)
            store.collect_garbage()
            embedder = self._embedder()
            built_with = {"embed_model": embedder.name, "embed_backend": embedder.variant,
                          "chunk_words": s.chunk_words, "overlap_words": s.overlap_words,
                          "sentence_vectors": s.sentence_vectors}
            chunker = Chunker(s.chunk_words, s.overlap_words)
            max_bytes = int(s.max_file_mb * 1_000_000)
            fields = parse_fields(s.dump_fields)
            late = s.sentence_vectors == "late"
            if not store.claim(built_with):
                # Other settings built the vectors: everything goes into a new collection, which replaces
                # the old one only when complete (asks read the old one until then).
                target = store.rebuild(built_with)
                if progress:
                    print(f"Collection {store.name!r} was built with {_show(store.built_with())}: rebuilding it "
                          f"with {_show(built_with)}", file=sys.stderr)
                report = ingest_folder(folder, target, embedder, chunker, prune=prune, progress=progress,
                                       carry=store, max_bytes=max_bytes, fields=fields, late=late)
                self.publish(target)
                store.switch_to(target)
                report.rebuilt = True
                return report
            report = None
            try:
                report = ingest_folder(folder, store, embedder, chunker, prune=prune, progress=progress,
                                       max_bytes=max_bytes, fields=fields, late=late)
            finally:
                if report is None or report.chunks_written or report.removed or not self.published(store):
                    self.publish(store)
            return report

    def remove(self, article_id: str) -> int:
        """Remove every chunk of one article; it is never retrieved again.

        Returns:
            How many chunks were removed.

        Raises:
            NotFoundError: no such article.
        """
        with self._lock, self._writing():
            store = self._store()
            removed = store.delete_article(article_id)
            if not removed:
                raise NotFoundError(f"No article {article_id!r} in collection {self.settings.collection!r} "
                                    "(an article's id is its file name without the extension)")
            self.publish(store)
            return removed

    def check(self, lexical_ids: Callable[[], set[str]], repair: bool = False) -> list[str]:
        """Differences between the manifest, Chroma's chunks and the BM25 index; repair them with repair=True.

        Args:
            lexical_ids: the chunk ids the readers' BM25 index holds.
            repair: remove unfinished chunks and publish a fresh generation.

        Returns:
            One line per problem (empty when all agree).
        """
        with self._lock, self._writing():
            store = self._store()
            problems = store.check(repair=repair)
            held = lexical_ids()
            if held != {i for i, _, _ in store.records()}:
                problems.append(f"BM25 holds {len(held)} chunks, Chroma {store.count()} (other ones)")
            if not self.published(store):
                problems.append("the saved BM25 index of the current generation is missing")
            if repair and problems:
                self.publish(store)
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
