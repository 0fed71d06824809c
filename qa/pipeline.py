"""NewsQA: the one object that owns the pipeline (store, embedder, retriever, evidence, answerer, library).

The CLI, the UI, the HTTP API, the eval harness, the benchmark and `qa.ask()` all build this object; nothing
else wires components. Changes go through qa.library, which publishes a new generation of the collection;
the next question, in this process or another, reads it.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from qa.answerers.base import Answerer, Findings
from qa.answerers.coverage import stream_coverage
from qa.answerers.factory import Answerers
from qa.errors import InputError
from qa.evidence import EvidenceFinder
from qa.filters import Filter
from qa.finding import covered_or_found, matches, search
from qa.library import Library
from qa.models import Answer, Match
from qa.parts import joined, multi_part
from qa.query import clean_question
from qa.settings import Settings
from qa.timewords import as_of_date


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
        self._lock = threading.RLock()
        self._opening = threading.Lock()   # opening a Chroma client (not held while changing or asking)
        self._retriever: Any = None
        self._finder: EvidenceFinder | None = None
        self._answerers = Answerers(self.settings, llm)
        self._query_embedders: dict[str, Any] = {}
        self._open_store: Any = None
        self._fixed = False  # assembled from ready parts: no store behind them

    @classmethod
    def assemble(cls, settings: Settings, *, retriever: Any, finder: EvidenceFinder, answerer: Answerer) -> NewsQA:
        """A pipeline from ready parts (tests, custom retrievers); ingest/remove are not available then."""
        qa = cls(settings, embedder=getattr(finder, "_embedder", None))
        qa._retriever, qa._finder = retriever, finder
        qa._answerers = Answerers(settings, fixed=answerer)
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

    def _load_embedder(self, backend: str, built_by: str = "") -> Any:
        """The embedder of a backend; an embedding server must serve built_by (the model a collection records)."""
        from index.embedder import load_embedder

        s = self.settings
        if backend != "openai":
            return load_embedder(backend, s.embed_model or None, s.embed_batch, s.models_dir)
        from index.remote_embedder import RemoteEmbedder

        remote = RemoteEmbedder(s.embed_base_url, s.embed_model, s.embed_api_key.get_secret_value(), s.timeout_s,
                                s.embed_batch)
        remote.require(built_by, s.collection)
        return remote

    def _query_embedder(self, built_with: dict[str, str]) -> Any:
        """The embedder of the backend that built the collection (questions must match its vectors)."""
        from index.embedder import variant_of

        # a collection without a record predates the ONNX backend: torch built it
        wanted = variant_of(built_with.get("embed_backend", "torch" if built_with else self.settings.embed_backend))
        with self._lock:
            if self._embedder is not None and getattr(self._embedder, "variant", None) == wanted:
                return self._embedder
            if wanted not in self._query_embedders:
                self._query_embedders[wanted] = self._load_embedder(wanted, built_with.get("embed_model", ""))
            return self._query_embedders[wanted]

    def store(self, *, create: bool = False) -> Any:
        """The Chroma collection, made when missing with create=True (IndexMissingError: nothing ingested yet and
        create is False; BackendError: the Chroma server cannot be reached)."""
        from index.store import ChunkStore

        s = self.settings
        with self._opening:   # chromadb's shared client registry races when threads open one path at once
            return ChunkStore(s.data_dir, s.collection, s.chroma_url, create=create)

    @property
    def answerer(self) -> Answerer:
        """The configured answerer (a model starts loading here, once)."""
        return self._answerers.get()

    def answerer_for(self, name: str | None = None) -> Answerer:
        """The answerer called name ("extractive", "judged", "reader", or a backend such as "llamacpp"), built
        once; None is the configured one."""
        return self._answerers.get(name)

    @property
    def model(self) -> str:
        """Name of what writes the answers."""
        return self.answerer.name

    def _search_parts(self) -> tuple[Any, EvidenceFinder]:
        """Retriever and evidence finder over the collection's latest completed generation.

        A snapshot of the lexical index, kept until the collection's generation changes; an index behind the
        collection (a killed writer, a Chroma server changed from another machine) is caught up first.
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
            from qa.finding import open_search

            self._retriever, self._finder = open_search(store, generation, self.settings,
                                                        self._query_embedder(store.built_with()), self._finder)
            return self._retriever, self._finder

    def _changed(self) -> None:
        """Articles changed through this object: reread the collection before the next question."""
        with self._lock:
            self._retriever = None

    # -- articles ---------------------------------------------------------------------------------
    @property
    def library(self) -> Library:
        """What changes the collection (ingest, remove, check)."""
        return Library(self.settings, self.store, lambda: self.embedder, self._changed, self._lock)

    def ingest(self, folder: str | Path | Sequence[str | Path], *, prune: bool = False, progress: bool = False) -> Any:
        """Add or update the articles under folder: a folder, file or URL, or several (unchanged ones are skipped);
        see Library.ingest.

        Returns:
            The index.ingest.IngestReport.
        """
        return self.library.ingest(folder, prune=prune, progress=progress)

    def remove(self, article_id: str) -> int:
        """Remove every chunk of one article; returns how many (NotFoundError: no such article)."""
        return self.library.remove(article_id)

    def remove_many(self, article_ids: Sequence[str]) -> dict[str, int]:
        """Remove these articles in one change; article id -> chunks removed (NotFoundError: one is unknown,
        and nothing is removed)."""
        return self.library.remove_many(article_ids)

    def check(self, repair: bool = False) -> list[str]:
        """Differences between the manifest, Chroma's chunks and the BM25 index; repair them with repair=True.

        Returns:
            One line per problem (empty when all agree).
        """
        return self.library.check(lambda: self._search_parts()[0].lexical.all_ids(), repair=repair)

    def articles(self) -> list[dict[str, Any]]:
        """The stored articles: id, title, chunks, date added, size (for the library)."""
        return self.store().articles()

    def article(self, article_id: str) -> tuple[str, str]:
        """(title, body) of one stored article (NotFoundError: no such article)."""
        return self.library.article(article_id)

    def stats(self) -> dict[str, Any]:
        """Articles, chunks, collection and where it lives; articles per outlet and the publication date range."""
        return self.library.stats()

    # -- questions --------------------------------------------------------------------------------
    def find(self, question: str, top_k: int | None = None, timings: dict[str, float] | None = None, *,
             filters: Filter | None = None, as_of: date | str | None = None, plain: bool = False,
             context: str = "") -> Findings:
        """Retrieve, rerank by best sentence and score the sentences of the kept passages.

        Args:
            question: the question.
            top_k: passages to keep (default: the settings' top_k).
            timings: when given, gets milliseconds per stage (open, embed, dense, bm25, fusion, evidence).
            filters: only articles of this date range and these outlets (qa.filters.make_filter).
            as_of: the day it is asked (ISO; default today): time words ("this week") are read relative to it,
                and articles of the time they name, or not newer than it, win among near-equal evidence.
            plain: search a question about the coverage as any other (not for its topic).
            context: words retrieval searches along with the question (the analysis reads the question alone).

        Raises:
            InputError: empty or oversized question, a bad top_k or as_of.
        """
        started = time.perf_counter()
        question = clean_question(question)
        k = self.settings.top_k if top_k is None else top_k
        if k < 1:
            raise InputError(f"top_k must be at least 1, got {k}")
        retriever, finder = self._search_parts()
        opened = time.perf_counter()
        found = search(retriever, finder, self.settings, question, k, timings, filters, as_of_date(as_of), plain,
                       context)
        if timings is not None:
            timings["open"] = timings.get("open", 0.0) + (opened - started) * 1000
        return found

    def search(self, query: str, top_k: int | None = None, *, filters: Filter | None = None,
               as_of: date | str | None = None) -> tuple[Match, ...]:
        """The passages find keeps, best first, each with its best sentence: no answer, no model (`qa search`)."""
        return matches(self.find(query, top_k, filters=filters, as_of=as_of))

    def ask(self, question: str, top_k: int | None = None, answerer: str | None = None, *,
            filters: Filter | None = None, as_of: date | str | None = None, context: str = "") -> Answer:
        """Answer one question from the articles: refused=True with no citations when they do not hold it.

        Args:
            question: the question.
            top_k: passages to retrieve (default: the settings' top_k).
            answerer: "extractive", "judged", "reader" or a backend name (default: the configured one).
            filters: only articles of this date range and these outlets.
            as_of: the day it is asked (default today; see find).
            context: searched along with the question, not judged (a later part of a multi-part question).

        A multi-part question ("Which film won, and who won best supporting actress?") is answered part by part.

        Raises:
            QAError: empty or oversized question, nothing ingested, LLM backend failure.
        """
        parts = multi_part(clean_question(question))
        if parts:
            return joined(clean_question(question), [
                (part, self.ask(part, top_k, answerer, filters=filters, as_of=as_of, context=c)) for part, c in parts])
        timings: dict[str, float] = {}
        chosen = self.answerer_for(answerer)   # first: a model starts loading while the question is retrieved
        found, covered = covered_or_found(self.find, self.settings.min_support, chosen.name, question, top_k,
                                          timings, filters, as_of, context)
        started = time.perf_counter()
        answer = covered if covered is not None else chosen.answer(found.query, found)
        timings["answer"] = (time.perf_counter() - started) * 1000
        return replace(_said(answer, found, filters), timings=timings)

    def stream(self, question: str, top_k: int | None = None, answerer: str | None = None, *,
               filters: Filter | None = None, as_of: date | str | None = None) -> Iterator[str | Answer]:
        """Pieces of the answer text as they are written, then the final Answer (a multi-part one at once)."""
        if multi_part(clean_question(question)):
            answer = self.ask(question, top_k, answerer, filters=filters, as_of=as_of)
            yield from (answer.text, answer)
            return
        chosen = self.answerer_for(answerer)
        found, covered = covered_or_found(self.find, self.settings.min_support, chosen.name, question, top_k,
                                          None, filters, as_of)
        pieces = stream_coverage(covered) if covered is not None else chosen.stream(found.query, found)
        for piece in pieces:
            yield _said(piece, found, filters) if isinstance(piece, Answer) else piece

    # -- conversations ----------------------------------------------------------------------------
    def standalone(self, history: Sequence[tuple[str, str]], question: str, answerer: str | None = None) -> str:
        """The follow-up rewritten to stand alone (by the LLM when one answers, else by rule)."""
        from qa.followup import condense

        return condense(history, clean_question(question), self.answerer_for(answerer).condenser)

    def chat(self, history: Sequence[tuple[str, str]], question: str, top_k: int | None = None,
             answerer: str | None = None, *, filters: Filter | None = None, as_of: date | str | None = None) -> Answer:
        """Answer a question in a conversation: history is the earlier (question, answer text) turns.

        Returns:
            The Answer, with question as asked and standalone as searched.
        """
        searched = self.standalone(history, question, answerer)
        answer = self.ask(searched, top_k, answerer, filters=filters, as_of=as_of)
        return replace(answer, question=clean_question(question), standalone=searched)

    def chat_stream(self, history: Sequence[tuple[str, str]], question: str, top_k: int | None = None,
                    answerer: str | None = None, *, filters: Filter | None = None,
                    as_of: date | str | None = None) -> Iterator[str | Answer]:
        """chat(), streamed: text pieces, then the Answer."""
        searched = self.standalone(history, question, answerer)
        for piece in self.stream(searched, top_k, answerer, filters=filters, as_of=as_of):
            asked = clean_question(question)
            yield replace(piece, question=asked, standalone=searched) if isinstance(piece, Answer) else piece


def _said(answer: Answer, found: Findings, filters: Filter | None) -> Answer:
    """The answer with how it was answered; a refusal because the filter left no article says so."""
    answer = replace(answer, kind=found.query.route)
    if filters is None or found.passages:
        return answer
    return replace(answer, warnings=(*answer.warnings, f"no article matches the filter ({filters.describe()})"))
