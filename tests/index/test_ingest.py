"""Real Chroma on disk, the real embedding model: idempotent, incremental ingest."""
import pytest

from index.chunker import Chunker
from index.ingest import ingest_folder
from index.store import ChunkStore
from qa.errors import IndexMissingError, InputError
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def chroma_never_embeds(monkeypatch):
    """Chroma's default embedding function downloads a model: fail loudly if it ever runs."""
    from chromadb.utils import embedding_functions

    def boom(*args, **kwargs):
        raise AssertionError("Chroma's default embedding function ran")

    monkeypatch.setattr(embedding_functions.ONNXMiniLM_L6_V2, "__call__", boom)
    monkeypatch.setattr(embedding_functions.DefaultEmbeddingFunction, "__call__", boom)


def snapshot(store: ChunkStore) -> dict:
    got = store._collection.get(include=["documents", "metadatas", "embeddings"])
    return {i: (d, m["hash"], round(float(e[0]), 6)) for i, d, m, e in
            zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"])}


def test_ingest_is_idempotent_and_incremental(tmp_path, seeds_copy, embedder):
    store = ChunkStore(tmp_path, "articles", create=True)
    first = ingest_folder(seeds_copy, store, embedder, Chunker(), progress=False)
    assert (first.articles, first.added, first.unchanged, first.skipped) == (5, 5, 0, [])
    assert first.chunks_total == first.chunks_written > 5
    before = snapshot(store)
    assert all(":" in chunk_id for chunk_id in before)

    second = ingest_folder(seeds_copy, store, embedder, Chunker(), progress=False)
    assert (second.added, second.updated, second.unchanged, second.chunks_written) == (0, 0, 5, 0)
    assert snapshot(store) == before

    changed = seeds_copy / "003_799f9b8c3eae584f.txt"
    changed.write_text("Short Replacement Headline\nOnly one sentence remains in this article.")
    third = ingest_folder(seeds_copy, store, embedder, Chunker(), progress=False)
    assert (third.updated, third.unchanged, third.chunks_written) == (1, 4, 1)
    after = snapshot(store)
    assert [k for k in after if k.startswith("003_")] == ["003_799f9b8c3eae584f:0"]
    assert after["003_799f9b8c3eae584f:0"][0] == "Only one sentence remains in this article."

    (seeds_copy / "000_6e281491d46e8004.txt").unlink()
    kept = ingest_folder(seeds_copy, store, embedder, Chunker(), progress=False)
    assert kept.removed == 0 and "000_6e281491d46e8004" in store.article_hashes()
    pruned = ingest_folder(seeds_copy, store, embedder, Chunker(), prune=True, progress=False)
    assert pruned.removed == 1 and "000_6e281491d46e8004" not in store.article_hashes()
    assert len(store.article_hashes()) == 4


def test_collections_are_separate(tmp_path, seeds_copy, embedder):
    a = ChunkStore(tmp_path, "first", create=True)
    ingest_folder(seeds_copy, a, embedder, Chunker(), progress=False)
    b = ChunkStore(tmp_path, "second", create=True)
    assert b.count() == 0 and a.count() > 0


def test_opening_a_missing_index_or_collection_fails_clearly(tmp_path):
    with pytest.raises(IndexMissingError, match="qa ingest"):
        ChunkStore(tmp_path / "none", "articles")
    ChunkStore(tmp_path, "articles", create=True)
    with pytest.raises(IndexMissingError, match="No collection 'other'"):
        ChunkStore(tmp_path, "other")
    with pytest.raises(InputError, match="Bad collection name"):
        ChunkStore(tmp_path, "x")


def test_retrieval_finds_the_arms_trade_passage(seeded_dir, embedder):
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    retriever, _ = NewsQA(Settings(data_dir=seeded_dir), embedder=embedder)._search_parts()
    passages = retriever.retrieve("Why do Washington and its allies criticise the arms trade?", 5)
    assert passages[0].source == "004_23f38ab0d320b1ba"
    assert "Security Council" in passages[0].text
    assert len(passages) == 5 and passages[0].score >= passages[-1].score


def test_other_embedding_settings_rebuild_the_collection_instead_of_mixing_vectors(tmp_path, embedder):
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    NewsQA(Settings(data_dir=tmp_path / "d"), embedder=embedder).ingest(SEEDS)
    before = ChunkStore(tmp_path / "d", "articles")
    assert before.built_with()["chunk_words"] == "170" and before.physical == "articles"
    report = NewsQA(Settings(data_dir=tmp_path / "d", chunk_words=120), embedder=embedder).ingest(SEEDS)
    assert report.rebuilt and report.added == 5 and "rebuilt" in report.summary()
    after = ChunkStore(tmp_path / "d", "articles")
    assert after.built_with()["chunk_words"] == "120" and after.physical.startswith("articles.b")
    assert {m["source"] for _, _, m in after.records()} == {p.stem for p in SEEDS.glob("*.txt")}
    again = NewsQA(Settings(data_dir=tmp_path / "d", chunk_words=120), embedder=embedder).ingest(SEEDS)
    assert not again.rebuilt and again.unchanged == 5
