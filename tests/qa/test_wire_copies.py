"""Wire copies: ten stories, each run by five outlets, fold into one story each at retrieval; a citation names
the other outlets; removing a copy keeps the story."""
import json

import pytest

from qa.pipeline import NewsQA
from qa.settings import Settings

pytestmark = pytest.mark.slow

OUTLETS = ["AP", "Reuters", "Daily Ledger", "Coast Gazette", "Island Courier"]
TOWNS = ["Quellmoor", "Brask", "Tindale", "Orrin", "Vessa", "Kelham", "Draymouth", "Pellin", "Saxby", "Wrenfold"]
THINGS = ["bridge", "library", "hospital wing", "tram line", "harbour wall", "school", "stadium", "museum",
          "water plant", "ferry terminal"]


def story(n: int) -> str:
    town, thing = TOWNS[n], THINGS[n]
    return (f"The {town} {thing} opened on Monday after {n + 2} years of work, officials said. "
            f"It cost {n + 3} million euros and will serve about {(n + 1) * 1000} people a day, the council said. "
            f"Mayor Ida {town}son cut the ribbon in front of a crowd of residents and builders. "
            f"Work on the {thing} was delayed twice by floods and once by a shortage of steel, the builders said.")


def dump_rows() -> list[dict]:
    rows = []
    for n in range(len(TOWNS)):
        for k, outlet in enumerate(OUTLETS):
            text = f"{TOWNS[n].upper()} ({outlet}) — " + story(n) + ("" if k % 2 else f" Copyright {outlet}.")
            rows.append({"id": f"s{n}-{outlet.split()[0].lower()}", "title": f"{TOWNS[n]} opens new {THINGS[n]}",
                         "text": text, "outlet": outlet, "date": f"2024-03-{n + 1:02d}"})
    return rows


@pytest.fixture(scope="module")
def wired(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("wire")
    (folder / "wire.jsonl").write_text("\n".join(json.dumps(r) for r in dump_rows()))
    pipeline = NewsQA(Settings(data_dir=tmp_path_factory.mktemp("data"), llm="extractive",
                               answerer="extractive"), embedder=embedder)
    pipeline.ingest(folder)
    return pipeline


def test_copies_count_once_and_the_top_five_hold_other_stories(wired):
    found = wired.find("How much did the Brask library cost?")
    stories = {p.story for p in found.passages}
    assert len(found.passages) == 5 and len(stories) >= 4, [p.source for p in found.passages]
    assert found.passages[0].story.startswith("wire-s1-")


def test_a_citation_says_where_else_the_story_ran(wired):
    answer = wired.ask("How much did the Brask library cost?")
    cited = answer.citations[0]
    assert "4 million euros" in answer.text and cited.source.startswith("wire-s1-")
    assert len(cited.also_in) == 4 and cited.outlet not in cited.also_in


def test_removing_one_copy_keeps_the_others(wired):
    first = wired.ask("How much did the Brask library cost?").citations[0]
    wired.remove(first.source)
    again = wired.ask("How much did the Brask library cost?").citations[0]
    assert again.source != first.source and again.source.startswith("wire-s1-") and len(again.also_in) == 3


def test_a_copy_ingested_later_joins_the_stored_story(wired, tmp_path):
    late = tmp_path / "late"
    late.mkdir()
    text = "BRASK (Metro Wire) — " + story(1)
    (late / "metro.jsonl").write_text(json.dumps({"id": "m1", "title": "Brask opens library", "text": text,
                                                  "outlet": "Metro Wire", "date": "2024-03-03"}))
    wired.ingest(late)
    cited = wired.ask("How much did the Brask library cost?").citations[0]
    assert "Metro Wire" in (*cited.also_in, cited.outlet)


def test_the_first_ingest_marks_the_manifest_banded_so_later_ones_read_only_their_candidates(tmp_path, embedder,
                                                                                             monkeypatch):
    from index.manifest import BANDS, Manifest

    pipeline = NewsQA(Settings(data_dir=tmp_path / "data", llm="extractive", answerer="extractive"), embedder=embedder)
    first, later = tmp_path / "first", tmp_path / "later"
    for folder, rows in ((first, dump_rows()[:4]), (later, dump_rows()[4:6])):
        folder.mkdir()
        (folder / "wire.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    pipeline.ingest(first)
    assert pipeline.store()._manifest.metadata["bands"] == BANDS
    whole = Manifest.finished

    def finished(self, ids=None):
        assert ids is not None, "a later ingest read the whole manifest (a band-key backfill)"
        return whole(self, ids)

    monkeypatch.setattr(Manifest, "finished", finished)
    pipeline.ingest(later)
    assert pipeline.store().count() > 0 and len(pipeline.store().finished(["wire-s0-ap", "wire-s1-ap"])) == 2


def test_entries_written_before_band_keys_are_found_after_a_one_time_backfill(tmp_path):
    from index.copies import bands, encode, signature
    from index.store import ChunkStore

    store = ChunkStore(tmp_path, "older", create=True)
    encoded = encode(signature("BRASK (AP) — " + story(1)))
    # what an earlier version wrote: no band keys
    store._manifest.upsert(ids=["old"], embeddings=[[0.0]], metadatas=[
        {"hash": "h", "chunks": 1, "story": "old", "minhash": encoded}])
    copy = encode(signature("BRASK (Metro Wire) — " + story(1)))
    assert store.near(bands(copy)) == {"old": ("old", encoded)}
    assert store._manifest.get(ids=["old"], include=["metadatas"])["metadatas"][0]["band0"] == bands(encoded)["band0"]
    assert store.near(bands(encode(signature("An unrelated report on harbour fees in Quellmoor.")))) == {}


def test_the_share_of_word_trigrams_two_passages_have_in_common():
    from qa.stories import similarity

    assert similarity("a b c d", "a b c d") == 1.0 and similarity("a b c d", "w x y z") == 0.0
    assert similarity("a b c d", "a b c e") == pytest.approx(1 / 3)   # (a b c) shared of (a b c), (b c d), (b c e)
    assert similarity("", "") == 1.0 and similarity("The Ferry", "the ferry") == 1.0


def test_the_stored_copies_of_several_articles_are_found_in_one_read_and_page_by_page(tmp_path, monkeypatch):
    import index.manifest
    from index.copies import bands, encode, signature
    from index.store import ChunkStore

    store = ChunkStore(tmp_path, "many", create=True)
    store.mark_banded()
    stored = {f"old{n}": encode(signature(f"{TOWNS[n].upper()} (AP) — " + story(n))) for n in range(3)}
    store.mark_done([(i, "h", 1) for i in stored], {i: (i, e) for i, e in stored.items()})
    asked = [bands(encode(signature(f"{TOWNS[n].upper()} (Reuters) — " + story(n)))) for n in (2, 0)]
    asked += [{}, bands(encode(signature("An unrelated report on harbour fees in Quellmoor.")))]
    reads = []
    get = type(store._manifest).get
    monkeypatch.setattr(type(store._manifest), "get", lambda self, *a, **k: reads.append(k) or get(self, *a, **k))
    found = store.near_many(asked)
    assert found == [{"old2": ("old2", stored["old2"])}, {"old0": ("old0", stored["old0"])}, {}, {}]
    assert len(reads) == 1
    assert [store.near(keys) for keys in asked] == found
    monkeypatch.setattr(index.manifest, "NEAR_PAGE", 1)
    reads.clear()
    assert store.near_many(asked) == found and len(reads) == 3   # the article without band keys reads nothing
