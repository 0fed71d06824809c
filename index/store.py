"""Chunk storage in Chroma (embedded on disk, or a server), with our article-level bookkeeping on top."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from index.articles import article_rows
from index.chroma import check_collection_name, each_page, open_client
from index.chunk_reads import ChunkReads
from index.manifest import PAGE_IDS, Manifest
from index.rebuilds import MANIFEST_SUFFIX, SENTENCES_SUFFIX, Rebuilds
from qa.errors import IndexMissingError

EXACT_AMONG = 1000   # a search among at most this many ids reads their vectors (README "An archive that grows")


class ChunkStore(Manifest, ChunkReads, Rebuilds):
    """One Chroma collection of chunks, with our article-level bookkeeping on top."""

    def __init__(self, data_dir: Path, collection: str, chroma_url: str | None = None, *, create: bool = False,
                 physical: str | None = None) -> None:
        """Open (or with create=True, make) a collection.

        The collection named `collection` (the head) holds the chunks until a rebuild with other settings
        completes; then its metadata points at the rebuilt collection (`current`), which this object reads.

        Args:
            data_dir: folder of the embedded database (ignored with chroma_url).
            collection: collection name.
            chroma_url: http://host:port of a Chroma server, or None for embedded.
            create: create the collection when missing; otherwise a missing one is an error.
            physical: open this rebuild collection of `collection` instead of the current one (created).

        Raises:
            IndexMissingError: nothing ingested yet and create is False.
            BackendError: the Chroma server cannot be reached.
        """
        self.name = check_collection_name(collection)
        self.location = chroma_url or str(Path(data_dir) / "chroma")
        self._where = (data_dir, chroma_url)
        hint = f"run `qa ingest seeds/ --collection {collection}` first"
        self._client = open_client(self.location, chroma_url, create, hint)
        # embedding_function=None: Chroma must never run its own (downloading) model.
        if create or physical:
            self._head = self._make(self.name)
        else:
            try:
                self._head = self._client.get_collection(self.name, embedding_function=None)
            except Exception as err:
                if "does not exist" not in str(err):
                    raise
                raise IndexMissingError(f"No collection {self.name!r} in {self.location}: {hint}") from err
        self.physical = ""
        self.on_change: Callable[[Sequence[str]], None] | None = None   # told the articles before their chunks change
        self._open(physical or self._current())

    def _make(self, name: str) -> Any:
        return self._client.get_or_create_collection(name, embedding_function=None,
                                                     configuration={"hnsw": {"space": "cosine"}})

    def _current(self) -> str:
        return str((self._head.metadata or {}).get("current") or self.name)

    def _open(self, physical: str) -> None:
        """Read the chunks of one physical collection, with its manifest and sentence vectors."""
        if physical == self.physical:
            return
        self._collection = self._head if physical == self.name else self._make(physical)
        # The manifest: one record per article whose chunks are all committed (id -> content hash, chunk
        # count). It is written after an article's chunks and cleared before they change, so a crash in
        # between leaves the article unmarked and the next ingest redoes it.
        self._manifest = self._client.get_or_create_collection(f"{physical}{MANIFEST_SUFFIX}", embedding_function=None)
        # Each chunk's sentence vectors (float16, packed), embedded at ingest so questions need not.
        self._sentences = self._client.get_or_create_collection(f"{physical}{SENTENCES_SUFFIX}",
                                                                embedding_function=None)
        self.physical = physical

    def built_with(self) -> dict[str, str]:
        """What built this collection's vectors (embed_model, embed_backend, chunking), as recorded."""
        meta = self._collection.metadata or {}
        return {k.split(":", 1)[1]: str(v) for k, v in meta.items() if k.startswith("built_with:")}

    def generation(self, fresh: bool = True) -> str:
        """The id of the collection's last completed change ("" before the first); fresh re-reads it, and
        follows the head to a rebuilt collection that replaced the one read so far."""
        if fresh:
            self._head = self._client.get_collection(self.name, embedding_function=None)
            current = self._current()
            if current != self.physical:
                self._open(current)
            else:  # the same collection: re-read its metadata
                self._collection = self._head if current == self.name else \
                    self._client.get_collection(current, embedding_function=None)
        return str((self._collection.metadata or {}).get("generation", ""))

    def set_generation(self, generation: str) -> None:
        """Record that a change is complete (after its chunks and search files are written)."""
        self._collection.modify(metadata={**(self._collection.metadata or {}), "generation": generation})

    def vector_store(self) -> Any:
        """The collection as a llama-index ChromaVectorStore."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self._collection)

    def claim(self, built_with: dict[str, str]) -> bool:
        """Record what builds this collection's vectors (model, chunking) when it is empty; False when it
        holds vectors built with something else (they must not mix: rebuild() makes a new collection)."""
        wanted = {f"built_with:{k}": str(v) for k, v in built_with.items()}
        current = {k: v for k, v in (self._collection.metadata or {}).items() if k.startswith("built_with:")}
        if current == wanted:   # no count: a process's first touch of the chunks loads them (0.8 s at 311,894)
            return True
        if not current or self.count() == 0:
            self._collection.modify(metadata={**(self._collection.metadata or {}), **wanted})
            return True
        return False

    def _rebuild_collection(self, physical: str) -> ChunkStore:
        return ChunkStore(self._where[0], self.name, self._where[1], physical=physical)

    def check(self, repair: bool = False) -> list[str]:
        """Differences between the manifest and the chunks; with repair, remove what no finished article owns
        and forget finished articles whose chunks are not all there (the next ingest redoes them).

        Returns:
            One line per problem found.
        """
        expected = {i: int(m.get("chunks", -1)) for i, _, m in each_page(self._manifest, ["metadatas"], PAGE_IDS)}
        present = self.chunk_sources()
        problems = [f"{a}: {n} chunk(s) of an unfinished ingest" for a, n in sorted(present.items())
                    if a not in expected]
        problems += [f"{a}: manifest says {n} chunk(s), the collection holds {present.get(a, 0)}"
                     for a, n in sorted(expected.items()) if present.get(a, 0) != n]
        if repair:
            self._changing([a for a in present if a not in expected] +
                           [a for a, n in expected.items() if present.get(a, 0) != n])
            for article_id in [a for a in present if a not in expected]:
                self._collection.delete(where={"source": article_id})
                self._sentences.delete(where={"source": article_id})
            self.unmark([a for a, n in expected.items() if present.get(a, 0) != n])
        return problems

    def articles(self) -> list[dict[str, Any]]:
        """One row per stored article: id, title, chunks, date added, size in characters, published, outlet."""
        return article_rows(meta for _, _, meta in each_page(self._collection, ["metadatas"]))

    def count(self) -> int:
        """Number of stored chunks."""
        return self._collection.count()

    def add_nodes(self, nodes: Sequence[Any], sentence_vectors: Sequence[str] = ()) -> None:
        """Add llama-index nodes that already carry embeddings, with each one's packed sentence vectors."""
        if not nodes:
            return
        self._changing([n.metadata["source"] for n in nodes])
        if sentence_vectors:
            self._sentences.upsert(ids=[n.node_id for n in nodes], embeddings=[[0.0]] * len(nodes),
                                   metadatas=[{"source": n.metadata["source"], "v": v}
                                              for n, v in zip(nodes, sentence_vectors)])
        self.vector_store().add(list(nodes))

    def add_records(self, records: Sequence[tuple[str, str, dict[str, Any]]], vectors: Sequence[Any],
                    sentence_vectors: Sequence[str]) -> None:
        """Add chunks as (id, text, metadata) with their vectors and packed sentence vectors (a copy of stored ones)."""
        self._changing(sorted({m["source"] for _, _, m in records}))
        ids = [r[0] for r in records]
        self._sentences.upsert(ids=ids, embeddings=[[0.0]] * len(ids), metadatas=[
            {"source": m["source"], "v": v} for (_, _, m), v in zip(records, sentence_vectors)])
        self._collection.add(ids=ids, embeddings=[list(map(float, v)) for v in vectors],
                             documents=[r[1] for r in records], metadatas=[r[2] for r in records])

    def export(self) -> tuple[list[tuple[str, str, dict[str, Any]]], dict[str, Any], dict[str, str]]:
        """Every chunk as (id, text, metadata), with its vector and its packed sentence vectors, by id."""
        records, vectors, sentences = [], {}, {}
        for offset in range(0, self.count(), 250):
            got = self._collection.get(limit=250, offset=offset, include=["documents", "metadatas", "embeddings"])
            records += [(i, d or "", m or {}) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
            vectors.update(zip(got["ids"], got["embeddings"]))
            sentences.update(self.sentence_vectors(got["ids"]))
        return records, vectors, sentences

    def load_sentences(self) -> None:
        """Have Chroma load the sentence vectors now, with a read that lets other threads run: a process's first
        touch of a collection loads it (0.4 s at 311,894 chunks), and a write would hold Python's lock meanwhile."""
        self._sentences.get(ids=["\x00"], include=[])

    def sentence_vectors(self, ids: Sequence[str]) -> dict[str, str]:
        """Chunk id -> its packed sentence vectors, for the chunks that have them."""
        if not ids:
            return {}
        got = self._sentences.get(ids=list(ids), include=["metadatas"])
        return {i: str(m["v"]) for i, m in zip(got["ids"], got["metadatas"] or []) if m and "v" in m}

    def search(self, vector: Any, k: int, where: dict[str, Any] | None = None,
               among: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """The k nearest chunks (those matching `where`, or among these ids): (id, similarity exp(-distance), as
        llama-index reports it). Ids and distances only: the texts of the few kept after fusion are read then
        (`records`), since reading every candidate's text and metadata is what grows with the collection.

        Among a few ids (EXACT_AMONG) the distances are computed from their stored vectors: Chroma's graph search
        restricted to a few hundred ids costs more (~300 ms for 50 at 336k chunks, ~20 ms for 2,000)."""
        import math

        exact = among is not None and len(among) <= EXACT_AMONG
        return [(i, math.exp(-d)) for i, d in (self._exact(vector, k, among) if exact else
                                                self._nearest(vector, k, where, among))]

    def _nearest(self, vector: Any, k: int, where: dict[str, Any] | None,
                 among: Sequence[str] | None) -> list[tuple[str, float]]:
        """Chroma's search: the k nearest chunks (matching `where`, or among these ids) with their distances."""
        from chromadb.errors import ChromaError

        try:
            got = self._collection.query(query_embeddings=[list(map(float, vector))], n_results=k, where=where,
                                         ids=list(among) if among is not None else None, include=["distances"])
        except ChromaError:
            if among is None:
                raise
            # an id another process removed since the snapshot: Chroma's search among ids refuses it
            return self._exact(vector, k, among)
        return list(zip(got["ids"][0], got["distances"][0]))

    def _exact(self, vector: Any, k: int, ids: Sequence[str]) -> list[tuple[str, float]]:
        """The k of these chunks nearest to vector, with their cosine distances (the collection's space)."""
        import numpy as np

        if not ids or k < 1:
            return []
        got = self._collection.get(ids=list(ids), include=["embeddings"])
        if not len(got["ids"]):
            return []
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        asked = np.asarray(vector, dtype=np.float32)
        cosine = vectors @ asked / np.maximum(np.linalg.norm(vectors, axis=1) * np.linalg.norm(asked), 1e-12)
        order = np.argsort(-cosine, kind="stable")[:k]
        return [(str(got["ids"][n]), float(1.0 - cosine[n])) for n in order]

    def _changing(self, article_ids: Sequence[str]) -> None:
        if self.on_change is not None and article_ids:
            self.on_change(article_ids)

    def delete_article(self, article_id: str) -> int:
        """Remove every chunk of one article (unmarked first); returns how many there were."""
        return self.delete_articles([article_id])

    def delete_articles(self, article_ids: Sequence[str], held: Mapping[str, Sequence[str]] | None = None) -> int:
        """Remove every chunk of these articles (unmarked first), and their sentence vectors; returns how many
        chunks there were. held: their chunk ids, read already (chunk_ids); else read here."""
        if not article_ids:
            return 0
        self._changing(article_ids)
        self.unmark(article_ids)
        held = self.chunk_ids(article_ids) if held is None else held
        ids = [i for a in article_ids for i in held.get(a, ())]
        if ids:   # by id: at 1M chunks Chroma's every read by source costs ~0.2 s (SQLite scans the segment's ids)
            self._collection.delete(ids=ids)
            self._sentences.delete(ids=ids)
        return len(ids)
