"""The stock llama-index pipeline to compare against: VectorStoreIndex over Chroma, defaults, top-k 5."""
from __future__ import annotations

import time
from pathlib import Path

from evals.datasets import Dataset
from evals.scoring import Result, judge
from qa.settings import Settings

STOCK_TOP_K = 5


def run_stock(settings: Settings, dataset: Dataset, folder: Path, collection: str,
              llm=None) -> tuple[list[Result], str]:
    """Build the stock index from the same files and answer every question.

    With no LLM the stock pipeline cannot write answers, so its "answer" is the text of its
    top passage (an upper bound for answer accuracy, never a refusal).

    Returns:
        Per-question results and a description of what ran.
    """
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from index.embedder import bundled_model_path
    from index.store import ChunkStore

    embed = HuggingFaceEmbedding(model_name=str(settings.embed_model or bundled_model_path()), device="cpu")
    documents = article_documents(folder, settings)
    store = ChunkStore(settings.data_dir, f"{collection}-stock", settings.chroma_url, create=True)
    store.drop()  # rebuilt every run: the stock pipeline has no incremental ingest
    store = ChunkStore(settings.data_dir, f"{collection}-stock", settings.chroma_url, create=True)
    index = VectorStoreIndex.from_documents(
        documents, storage_context=StorageContext.from_defaults(vector_store=store.vector_store()), embed_model=embed)
    retriever = index.as_retriever(similarity_top_k=STOCK_TOP_K)
    engine = index.as_query_engine(llm=llm.llm, similarity_top_k=STOCK_TOP_K) if llm is not None else None
    results = []
    for q in dataset.questions:
        started = time.perf_counter()
        if engine is not None:
            response = engine.query(q.question)
            nodes, text = response.source_nodes, str(response)
        else:
            nodes = retriever.retrieve(q.question)
            text = nodes[0].node.get_content() if nodes else ""
        sources = [n.node.metadata.get("article_id", "") for n in nodes]
        cited = sources[:1] if engine is None else sources
        results.append(judge(q, text, False, sources, cited, (time.perf_counter() - started) * 1000,
                             texts=[n.node.get_content() for n in nodes]))
    how = (f"llama-index VectorStoreIndex over Chroma, default SentenceSplitter, same MiniLM, top-k {STOCK_TOP_K}; "
           + ("answers by the same LLM" if engine is not None else "no LLM: answer = top-1 passage text, cites it"))
    return results, how


def article_documents(folder: Path, settings: Settings) -> list:
    """The article texts newsqa loaded from the folder (saved pages, dumps, text files alike), as llama-index
    Documents: the stock pipeline reads what newsqa read, never a folder reader of its own that skips pages."""
    from llama_index.core import Document

    from index.loader import load_articles
    from qa.errors import InputError

    articles, _ = load_articles(folder, int(settings.max_file_mb * 1e6), None)
    if not articles:
        raise InputError(f"No articles under {folder} for the stock pipeline")
    return [Document(text=f"{a.title}\n\n{a.body}" if a.title else a.body, doc_id=a.article_id,
                     metadata={"article_id": a.article_id, "title": a.title}) for a in articles]
