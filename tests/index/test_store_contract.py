"""The same assertions over embedded Chroma on disk and a real `chroma run` server on 127.0.0.1."""
import pytest

from index.chunker import Chunker
from index.ingest import ingest_folder
from index.store import ChunkStore
from qa.errors import BackendError
from qa.pipeline import NewsQA
from qa.settings import Settings
from tests.conftest import ARMS_QUESTION, CHOE_ARTICLE, SEEDS, free_port
from tests.servers import chroma_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["embedded", "server"])
def settings(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "embedded":
        yield Settings(data_dir=root)
    else:
        with chroma_server(root / "server-data") as url:
            yield Settings(data_dir=root / "unused", chroma_url=url)


def test_ingest_then_answer(settings, embedder, monkeypatch):
    store = ChunkStore(settings.data_dir, "contract", settings.chroma_url, create=True)
    report = ingest_folder(SEEDS, store, embedder, Chunker(), progress=False)
    assert report.added == 5 and store.count() == report.chunks_total
    again = ingest_folder(SEEDS, store, embedder, Chunker(), progress=False)
    assert again.unchanged == 5 and again.chunks_written == 0 and store.count() == report.chunks_total
    assert set(store.article_hashes()) == {p.stem for p in SEEDS.glob("*.txt")}
    hits = store.search(embedder.embed_query(ARMS_QUESTION), 3)   # ids and similarities; texts read after fusion
    assert len(hits) == 3 and all(isinstance(i, str) and 0.0 < s <= 1.0 for i, s in hits)
    assert {i for i, _, _ in store.records([i for i, _ in hits])} == {i for i, _ in hits}
    # a search among ids (a filter's share): their stored vectors when few, Chroma's search among them when more;
    # an id another process removed since the reader's snapshot is passed over
    asked = embedder.embed_query(ARMS_QUESTION)
    among = [i for i, _ in store.search(asked, 12)][2:]
    exact = store.search(asked, 3, among=among + ["gone:0"])
    assert [i for i, _ in exact] == among[:3]
    assert [s for _, s in exact] == pytest.approx([s for _, s in store.search(asked, 5)[2:]], rel=1e-4)
    monkeypatch.setattr("index.store.EXACT_AMONG", 0)
    assert [i for i, _ in store.search(asked, 3, among=among)] == among[:3]
    assert [i for i, _ in store.search(asked, 3, among=among + ["gone:0"])] == among[:3]
    monkeypatch.undo()

    pipeline = NewsQA(settings.model_copy(update={"collection": "contract"}), embedder=embedder)
    answer = pipeline.ask(ARMS_QUESTION)
    assert answer.citations[0].source == CHOE_ARTICLE and "Security Council" in answer.text
    assert pipeline.ask("How many people live in Vladivostok?").refused

    assert pipeline.remove(CHOE_ARTICLE) > 0
    assert CHOE_ARTICLE not in store.article_hashes()
    assert CHOE_ARTICLE not in {p.source for p in pipeline.ask(ARMS_QUESTION).passages}
    store.drop()


def test_unreachable_server_is_a_clear_error():
    with pytest.raises(BackendError, match="Cannot reach the Chroma server"):
        ChunkStore(None, "articles", f"http://127.0.0.1:{free_port()}")


def test_a_second_machine_builds_its_lexical_index_once_per_generation(settings, embedder, tmp_path, monkeypatch):
    if not settings.chroma_url:
        pytest.skip("embedded: another data dir is another database")
    import index.lexical
    from qa.library import lexical_index

    writer = NewsQA(settings.model_copy(update={"collection": "shared", "data_dir": tmp_path / "a"}), embedder=embedder)
    writer.ingest(SEEDS)
    elsewhere = settings.model_copy(update={"collection": "shared", "data_dir": tmp_path / "b"})
    first = NewsQA(elsewhere, embedder=embedder)
    assert first.ask(ARMS_QUESTION).citations[0].source == CHOE_ARTICLE  # built from the server's chunks
    generation = first.store().generation()
    assert lexical_index(elsewhere, first.store()).snapshot().generation == generation

    def no_build(*args, **kwargs):
        raise AssertionError("the lexical index was rebuilt although it holds this generation")

    monkeypatch.setattr(index.lexical.LexicalIndex, "rebuild", no_build)
    later = NewsQA(elsewhere, embedder=embedder)
    assert later.ask(ARMS_QUESTION).citations[0].source == CHOE_ARTICLE
    writer.store().drop()


def test_changed_chunking_rebuilds_and_readers_follow(settings, embedder, tmp_path):
    scoped = settings.model_copy(update={"collection": "rebuilt"})
    if not settings.chroma_url:
        scoped = scoped.model_copy(update={"data_dir": tmp_path / "d"})
    reader = NewsQA(scoped, embedder=embedder)
    NewsQA(scoped, embedder=embedder).ingest(SEEDS)
    first = reader.ask(ARMS_QUESTION)
    report = NewsQA(scoped.model_copy(update={"chunk_words": 80}), embedder=embedder).ingest(SEEDS)
    assert report.rebuilt
    store = ChunkStore(scoped.data_dir, "rebuilt", scoped.chroma_url)
    assert store.physical.startswith("rebuilt.b") and store.built_with()["chunk_words"] == "80"
    after = reader.ask(ARMS_QUESTION)  # the same long-lived reader, now over the rebuilt collection
    assert after.citations[0].source == first.citations[0].source == CHOE_ARTICLE
    assert all(len(p.text.split()) <= 100 for p in after.passages)
    NewsQA(scoped.model_copy(update={"chunk_words": 80}), embedder=embedder).ingest(SEEDS)  # collects garbage
    assert store._delete("rebuilt", parts_only=True) == []  # the old chunks' parts are gone already
    store.drop()
