"""NewsQA: the one object that owns the pipeline (store, embedder, retriever, evidence, answerer).

The CLI, the UI, the eval harness, the benchmark and `qa.ask()` all build this object; nothing else
wires components. After `ingest` or `remove` the next question sees the change (BM25 and term
statistics are rebuilt from the store; bm25s has no incremental update).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from qa.answerer import Answerer, Findings, make_answerer
from qa.errors import InputError
from qa.evidence import EvidenceFinder, rerank
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

    @classmethod
    def assemble(cls, settings: Settings, *, retriever: Any, finder: EvidenceFinder, answerer: Answerer) -> NewsQA:
        """A pipeline from ready parts (tests, custom retrievers); ingest/remove are not available then."""
        qa = cls(settings, embedder=getattr(finder, "_embedder", None))
        qa._retriever, qa._finder, qa._answerer = retriever, finder, answerer
        return qa

    # -- parts ------------------------------------------------------------------------------------
    @property
    def embedder(self) -> Any:
        """The embedding model (loaded on first use)."""
        with self._lock:
            if self._embedder is None:
                from index.embedder import Embedder

                self._embedder = Embedder(self.settings.embed_model or None, self.settings.embed_batch)
            return self._embedder

    def store(self, *, create: bool = False) -> Any:
        """The Chroma collection (create=True makes it when missing).

        Raises:
            IndexMissingError: nothing ingested yet and create is False.
            BackendError: the Chroma server cannot be reached.
        """
        from index.store import ChunkStore

        s = self.settings
        return ChunkStore(s.data_dir, s.collection, s.chroma_url, create=create)

    @property
    def answerer(self) -> Answerer:
        """The configured answerer (an LLM model loads here, once)."""
        with self._lock:
            if self._answerer is None:
                self._answerer = make_answerer(self.settings, self._llm)
            return self._answerer

    def answerer_for(self, name: str | None = None) -> Answerer:
        """The answerer called name ("extractive", "llamacpp", ...), built once; None is the configured one."""
        if name is None or name == self.settings.llm:
            return self.answerer
        with self._lock:
            if name not in self._answerers:
                self._answerers[name] = make_answerer(self.settings.model_copy(update={"llm": name}))
            return self._answerers[name]

    @property
    def model(self) -> str:
        """Name of what writes the answers."""
        return self.answerer.name

    def _search_parts(self) -> tuple[Any, EvidenceFinder]:
        """Retriever and evidence finder over the current articles, built after each change."""
        with self._lock:
            if self._retriever is None or self._finder is None:
                from qa.retriever import Retriever
                from qa.terms import TermWeights

                s = self.settings
                retriever = Retriever.from_store(self.store(), self.embedder, candidates=max(s.candidates, s.top_k),
                                                 dense_weight=s.dense_weight, fusion=s.fusion)
                weights = TermWeights(f"{n.metadata.get('title', '')}\n{n.get_content()}" for n in retriever.nodes)
                self._finder = (self._finder.with_weights(weights) if self._finder is not None
                                else EvidenceFinder(self.embedder, weights))
                self._retriever = retriever
            return self._retriever, self._finder

    def _changed(self) -> None:
        """Articles changed: rebuild BM25 and term statistics before the next question."""
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
        from index.embedder import BUNDLED_NAME
        from index.lock import writer_lock

        s = self.settings
        with self._lock, writer_lock(Path(s.data_dir)):
            store = self.store(create=True)
            store.claim({"embed_model": s.embed_model or BUNDLED_NAME, "chunk_words": s.chunk_words,
                         "overlap_words": s.overlap_words})
            try:
                return ingest_folder(folder, store, self.embedder,
                                     Chunker(s.chunk_words, s.overlap_words), prune=prune, progress=progress)
            finally:
                self._changed()

    def remove(self, article_id: str) -> int:
        """Remove every chunk of one article; it is never retrieved again.

        Returns:
            How many chunks were removed.

        Raises:
            InputError: no such article.
        """
        from index.lock import writer_lock

        with self._lock, writer_lock(Path(self.settings.data_dir)):
            removed = self.store().delete_article(article_id)
            if not removed:
                raise InputError(f"No article {article_id!r} in collection {self.settings.collection!r} "
                                 "(an article's id is its file name without the extension)")
            self._changed()
            return removed

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
            if len(retriever.nodes) != store.count():
                problems.append(f"BM25 holds {len(retriever.nodes)} chunks, Chroma {store.count()}")
            if repair:
                self._changed()
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
            raise InputError(f"No article {article_id!r} in collection {self.settings.collection!r}")
        return found

    def stats(self) -> dict[str, Any]:
        """Articles, chunks, collection and where it lives."""
        store = self.store()
        return {"articles": len(store.article_hashes()), "chunks": store.count(),
                "collection": self.settings.collection,
                "data_dir": self.settings.chroma_url or str(self.settings.data_dir)}

    # -- questions --------------------------------------------------------------------------------
    def find(self, question: str, top_k: int | None = None) -> Findings:
        """Retrieve, rerank by best sentence and score the sentences of the kept passages.

        Raises:
            InputError: empty or oversized question, or a bad top_k.
        """
        question = _clean(question)
        k = self.settings.top_k if top_k is None else top_k
        if k < 1:
            raise InputError(f"top_k must be at least 1, got {k}")
        retriever, finder = self._search_parts()
        query = analyse(question, finder.weights)
        fetched = retriever.retrieve(question, max(k, self.settings.rerank_depth))
        passages = tuple(rerank(finder.find(query, fetched), fetched, k))
        # sentence vectors are cached: this second pass is scoring only, with agreement among the kept passages
        return Findings(query, passages, tuple(finder.find(query, passages)), finder)

    def ask(self, question: str, top_k: int | None = None, answerer: str | None = None) -> Answer:
        """Answer one question from the articles.

        Args:
            question: the question.
            top_k: passages to retrieve (default: the settings' top_k).
            answerer: "extractive" or an LLM backend (default: the configured one).

        Returns:
            The answer; refused=True with no citations when the articles do not hold it.

        Raises:
            QAError: empty or oversized question, nothing ingested, LLM backend failure.
        """
        found = self.find(question, top_k)
        return self.answerer_for(answerer).answer(found.query, found)

    def stream(self, question: str, top_k: int | None = None, answerer: str | None = None) -> Iterator[str | Answer]:
        """Pieces of the answer text as they are written, then the final Answer."""
        found = self.find(question, top_k)
        yield from self.answerer_for(answerer).stream(found.query, found)

    # -- conversations ----------------------------------------------------------------------------
    def standalone(self, history: Sequence[tuple[str, str]], question: str, answerer: str | None = None) -> str:
        """The follow-up rewritten to stand alone (by the LLM when one answers, else by rule)."""
        from qa.followup import condense

        return condense(history, _clean(question), getattr(self.answerer_for(answerer), "llm", None))

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


def _clean(question: str) -> str:
    """The question with whitespace squeezed; empty and oversized questions are errors."""
    question = " ".join((question or "").split())
    if not question:
        raise InputError('The question is empty: ask something, e.g. qa ask "Who invited Putin?"')
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(f"The question is too long ({len(question)} characters, limit {MAX_QUESTION_CHARS}): "
                         "ask about one thing at a time")
    return question
