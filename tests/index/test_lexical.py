"""The Tantivy lexical index: BM25 under a filter, changes by article, snapshots, the journal, term statistics."""
from index.lexical import LexicalIndex
from qa.terms import TermWeights

DAY = 86_400


def record(chunk_id, text, source, ts=None, outlet="", title="T"):
    meta = {"source": source, "title": title, **({"ts": ts} if ts is not None else {}),
            **({"outlet": outlet} if outlet else {})}
    return chunk_id, text, meta


ROWS = [
    record("a:0", "The ferry to Quellmoor runs four times a day.", "a", ts=10 * DAY, outlet="Harbour Post"),
    record("a:1", "The harbour master said the pier was repaired.", "a", ts=10 * DAY, outlet="Harbour Post"),
    record("b:0", "The ferry to Quellmoor runs six times a day in summer.", "b", ts=40 * DAY, outlet="Asia Brief"),
    record("c:0", "Ferries and ferry timetables: an undated note.", "c"),
]


def index_of(tmp_path, rows=ROWS, generation="g1"):
    index = LexicalIndex(tmp_path / "lex", TermWeights().terms)
    index.rebuild(rows, generation)
    return index


def test_bm25_ranks_by_shared_words_and_filters_as_chroma_does(tmp_path):
    snap = index_of(tmp_path).snapshot()
    assert snap.generation == "g1" and snap.count == 4
    ranked = [i for i, _ in snap.search("How often does the ferry to Quellmoor run?", 10)]
    assert set(ranked[:2]) == {"a:0", "b:0"} and "a:1" not in ranked
    assert [i for i, _ in snap.search("ferry Quellmoor", 10, since=30 * DAY)] == ["b:0"]   # undated ones out
    assert [i for i, _ in snap.search("ferry Quellmoor", 10, until=20 * DAY)] == ["a:0"]
    assert [i for i, _ in snap.search("ferry", 10, outlets=("Asia Brief",))] == ["b:0"]
    assert snap.search("the of and", 10) == [] and snap.search("ferry", 0) == []


def test_a_change_replaces_only_its_articles_and_open_snapshots_keep_theirs(tmp_path):
    index = index_of(tmp_path)
    before = index.snapshot()
    index.apply(["a", "d"], [record("a:0", "The ferry now runs twice a day.", "a"),
                             record("d:0", "A new ferry route opens to Brinkhaven.", "d")], "g2")
    after = index.snapshot()
    assert after.generation == "g2" and after.all_ids() == {"a:0", "b:0", "c:0", "d:0"}
    assert before.generation == "g1" and before.all_ids() == {"a:0", "a:1", "b:0", "c:0"}
    assert after.holding(["a:1", "d:0", "zz"]) == {"d:0"} and before.holding(["a:1", "d:0"]) == {"a:1"}
    assert [i for i, _ in after.search("Brinkhaven", 5)] == ["d:0"]


def test_the_journal_survives_until_settled_and_reopening_keeps_the_index(tmp_path):
    index = index_of(tmp_path)
    index.note(["b", "a"])
    index.note(["a"])
    again = LexicalIndex(tmp_path / "lex", TermWeights().terms)   # another process, after a kill
    assert again.pending() == {"a", "b"} and again.snapshot().generation == "g1"
    again.settled()
    assert again.pending() == set() and index.pending() == set()


def test_an_index_of_another_format_is_replaced_by_an_empty_one(tmp_path):
    index_of(tmp_path)
    (tmp_path / "lex" / "format").write_text("bm25s-v2")
    fresh = LexicalIndex(tmp_path / "lex", TermWeights().terms).snapshot()
    assert fresh.count == 0 and fresh.generation == ""


def test_unreadable_index_files_start_an_empty_index(tmp_path):
    index_of(tmp_path)
    (tmp_path / "lex" / "meta.json").write_text("{not json")
    fresh = LexicalIndex(tmp_path / "lex", TermWeights().terms).snapshot()
    assert fresh.count == 0 and fresh.generation == ""


def test_term_statistics_count_documents_as_term_weights_do(tmp_path):
    snap = index_of(tmp_path).snapshot()
    weights = TermWeights([f"T\n{text}" for _, text, _ in ROWS])
    for term in ("ferri", "quellmoor", "harbour", "t", "brinkhaven"):
        assert snap.df.get(term) == weights.df.get(term), term
    counted = TermWeights(counts=(snap.df, snap.count))
    assert counted.idf("quellmoor") == weights.idf("quellmoor") and counted.idf("unseen") == weights.idf("unseen")


def test_each_chunk_is_read_back_from_the_snapshot_that_holds_it(tmp_path):
    """A question's passages come from the snapshot it searched: text, metadata and sentence vectors by id."""
    index = LexicalIndex(tmp_path / "lex", TermWeights().terms)
    index.rebuild(ROWS, "g1", lambda ids: {i: f"v-{i}" for i in ids if i != "c:0"})
    before = index.snapshot()
    assert before.stored(["a:0", "c:0", "zz"]) == {"a:0": ROWS[0][1:] + ("v-a:0",), "c:0": ROWS[3][1:] + ("",)}
    index.apply(["a"], [record("a:0", "The ferry now runs twice a day.", "a")], "g2")
    assert index.snapshot().stored(["a:0", "a:1"]) == {
        "a:0": ("The ferry now runs twice a day.", {"source": "a", "title": "T"}, "")}
    assert before.stored(["a:0"])["a:0"][0] == ROWS[0][1] and before.stored([]) == {}


def test_the_chunks_a_filter_lets_through_are_counted_as_chroma_would_filter_them(tmp_path):
    snap = index_of(tmp_path).snapshot()
    assert snap.admitted() == 4 and snap.admitted(since=30 * DAY) == 1 and snap.admitted(until=20 * DAY) == 2
    assert snap.admitted(outlets=("Harbour Post",)) == 2 and snap.admitted(since=50 * DAY) == 0


def test_the_ids_a_filter_lets_through_are_listed_from_the_snapshot_it_searched(tmp_path):
    index = index_of(tmp_path)
    snap = index.snapshot()
    assert sorted(snap.admitted_ids(since=5 * DAY, until=20 * DAY)) == ["a:0", "a:1"]
    assert snap.admitted_ids(outlets=("Asia Brief",)) == ["b:0"] and snap.admitted_ids(since=50 * DAY) == []
    assert sorted(snap.admitted_ids()) == ["a:0", "a:1", "b:0", "c:0"]   # the generation marker is no chunk
    index.apply(["b"], [record("b:0", "Ferries stop.", "b", ts=41 * DAY), record("b:1", "More.", "b", ts=41 * DAY)],
                "g2")
    assert snap.admitted_ids(since=30 * DAY) == ["b:0"]
    assert sorted(index.snapshot().admitted_ids(since=30 * DAY)) == ["b:0", "b:1"]


def test_a_share_larger_than_one_listing_is_listed_by_parts_of_its_dates(tmp_path, monkeypatch):
    """One aggregation lists at most MOST_IDS ids: a larger share is listed by halves of its dates, an outlet's
    undated chunks apart; a share larger than MOST_LISTED, or more than MOST_IDS chunks of one second, is not."""
    import index.lexical_snapshot as snapshots

    rows = [*ROWS, record("d:0", "Undated harbour notes.", "d", outlet="Harbour Post"),
            record("e:0", "The pier reopens.", "e", ts=30 * DAY, outlet="Harbour Post")]
    monkeypatch.setattr(snapshots, "MOST_IDS", 2)
    snap = index_of(tmp_path, rows).snapshot()
    assert sorted(snap.admitted_ids(since=5 * DAY)) == ["a:0", "a:1", "b:0", "e:0"]
    assert sorted(snap.admitted_ids(outlets=("Harbour Post",))) == ["a:0", "a:1", "d:0", "e:0"]
    assert sorted(snap.admitted_ids(until=35 * DAY, outlets=("Harbour Post",))) == ["a:0", "a:1", "e:0"]
    monkeypatch.setattr(snapshots, "MOST_IDS", 1)
    assert index_of(tmp_path / "2", rows).snapshot().admitted_ids(since=5 * DAY, until=20 * DAY) is None
    monkeypatch.setattr(snapshots, "MOST_LISTED", 3)
    assert index_of(tmp_path / "3", rows).snapshot().admitted_ids(since=5 * DAY) is None


def test_which_chunks_a_filter_lets_through_is_read_only_for_those(tmp_path):
    snap = index_of(tmp_path).snapshot()
    assert snap.holding(["a:0", "b:0", "c:0", "zz"], since=30 * DAY) == {"b:0"}
    assert snap.holding(["a:0", "b:0", "c:0"], outlets=("Harbour Post",)) == {"a:0"}
    assert snap.holding(["a:0", "c:0"]) == {"a:0", "c:0"}


def test_the_stored_documents_are_advised_as_read_at_random(tmp_path):
    import sys

    import pytest

    if not sys.platform.startswith("linux"):
        pytest.skip("madvise advice is read back from /proc/self/smaps (Linux)")
    (tmp_path / "real").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "real")   # a data dir reached through a link
    snap = index_of(tmp_path / "linked").snapshot()
    folder = str((tmp_path / "real" / "lex").resolve())
    flags, path = {}, ""
    for line in open("/proc/self/smaps").read().splitlines():
        parts = line.split()
        if "-" in parts[0] and len(parts) >= 5 and not parts[0].endswith(":"):
            path = parts[5] if len(parts) >= 6 else ""
        elif parts[0] == "VmFlags:" and path.startswith(folder):
            flags.setdefault(path.rsplit(".", 1)[-1], set()).update(parts[1:])
    assert snap.count == 4 and "rr" in flags["store"]   # MADV_RANDOM on the stored documents
    assert all("rr" not in got for kind, got in flags.items() if kind != "store")   # postings still read ahead
