"""Real Chroma on disk, the real embedding model: idempotent, incremental ingest."""
import numpy as np
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


def test_a_question_reads_its_passages_from_the_lexical_snapshot_not_from_chroma(seeded_dir, embedder, monkeypatch):
    from index.packing import unpack_vectors
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    retriever, _ = NewsQA(Settings(data_dir=seeded_dir), embedder=embedder)._search_parts()
    store = retriever.store
    stored = {i: (t, m) for i, t, m in store.records()}
    vectors = store.sentence_vectors(list(stored))

    def no_read(*args, **kwargs):
        raise AssertionError("a question read chunks from Chroma by id")

    monkeypatch.setattr(store, "records", no_read)
    monkeypatch.setattr(store, "sentence_vectors", no_read)
    passages = retriever.retrieve("Why do Washington and its allies criticise the arms trade?", 5)
    assert len(passages) == 5
    for passage in passages:   # what Chroma holds, read from the snapshot: text, metadata, sentence vectors
        text, meta = stored[passage.chunk_id]
        assert (passage.text, passage.title, passage.published, passage.source) == (
            text, meta["title"], meta.get("date", ""), meta["source"])
        assert np.allclose(retriever.sentence_vectors(passage), unpack_vectors(vectors[passage.chunk_id], 384))


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


def stored_sentences(store: ChunkStore) -> dict:
    from index.packing import unpack_vectors

    return {i: unpack_vectors(v, 384) for i, v in store.sentence_vectors([i for i, _, _ in store.records()]).items()}


@pytest.mark.parametrize("late", [True, False], ids=["late", "standalone"])
def test_every_sentence_gets_a_vector_from_the_chunk_pass_or_its_own(tmp_path, embedder, late):
    from index.sentences import split_sentences

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "ports.txt").write_text((SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_text())
    # wordpiece-hungry words: the chunk runs past MiniLM's 256 wordpieces, so its last sentences are cut off
    # the chunk's pass and must be embedded on their own
    words = " ".join(f"Xqzvorth{n}kryptal" for n in range(60))
    (folder / "long.txt").write_text(f"Long words\n{words}. The harbour reopened on Monday. Ferries sail again.")
    store = ChunkStore(tmp_path / "d", "articles", create=True)
    ingest_folder(folder, store, embedder, Chunker(), progress=False, late=late)
    vectors = stored_sentences(store)
    texts = {i: t for i, t, _ in store.records()}
    assert vectors.keys() == texts.keys()
    for chunk_id, rows in vectors.items():
        sentences = split_sentences(texts[chunk_id])
        assert rows.shape == (len(sentences), 384) and np.isfinite(rows).all()
        assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-2)
        alone = embedder.embed(sentences)
        closeness = (rows * alone).sum(axis=1)
        if late:   # pooled in context: near, not equal, to the sentence read alone; the cut-off ones are equal
            assert closeness.mean() > 0.6 and not np.allclose(closeness, 1.0, atol=1e-2)
        else:
            assert np.allclose(closeness, 1.0, atol=1e-2)
    long_rows, long_text = vectors["long:0"], split_sentences(texts["long:0"])
    assert np.allclose((long_rows[-2:] * embedder.embed(long_text[-2:])).sum(axis=1), 1.0, atol=1e-2)


def test_switching_how_sentences_are_embedded_rebuilds_the_collection(tmp_path, embedder):
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    NewsQA(Settings(data_dir=tmp_path / "d"), embedder=embedder).ingest(SEEDS)
    assert ChunkStore(tmp_path / "d", "articles").built_with()["sentence_vectors"] == "late"
    report = NewsQA(Settings(data_dir=tmp_path / "d", sentence_vectors="standalone"), embedder=embedder).ingest(SEEDS)
    assert report.rebuilt and ChunkStore(tmp_path / "d", "articles").built_with()["sentence_vectors"] == "standalone"


def test_a_report_prints_its_summary_then_each_skipped_file_and_warning():
    from index.article import Skipped
    from index.ingest import IngestReport

    report = IngestReport("articles", articles=2, added=2, skipped=[Skipped("big.txt", "larger than 5 MB")],
                          warnings=["a.txt: date 'soon' did not parse"])
    first, skipped, warning = report.lines()
    assert first == report.summary() and skipped == "  skipped big.txt: larger than 5 MB"
    assert warning == "  warning a.txt: date 'soon' did not parse"


def test_a_filter_that_lets_no_chunk_through_never_searches_chroma(seeded_dir, embedder, monkeypatch):
    from index.metadata import timestamp
    from qa.filters import Filter
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    retriever, _ = NewsQA(Settings(data_dir=seeded_dir), embedder=embedder)._search_parts()
    question = "Why do Washington and its allies criticise the arms trade?"

    def no_search(*args, **kwargs):
        raise AssertionError("Chroma was searched under a filter that nothing passes")

    monkeypatch.setattr(retriever.store, "search", no_search)   # (the seeds are undated: no date range holds them)
    assert retriever.retrieve(question, 5, filters=Filter(timestamp("1996-01-01"), timestamp("1996-12-31"), ())) == []


def test_a_manifest_too_large_for_one_chroma_read_is_read_a_page_at_a_time(tmp_path):
    """Chroma fails one get of ~40k records ("too many SQL variables"): an archive of a million chunks has more
    articles than that, and rebuilding its lexical index or checking it reads every manifest entry."""
    store = ChunkStore(tmp_path, "big", create=True)
    for at in range(0, 40_000, 5000):
        store.mark_done([(f"a{i}", "h", 1) for i in range(at, at + 5000)])
    assert len(store.finished()) == 40_000 and store.finished(["a7", "a39999", "zz"]).keys() == {"a7", "a39999"}
    assert len(store.check()) == 40_000 and store.finished_records(["a1"]) == []   # no chunks stored


def test_a_collection_is_claimed_by_the_settings_that_built_it_without_reading_its_chunks(tmp_path, monkeypatch):
    """claim() reads no chunk when the settings match: a process's first read of a collection loads it (0.8 s at
    311,894 chunks), which ingest overlaps with the first batch's embedding instead."""
    store = ChunkStore(tmp_path, "articles", create=True)
    mine, other = {"embed_model": "m", "chunk_words": 200}, {"embed_model": "n", "chunk_words": 200}
    assert store.claim(mine)
    assert store.claim(other) and store.built_with()["embed_model"] == "n"   # still empty: the new settings hold
    store.add_records([("a:0", "Some text.", {"source": "a"})], [np.ones(384)], [""])
    assert not store.claim(mine)                                              # vectors built otherwise: refused
    monkeypatch.setattr(store, "count", lambda: pytest.fail("claim read the chunks"))
    assert store.claim(other)


def test_an_ingest_that_changes_nothing_loads_no_sentence_vectors(tmp_path, seeds_copy, embedder, monkeypatch):
    """The sentence vectors are loaded ahead only for a write (at 311,894 chunks that load takes 0.4 s)."""
    store = ChunkStore(tmp_path, "articles", create=True)
    ingest_folder(seeds_copy, store, embedder, Chunker(), progress=False)
    monkeypatch.setattr(store, "load_sentences", lambda: pytest.fail("loaded the sentence vectors for nothing"))
    again = ingest_folder(seeds_copy, store, embedder, Chunker(), progress=False)
    assert (again.unchanged, again.chunks_written) == (5, 0)


def test_a_finished_articles_chunks_are_read_by_id_and_by_source_when_their_ids_are_not_the_usual(tmp_path,
                                                                                                 monkeypatch):
    store = ChunkStore(tmp_path, "byid", create=True)
    usual = [(f"a:{n}", f"text {n}", {"source": "a", "start": n}) for n in range(3)]
    other = [("odd-id", "odd text", {"source": "b", "start": 0})]
    store.add_records(usual + other, [[0.1, 0.2]] * 4, ["v0", "v1", "v2", "v3"])
    store.mark_done([("a", "h", 3), ("b", "h", 1)])
    reads = []
    get = type(store._collection).get
    monkeypatch.setattr(type(store._collection), "get", lambda self, *a, **k: (
        self.name == store._collection.name and reads.append(k)) or get(self, *a, **k))
    assert sorted(store.finished_records(["a", "b"])) == sorted(usual + other)
    assert [("where" in k) for k in reads] == [False, True]   # a by its ids, b (not found so) by its source
    reads.clear()
    store.add_records([("c:0", "half", {"source": "c", "start": 0, "title": "C"})], [[0.3, 0.1]], ["v"])
    assert store.article_text("c") == ("C", "half") and reads[-1]["where"] == {"source": "c"}   # unfinished
    assert store.stored_article("a")[1] == "tttext 2" and "where" not in reads[-1]   # starts 0, 1, 2: overlapping
    assert store.article_text("nothing") is None
    monkeypatch.undo()
    # removed with their sentence vectors, by the ids read once
    assert store.chunk_ids(["a", "b", "d"]) == {"a": ["a:0", "a:1", "a:2"], "b": ["odd-id"]}
    assert store.first_chunks(["a", "d", "a:1"]) == {"a"}
    assert store.delete_articles(["a", "b"]) == 4
    assert store.count() == 1 and store.sentence_vectors(["a:0", "odd-id"]) == {}   # c:0 stays
    assert store.finished(["a", "b"]) == {}
