"""Question -> ranked passages: dense (Chroma) and lexical (BM25) retrieval, fused by llama-index."""
from __future__ import annotations

import threading
from typing import Any

from qa.errors import IndexMissingError
from qa.models import Passage


def node_to_passage(node: Any, score: float) -> Passage:
    """A llama-index node (with our metadata) as a Passage."""
    meta = node.metadata
    return Passage(chunk_id=node.node_id, source=str(meta.get("source", "")), title=str(meta.get("title", "")),
                   text=node.get_content(), score=float(score))


class Retriever:
    """Fuses any llama-index retrievers with QueryFusionRetriever (score fusion, no query rewriting)."""

    def __init__(self, retrievers: list[Any], weights: list[float], nodes: list[Any], candidates: int,
                 fusion: str = "dist_based_score") -> None:
        """Wrap ready retrievers.

        Args:
            retrievers: llama-index retrievers (dense first, then BM25).
            weights: their fusion weights.
            nodes: every node of the collection (for term statistics).
            candidates: how many fused results to keep.
            fusion: QueryFusionRetriever mode (dist_based_score normalises each retriever's scores by
                their mean and spread, relative_score by min and max, reciprocal_rerank uses ranks only).
        """
        from llama_index.core.llms import MockLLM
        from llama_index.core.retrievers import QueryFusionRetriever

        self.nodes = nodes
        self._retrievers = retrievers
        # num_queries=1: no query generation, so the (mock) LLM is never called.
        self._fusion = QueryFusionRetriever(
            retrievers, llm=MockLLM(), mode=fusion, similarity_top_k=candidates,
            num_queries=1, use_async=False, retriever_weights=weights)
        self._lock = threading.Lock()  # bm25s and the fusion retriever keep per-call state

    @classmethod
    def from_store(cls, store: Any, embedder: Any, *, candidates: int = 20, dense_weight: float = 0.5,
                   fusion: str = "dist_based_score") -> Retriever:
        """Dense retrieval from the Chroma collection plus BM25 over the same chunks.

        Args:
            store: an index.store.ChunkStore.
            embedder: an index.embedder.Embedder.
            candidates: how many each retriever returns before fusion.
            dense_weight: weight of the dense retriever (BM25 gets the rest).
            fusion: how scores are fused (see __init__).

        Raises:
            IndexMissingError: the collection is empty.
        """
        import Stemmer
        from llama_index.core import VectorStoreIndex
        from llama_index.retrievers.bm25 import BM25Retriever

        nodes = store.all_nodes()
        if not nodes:
            raise IndexMissingError(f"Collection {store.name!r} is empty: run `qa ingest seeds/` first")
        k = min(candidates, len(nodes))
        dense = VectorStoreIndex.from_vector_store(
            store.vector_store(), embed_model=embedder.as_llama_index()).as_retriever(similarity_top_k=k)
        bm25 = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=k, stemmer=Stemmer.Stemmer("english"),
                                           language="english")
        return cls([dense, bm25], [dense_weight, 1.0 - dense_weight], nodes, k, fusion)

    def lexical(self, question: str, top_k: int) -> list[Passage]:
        """BM25 alone (the last retriever): the passages sharing the question's words, best first."""
        with self._lock:
            results = self._retrievers[-1].retrieve(question)
        return [node_to_passage(r.node, r.score or 0.0) for r in results[:top_k]]

    def retrieve(self, question: str, top_k: int) -> list[Passage]:
        """The top_k passages for a question, best first.

        Args:
            question: the user's question.
            top_k: how many passages to return.

        Returns:
            Passages with fused scores in [0, 1].
        """
        with self._lock:
            results = self._fusion.retrieve(question)
        return [node_to_passage(r.node, r.score or 0.0) for r in results[:top_k]]
