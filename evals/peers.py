"""What `qa bench` measures newsqa against, each run as its own process on the same texts.

    python -m evals.peers st CHUNKS.json          # plain sentence-transformers encoding the chunk texts
    python -m evals.peers llamaindex FOLDER DIR   # stock llama-index VectorStoreIndex over Chroma

Each process pays for its own imports and model load, as `qa ingest` does.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def sentence_transformers_floor(chunks_file: Path) -> dict[str, float]:
    """Encode the chunk texts with sentence-transformers (its defaults: batch 32, sorted by length)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    from index.embedder import bundled_model_path

    texts = json.loads(chunks_file.read_text())
    model = SentenceTransformer(str(bundled_model_path()), device="cpu")
    started = time.perf_counter()
    model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
    return {"texts": len(texts), "encode_s": time.perf_counter() - started}


def stock_llama_index(folder: Path, data_dir: Path) -> dict[str, float]:
    """VectorStoreIndex.from_documents over a fresh embedded Chroma collection, llama-index defaults."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from index.embedder import bundled_model_path

    embed = HuggingFaceEmbedding(model_name=str(bundled_model_path()), device="cpu")
    documents = SimpleDirectoryReader(str(folder), required_exts=[".txt", ".md"], recursive=True).load_data()
    client = chromadb.PersistentClient(path=str(data_dir), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("stock", embedding_function=None)
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    VectorStoreIndex.from_documents(documents, storage_context=storage, embed_model=embed)
    return {"documents": len(documents), "chunks": collection.count()}


def main(argv: list[str]) -> int:
    if argv[:1] == ["st"] and len(argv) == 2:
        print(json.dumps(sentence_transformers_floor(Path(argv[1]))))
    elif argv[:1] == ["llamaindex"] and len(argv) == 3:
        print(json.dumps(stock_llama_index(Path(argv[1]), Path(argv[2]))))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
