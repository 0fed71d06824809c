"""Assistant.ask(): retrieve -> find evidence -> answer (extractive or LLM) -> Answer."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qa.citations import attribute_unmarked, cite_evidence, renumber_markers
from qa.errors import InputError
from qa.extractive import Evidence, EvidenceFinder, rerank, select_evidence
from qa.llm import LLM
from qa.models import Answer, Passage
from qa.prompts import REFUSAL, SYSTEM, build_user_prompt
from qa.settings import Settings

EXTRACTIVE = "extractive"
MAX_QUESTION_CHARS = 2000
# An uncited LLM sentence is credited to a passage only when one of its sentences says nearly the same
ATTRIBUTION_SIMILARITY = 0.6
ATTRIBUTION_COVERAGE = 0.5
_DEFAULTS = Settings.model_fields


class Assistant:
    """Answers questions over one collection."""

    def __init__(self, retriever, finder: EvidenceFinder, llm: LLM | None = None, *,
                 top_k: int = _DEFAULTS["top_k"].default, max_sentences: int = _DEFAULTS["max_sentences"].default,
                 min_support: float = _DEFAULTS["min_support"].default,
                 rerank_depth: int = _DEFAULTS["rerank_depth"].default) -> None:
        self.retriever = retriever
        self.finder = finder
        self.llm = llm
        self.top_k = top_k
        self.max_sentences = max_sentences
        self.min_support = min_support
        self.rerank_depth = rerank_depth

    @property
    def model(self) -> str:
        """Name of what writes the answers."""
        return self.llm.name if self.llm else EXTRACTIVE

    def ask(self, question: str, top_k: int | None = None) -> Answer:
        """Answer one question from the articles.

        Args:
            question: the question.
            top_k: passages to retrieve (default: the settings' top_k).

        Returns:
            The answer; refused=True with no citations when the articles do not hold it.

        Raises:
            InputError: empty or oversized question, or a bad top_k.
        """
        question = " ".join((question or "").split())
        if not question:
            raise InputError("The question is empty: ask something, e.g. qa ask \"Who invited Putin?\"")
        if len(question) > MAX_QUESTION_CHARS:
            raise InputError(f"The question is too long ({len(question)} characters, limit {MAX_QUESTION_CHARS})")
        k = self.top_k if top_k is None else top_k
        if k < 1:
            raise InputError(f"top_k must be at least 1, got {k}")
        passages, found = self.gather(question, k)
        evidence = select_evidence(found, max_sentences=self.max_sentences, min_support=self.min_support)
        if not evidence:
            return self._refusal(question, passages)
        if self.llm is None:
            text, citations = cite_evidence(evidence, passages)
            return Answer(question, text, False, EXTRACTIVE, citations, passages)
        return self._generate(question, passages)

    def gather(self, question: str, top_k: int) -> tuple[tuple[Passage, ...], list[Evidence]]:
        """Retrieve candidates, rerank them by their best sentence, score the kept passages' sentences.

        Returns:
            The top_k passages and their sentences, best support first.
        """
        fetched = self.retriever.retrieve(question, max(top_k, self.rerank_depth))
        _, found = self.finder.find(question, fetched)
        passages = tuple(rerank(found, fetched, top_k))
        _, found = self.finder.find(question, passages)  # sentence vectors are cached: scoring only
        return passages, found

    def _refusal(self, question: str, passages: Sequence[Passage], warnings: tuple[str, ...] = ()) -> Answer:
        return Answer(question, REFUSAL, True, self.model, (), tuple(passages), warnings)

    def _generate(self, question: str, passages: tuple[Passage, ...]) -> Answer:
        assert self.llm is not None
        reply = self.llm.complete(SYSTEM, build_user_prompt(question, [(p.title, p.text) for p in passages])).strip()
        if not reply or REFUSAL.lower().rstrip(".") in reply.lower():
            return self._refusal(question, passages)
        reply, added = attribute_unmarked(reply, passages, self._best_source)
        text, citations, warnings = renumber_markers(reply, passages, self._best_quote)
        if added:
            warnings += (f"the model left {added} sentence(s) uncited; their [n] point at the passage that "
                         "states them most closely",)
        if not citations:
            warnings += ("the model cited no source; check the passages below",)
        return Answer(question, text, False, self.model, citations, passages, warnings)

    def _best_source(self, claim: str, passages: Sequence[Passage]) -> int | None:
        """The passage with a sentence that states the claim (close in meaning and in words), if any."""
        _, found = self.finder.find(claim, passages)
        best = found[0] if found else None
        if best is None or best.similarity < ATTRIBUTION_SIMILARITY or best.coverage < ATTRIBUTION_COVERAGE:
            return None
        return best.passage

    def _best_quote(self, claim: str, passage: Passage) -> str:
        """The passage sentence that best supports a claim (the whole claim stands in for the question)."""
        _, found = self.finder.find(claim or passage.title, [passage])
        return found[0].sentence if found else passage.text[:300]


def build_assistant(settings: Settings, llm: LLM | None = None, embedder: Any = None) -> Assistant:
    """Wire the store, embedder, retriever and answerer from settings (entry points call this).

    Args:
        settings: effective settings.
        llm: an LLM to use instead of the configured one (tests pass a FakeLLM).
        embedder: an already loaded Embedder to share (the eval runner ingests with it first).

    Raises:
        QAError: missing index, bad configuration.
    """
    from index.embedder import Embedder
    from index.store import ChunkStore
    from qa.llm import make_llm
    from qa.retriever import Retriever
    from qa.terms import TermWeights

    store = ChunkStore(settings.data_dir, settings.collection, settings.chroma_url)
    chosen = llm if llm is not None else make_llm(settings)
    embedder = embedder or Embedder(settings.embed_model or None, settings.embed_batch)
    retriever = Retriever.from_store(store, embedder, candidates=max(settings.candidates, settings.top_k),
                          dense_weight=settings.dense_weight, fusion=settings.fusion)
    weights = TermWeights(f"{n.metadata.get('title', '')}\n{n.get_content()}" for n in retriever.nodes)
    return Assistant(retriever, EvidenceFinder(embedder, weights), chosen, top_k=settings.top_k,
                     max_sentences=settings.max_sentences, min_support=settings.min_support,
                     rerank_depth=settings.rerank_depth)
