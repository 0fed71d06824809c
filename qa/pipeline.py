"""NewsQA: the one object that owns the pipeline (store, embedder, retriever, evidence, answerer).

The CLI, the UI, the eval harness, the benchmark and `qa.ask()` all build this object; nothing else
wires components. Every change (`ingest`, `remove`, `check --repair`) ends by saving BM25 and the
term statistics for a new generation of the collection (bm25s has no incremental update); the next
question, in this process or another, reads that generation.
"""
from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from qa.answerers.base import Answerer, Findings
from qa.answerers.factory import ANSWERERS, answerer_name, make_answerer, with_answerer
from qa.errors import InputError, NotFoundError
from qa.evidence import EvidenceFinder, diversify, rerank
from qa.models import Answer
from qa.query import analyse
from qa.settings import Settings

MAX_QUESTION_CHARS = 2000


class NewsQA:
    """Question answering over one collection of articles."""

    def __init__(self, settings: Settings | None = None, *, embedder: Any = None, llm: Any = None) -> None:
        """Nothing heavy happens here: the model, the index and the answerer load on first use.

        Args:
            settings: effective settings (default: from QA_* variables).
            embedder: an already loaded Embedder to share (the eval harness reuses one).
            llm: an LLM to answer with instead of the configured backend (tests pass a scripted one).
        """
        self.settings = settings or Settings()
        self._embedder = embedder
        self._llm = llm
        self._lock = threading.RLock()
        self._retriever: Any = None
        self._finder: EvidenceFinder | None = None
        self._answerer: Answerer | None = None
        self._answerers: dict[str, Answerer] = {}
        self._query_embedders: dict[str, Any] = {}
        self._open_store: Any = None
        self._fixed = False  # assembled from ready parts: no store behind them

    @classmethod
    def assemble(cls, settings: Settings, *, retriever: Any, finder: EvidenceFinder, answerer: Answerer) -> NewsQA:
        """A pipeline from ready parts (tests, custom retrievers); ingest/remove are not available then."""
        qa = cls(settings, embedder=getattr(finder, "_embedder", None))
        qa._retriever, qa._finder, qa._answerer = retriever, finder, answerer
        qa._fixed = True
        return qa

    # -- parts ------------------------------------------------------------------------------------
    @property
    def embedder(self) -> Any:
        """The embedding model new chunks are embedded with (loaded on first use)."""
        with self._lock:
            if self._embedder is None:
                self._embedder = self._load_embedder(self.settings.embed_backend)
            return self._embedder

    def _load_embedder(self, backend: str) -> Any:
        from index.embedder import load_embedder

        s = self.settings
        return load_embedder(backend, s.embed_model or None, s.embed_batch, Path(s.data_dir))

    def _query_embedder(self, built_with: dict[str, str]) -> Any:
        """The embedder of the backend that built the collection (questions must match its vectors)."""
        from index.embedder import variant_of

        # a collection without a record predates the ONNX backend: torch built it
        wanted = variant_of(built_with.get("embed_backend", "torch" if built_with else self.settings.embed_backend))
        with self._lock:
            if self._embedder is not None and getattr(self._embedder, "variant", None) == wanted:
                return self._embedder
            if wanted not in self._query_embedders:
                self._query_embedders[wanted] = self._load_embedder(wanted)
            return self._query_embedders[wanted]

    def store(self, *, create: bool = False) -> Any:
        """The Chroma collection (create=True makes it when missing).

        Raises:
            IndexMissingError: nothing ingested yet and create is False.
            BackendError: the Chroma server cannot be reached.
        """
        from index.store import ChunkStore

        s = self.settings
        return ChunkStore(s.data_dir, s.collection, s.chroma_url, create=create)

    def _lexical_root(self) -> Path:
        """Where this collection's BM25 index and term statistics are saved (per generation)."""
        s = self.settings
        place = "local" if not s.chroma_url else "".join(c if c.isalnum() else "_" for c in s.chroma_url)
        return Path(s.data_dir) / "lexical" / place / s.collection

    def _publish(self, store: Any) -> None:
        """After a change: save BM25 and term statistics for a new generation, then record it (readers
        switch to it at their next question). Called under the writer lock."""
        import uuid

        from index.lexical import build, save

        snapshot = build(store.records(), uuid.uuid4().hex[:16], _term_counts)
        save(snapshot, self._lexical_root())
        store.set_generation(snapshot.generation)
        with self._lock:
            self._retriever = None

    def _model_llm(self, settings: Settings) -> Any:
        """The pipeline's one model (loaded on first use, shared by its answerers); None without a model."""
        from qa.llm.factory import backend, make_llm

        if self._llm is None and backend(settings) is not None:
            self._llm = make_llm(settings)
        return self._llm

    @property
    def answerer(self) -> Answerer:
        """The configured answerer (a model starts loading here, once)."""
        with self._lock:
            if self._answerer is None:
                needs_model = answerer_name(self.settings, self._llm) != "extractive"
                self._answerer = make_answerer(self.settings, self._model_llm(self.settings) if needs_model else None)
            return self._answerer

    def answerer_for(self, name: str | None = None) -> Answerer:
        """The answerer called name ("extractive", "judged", "reader", or a backend such as "llamacpp"), built
        once; None is the configured one."""
        if name is None or name in (self.settings.answerer, answerer_name(self.settings, self._llm)):
            return self.answerer
        with self._lock:
            if name not in self._answerers:
                settings = with_answerer(self.settings, name)
                shared = name in ANSWERERS and name != "extractive"
                self._answerers[name] = make_answerer(settings, self._model_llm(settings) if shared else None)
            return self._answerers[name]

    @property
    def model(self) -> str:
        """Name of what writes the answers."""
        return self.answerer.name

    def _search_parts(self) -> tuple[Any, EvidenceFinder]:
        """Retriever and evidence finder over the collection's latest completed generation.

        The saved BM25 files of that generation are memory-mapped; a collection without them (built by
        an older version, or a Chroma server changed from another machine) gets them built in memory.
        """
        with self._lock:
            if self._fixed:
                return self._retriever, self._finder
            if self._open_store is None:
                self._open_store = self.store()
            store = self._open_store
            generation = store.generation()
            if self._retriever is not None and self._retriever.generation == generation and self._finder:
                return self._retriever, self._finder
            from index.lexical import build, load, save
            from qa.errors import IndexMissingError
            from qa.retriever import Retriever
            from qa.terms import TermWeights

            lexical = load(self._lexical_root(), generation) if generation else None
            if lexical is None:
                lexical = build(store.records(), generation, _term_counts)
                if generation and self.settings.chroma_url:
                    # another machine changed the server's collection: keep what was built for this
                    # generation, so the next process here loads it instead of fetching every chunk
                    with contextlib.suppress(OSError):
                        save(lexical, self._lexical_root(), prune=False)
            if not lexical.ids:
                raise IndexMissingError(f"Collection {store.name!r} is empty: run `qa ingest seeds/` first")
            s = self.settings
            embedder = self._query_embedder(store.built_with())
            retriever = Retriever(store, embedder, lexical, candidates=max(s.candidates, s.top_k),
                                  dense_weight=s.dense_weight, fusion=s.fusion)
            weights = TermWeights(counts=(lexical.df, lexical.n))
            self._finder = (self._finder.with_weights(weights, embedder, retriever.sentence_vectors)
                            if self._finder is not None
                            else EvidenceFinder(embedder, weights, stored=retriever.sentence_vectors))
            self._retriever = retriever
            return self._retriever, self._finder

    def _changed(self) -> None:
        """Articles changed through this object: reread the collection before the next question."""
        with self._lock:
            self._retriever = None

    # -- articles ---------------------------------------------------------------------------------
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
        from index.chunker import Chunker
        from index.ingest import ingest_folder
        from index.store import check_collection_name

        folder = Path(folder)
        check_collection_name(self.settings.collection)
        if not folder.exists():
            raise InputError(f"No such file or folder: {folder}")
        from index.lock import writer_lock

        s = self.settings
        with self._lock, writer_lock(Path(s.data_dir)):
            store = self.store(create=True)
            store.collect_garbage()
            embedder = self.embedder
            built_with = {"embed_model": embedder.name, "embed_backend": embedder.variant,
                          "chunk_words": s.chunk_words, "overlap_words": s.overlap_words}
            chunker = Chunker(s.chunk_words, s.overlap_words)
            max_bytes = int(s.max_file_mb * 1_000_000)
            if not store.claim(built_with):
                # Other settings built the vectors: everything goes into a new collection, which replaces
                # the old one only when complete (asks read the old one until then).
                target = store.rebuild(built_with)
                if progress:
                    print(f"Collection {store.name!r} was built with {_show(store.built_with())}: rebuilding it "
                          f"with {_show(built_with)}", file=sys.stderr)
                report = ingest_folder(folder, target, embedder, chunker, prune=prune, progress=progress,
                                       carry=store, max_bytes=max_bytes)
                self._publish(target)
                store.switch_to(target)
                report.rebuilt = True
                return report
            report = None
            try:
                report = ingest_folder(folder, store, embedder, chunker, prune=prune, progress=progress,
                                       max_bytes=max_bytes)
            finally:
                if report is None or report.chunks_written or report.removed or not self._published(store):
                    self._publish(store)
            return report

    def remove(self, article_id: str) -> int:
        """Remove every chunk of one article; it is never retrieved again.

        Returns:
            How many chunks were removed.

        Raises:
            InputError: no such article.
        """
        from index.lock import writer_lock

        with self._lock, writer_lock(Path(self.settings.data_dir)):
            store = self.store()
            removed = store.delete_article(article_id)
            if not removed:
                raise NotFoundError(f"No article {article_id!r} in collection {self.settings.collection!r} "
                                 "(an article's id is its file name without the extension)")
            self._publish(store)
            return removed

    def _published(self, store: Any) -> bool:
        """Whether the collection's current generation has its saved BM25 files."""
        from index.lexical import load

        generation = store.generation()
        return bool(generation) and load(self._lexical_root(), generation) is not None

    def check(self, repair: bool = False) -> list[str]:
        """Differences between the manifest, Chroma's chunks and the BM25 index; repair them with repair=True.

        Returns:
            One line per problem (empty when all agree).
        """
        from index.lock import writer_lock

        with self._lock, writer_lock(Path(self.settings.data_dir)):
            store = self.store()
            problems = store.check(repair=repair)
            retriever, _ = self._search_parts()
            if set(retriever.lexical.ids) != {i for i, _, _ in store.records()}:
                problems.append(f"BM25 holds {retriever.size} chunks, Chroma {store.count()} (other ones)")
            if not self._published(store):
                problems.append("the saved BM25 index of the current generation is missing")
            if repair and problems:
                self._publish(store)
            return problems

    def articles(self) -> list[dict[str, Any]]:
        """The stored articles: id, title, chunks, date added, size (for the library)."""
        return self.store().articles()

    def article(self, article_id: str) -> tuple[str, str]:
        """(title, body) of one stored article.

        Raises:
            InputError: no such article.
        """
        found = self.store().article_text(article_id)
        if found is None:
            raise NotFoundError(f"No article {article_id!r} in collection {self.settings.collection!r}")
        return found

    def stats(self) -> dict[str, Any]:
        """Articles, chunks, collection and where it lives."""
        store = self.store()
        return {"articles": len(store.article_hashes()), "chunks": store.count(),
                "collection": self.settings.collection,
                "data_dir": self.settings.chroma_url or str(self.settings.data_dir)}

    # -- questions --------------------------------------------------------------------------------
    def find(self, question: str, top_k: int | None = None, timings: dict[str, float] | None = None) -> Findings:
        """Retrieve, rerank by best sentence and score the sentences of the kept passages.

        Args:
            question: the question.
            top_k: passages to keep (default: the settings' top_k).
            timings: when given, gets milliseconds per stage (open, embed, dense, bm25, fusion, evidence).

        Raises:
            InputError: empty or oversized question, or a bad top_k.
        """
        started = time.perf_counter()
        question = _clean(question)
        k = self.settings.top_k if top_k is None else top_k
        if k < 1:
            raise InputError(f"top_k must be at least 1, got {k}")
        retriever, finder = self._search_parts()
        opened = time.perf_counter()
        query = analyse(question, finder.weights)
        if query.synthesis:  # drawn from several articles: more passages, at most two of each article
            k = max(k, self.settings.synthesis_passages)
        fetched = retriever.retrieve(question, max(k, self.settings.rerank_depth), timings)
        scoring = time.perf_counter()
        ranked = rerank(finder.find(query, fetched), fetched, len(fetched) if query.synthesis else k)
        passages = tuple(diversify(ranked, k, per_article=2) if query.synthesis else ranked)
        # sentence vectors are cached: this second pass is scoring only, with agreement among the kept passages
        found = Findings(query, passages, tuple(finder.find(query, passages)), finder)
        if timings is not None:
            timings["open"] = timings.get("open", 0.0) + (opened - started) * 1000
            timings["evidence"] = timings.get("evidence", 0.0) + (time.perf_counter() - scoring) * 1000
        return found

    def ask(self, question: str, top_k: int | None = None, answerer: str | None = None) -> Answer:
        """Answer one question from the articles.

        Args:
            question: the question.
            top_k: passages to retrieve (default: the settings' top_k).
            answerer: "extractive", "judged", "reader" or a backend name (default: the configured one).

        Returns:
            The answer; refused=True with no citations when the articles do not hold it.

        Raises:
            QAError: empty or oversized question, nothing ingested, LLM backend failure.
        """
        timings: dict[str, float] = {}
        chosen = self.answerer_for(answerer)   # first: a model starts loading while the question is retrieved
        found = self.find(question, top_k, timings)
        started = time.perf_counter()
        answer = chosen.answer(found.query, found)
        timings["answer"] = (time.perf_counter() - started) * 1000
        return replace(answer, timings=timings)

    def stream(self, question: str, top_k: int | None = None, answerer: str | None = None) -> Iterator[str | Answer]:
        """Pieces of the answer text as they are written, then the final Answer."""
        chosen = self.answerer_for(answerer)
        found = self.find(question, top_k)
        yield from chosen.stream(found.query, found)

    # -- conversations ----------------------------------------------------------------------------
    def standalone(self, history: Sequence[tuple[str, str]], question: str, answerer: str | None = None) -> str:
        """The follow-up rewritten to stand alone (by the LLM when one answers, else by rule)."""
        from qa.followup import condense

        return condense(history, _clean(question), self.answerer_for(answerer).condenser)

    def chat(self, history: Sequence[tuple[str, str]], question: str, top_k: int | None = None,
             answerer: str | None = None) -> Answer:
        """Answer a question in a conversation: history is the earlier (question, answer text) turns.

        Returns:
            The Answer, with question as asked and standalone as searched.
        """
        searched = self.standalone(history, question, answerer)
        return replace(self.ask(searched, top_k, answerer), question=_clean(question), standalone=searched)

    def chat_stream(self, history: Sequence[tuple[str, str]], question: str, top_k: int | None = None,
                    answerer: str | None = None) -> Iterator[str | Answer]:
        """chat(), streamed: text pieces, then the Answer."""
        searched = self.standalone(history, question, answerer)
        for piece in self.stream(searched, top_k, answerer):
            yield replace(piece, question=_clean(question), standalone=searched) if isinstance(piece, Answer) else piece


def _show(built_with: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(built_with.items()))


def _term_counts(texts: Any) -> tuple[dict[str, int], int]:
    """Document frequencies of the collection's terms, as TermWeights counts them."""
    from qa.terms import TermWeights

    weights = TermWeights(texts)
    return weights.df, weights.n


def _clean(question: str) -> str:
    """The question with whitespace squeezed; empty and oversized questions are errors."""
    question = " ".join((question or "").split())
    if not question:
        raise InputError('The question is empty: ask something, e.g. qa ask "Who invited Putin?"')
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(f"The question is too long ({len(question)} characters, limit {MAX_QUESTION_CHARS}): "
                         "ask about one thing at a time")
    return question
