"""News dumps (.jsonl, .json, .csv): fields by their usual names or overrides, bad records listed with their line
numbers, dates kept as ISO 8601 or unknown, stable ids; ingested, they carry outlet and date to citations."""
import json

import pytest

from index.dumps import parse_fields, read_dump
from index.loader import load_articles
from index.metadata import front_matter, iso_date
from qa.errors import InputError

RECORDS = [
    {"id": "a1", "headline": "Harbour reopens in Quellmoor", "body": "Ada Brink cut the ribbon at the reopened "
     "Quellmoor harbour on Monday. About 300 people watched.", "published_at": "2024-06-13T09:00:00+09:00",
     "source": {"name": "Asia Brief"}, "authors": ["Kim Lee", "Ann Park"], "url": "https://example.invalid/a1"},
    {"id": "a2", "title": "No text here", "published_at": "2024-06-14"},
    {"title": "Festival returns", "content": "The Zorblatt lantern festival drew 12,000 visitors to Quellmoor.",
     "pubDate": "Thu, 13 Jun 2024 09:00:00 +0900", "publisher": "Daily Lantern", "link": "https://example.invalid/f"},
    {"id": "a4", "title": "Odd date", "text": "The ferry to Quellmoor now runs twice a day, the port authority "
     "said.", "date": "next Tuesday-ish"},
]


def write_jsonl(path, records, bad_line=True):
    lines = [json.dumps(r) for r in records]
    if bad_line:
        lines.insert(2, "this is not json")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_jsonl_dump_finds_fields_and_lists_bad_records(tmp_path):
    path = write_jsonl(tmp_path / "wire.jsonl", RECORDS)
    articles, skipped = read_dump(path, path.read_text())
    assert [a.article_id for a in articles][0] == "wire-a1" and len(articles) == 3
    first = articles[0]
    assert first.title == "Harbour reopens in Quellmoor" and first.outlet == "Asia Brief"
    assert first.date == "2024-06-13T09:00:00+09:00" and first.author == "Kim Lee, Ann Park"
    assert first.url == "https://example.invalid/a1" and first.body.startswith("Ada Brink")
    festival = articles[1]
    assert festival.date == "2024-06-13T09:00:00+09:00" and festival.outlet == "Daily Lantern"
    assert festival.article_id.startswith("wire-") and len(festival.article_id) == len("wire-") + 16  # URL digest
    assert articles[2].date == "" and "does not parse" in articles[2].warning   # unknown, never guessed
    assert [(s.path.rsplit(":", 1)[1], s.reason) for s in skipped] == [("2", "no text"),
                                                                         ("3", "not valid JSON (Expecting value)")]


def test_ids_are_stable_and_an_edit_changes_only_its_record(tmp_path):
    path = write_jsonl(tmp_path / "wire.jsonl", RECORDS)
    before = {a.article_id: a.content_hash for a in read_dump(path, path.read_text())[0]}
    edited = [dict(r) for r in RECORDS]
    edited[0]["source"] = {"name": "Asia Brief Weekly"}
    write_jsonl(path, edited)
    after = {a.article_id: a.content_hash for a in read_dump(path, path.read_text())[0]}
    assert set(after) == set(before)
    assert [k for k in after if after[k] != before[k]] == ["wire-a1"]


def test_csv_and_json_dumps_and_field_overrides(tmp_path):
    csv_path = tmp_path / "council.csv"
    csv_path.write_text('headline,story,when,paper\n"Budget passed","The council passed a budget of 4 million '
                        'euros.",2024-05-01,Council News\n"Empty","",2024-05-02,Council News\n')
    articles, skipped = read_dump(csv_path, csv_path.read_text(), parse_fields("text=story,date=when,outlet=paper"))
    assert len(articles) == 1 and articles[0].outlet == "Council News" and articles[0].date.startswith("2024-05-01")
    assert skipped[0].path.endswith("council.csv:3") and skipped[0].reason == "no text"
    json_path = tmp_path / "list.json"
    json_path.write_text(json.dumps({"articles": [RECORDS[0]]}))
    assert [a.article_id for a in read_dump(json_path, json_path.read_text())[0]] == ["list-a1"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"nope": 1}')
    with pytest.raises(InputError, match="list of articles"):
        read_dump(bad, bad.read_text())
    with pytest.raises(InputError, match="Bad field override"):
        parse_fields("body=story")


def test_dates():
    assert iso_date("2024-06-13") == "2024-06-13T00:00:00"
    assert iso_date("2024-06-13T09:00:00Z") == "2024-06-13T09:00:00+00:00"
    assert iso_date("Thu, 13 Jun 2024 09:00:00 +0900") == "2024-06-13T09:00:00+09:00"
    assert iso_date("soon") is None and iso_date("") == ""


def test_files_and_dumps_mix_in_one_folder(tmp_path):
    write_jsonl(tmp_path / "wire.jsonl", RECORDS)
    (tmp_path / "note.txt").write_text("Harbour note\n\nThe harbour master retired after forty years.")
    articles, skipped = load_articles(tmp_path)
    assert {a.article_id for a in articles} == {"note", "wire-a1", "wire-a4"} | {
        a.article_id for a in articles if a.outlet == "Daily Lantern"}
    assert len(skipped) == 2


@pytest.mark.slow
def test_an_ingested_dump_carries_outlet_and_date_to_citations_and_reingests_unchanged(tmp_path, embedder):
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    (tmp_path / "dump").mkdir()
    write_jsonl(tmp_path / "dump" / "wire.jsonl", RECORDS)
    pipeline = NewsQA(Settings(data_dir=tmp_path / "data"), embedder=embedder)
    first = pipeline.ingest(tmp_path / "dump")
    assert first.added == 3 and len(first.skipped) == 2 and len(first.warnings) == 1
    answer = pipeline.ask("Who cut the ribbon at the Quellmoor harbour?")
    cited = answer.citations[0]
    assert "Ada Brink" in answer.text and cited.source == "wire-a1"
    assert (cited.outlet, cited.published, cited.url) == ("Asia Brief", "2024-06-13T09:00:00+09:00",
                                                         "https://example.invalid/a1")
    again = pipeline.ingest(tmp_path / "dump")
    assert (again.added, again.updated, again.unchanged, again.chunks_written) == (0, 0, 3, 0)
    stats = pipeline.stats()
    assert stats["outlets"] == {"(unknown)": 1, "Asia Brief": 1, "Daily Lantern": 1}
    assert stats["published"] == {"first": "2024-06-13", "last": "2024-06-13", "dated": 2}
    library = {row["id"]: row for row in pipeline.articles()}
    assert library["wire-a1"]["outlet"] == "Asia Brief" and library["wire-a1"]["published"].startswith("2024-06-13")


def test_front_matter_gives_a_markdown_article_its_metadata(tmp_path):
    (tmp_path / "harbour.md").write_text("---\ntitle: Harbour reopens\ndate: 2024-06-13T09:00:00+09:00\n"
                                         "publisher: Asia Brief\nauthor: Kim Lee\nurl: https://example.invalid/h\n"
                                         "---\nAda Brink cut the ribbon at the reopened harbour on Monday.\n")
    (tmp_path / "plain.md").write_text("Plain note\n\nThe harbour master retired after forty years.")
    (tmp_path / "odd.txt").write_text("---\ntitle: Odd\ndate: someday\n---\nThe ferry now runs twice a day.")
    articles = {a.article_id: a for a in load_articles(tmp_path)[0]}
    harbour = articles["harbour"]
    assert (harbour.title, harbour.outlet, harbour.author, harbour.url) == (
        "Harbour reopens", "Asia Brief", "Kim Lee", "https://example.invalid/h")
    assert harbour.date == "2024-06-13T09:00:00+09:00" and harbour.body.startswith("Ada Brink")
    assert "---" not in harbour.body and "publisher" not in harbour.body
    assert articles["plain"].outlet == "" and articles["plain"].title == "Plain note"
    assert articles["odd"].date == "" and "does not parse" in articles["odd"].warning
    assert front_matter("---\n[not, a, mapping]\n---\ntext") == ({}, "---\n[not, a, mapping]\n---\ntext")


@pytest.mark.slow
def test_date_and_outlet_filters_restrict_what_is_retrieved_and_cited(tmp_path, embedder):
    from qa.filters import make_filter
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    (tmp_path / "dump").mkdir()
    write_jsonl(tmp_path / "dump" / "wire.jsonl", RECORDS, bad_line=False)
    pipeline = NewsQA(Settings(data_dir=tmp_path / "data", answerer="extractive"), embedder=embedder)
    pipeline.ingest(tmp_path / "dump")
    harbour = "Who cut the ribbon at the Quellmoor harbour?"
    lantern = make_filter(outlets=["Daily Lantern"])
    only = pipeline.ask(harbour, filters=lantern)
    assert only.passages and all(p.outlet == "Daily Lantern" for p in only.passages)
    assert "wire-a1" not in {c.source for c in only.citations}
    assert all(p.outlet == "Asia Brief" for p in pipeline.ask(harbour, filters=make_filter(
        since="2024-06-13", until="2024-06-13", outlets=["Asia Brief"])).passages)
    dated = pipeline.ask(harbour, filters=make_filter(since="2024-06-01", until="2024-06-13"))
    assert dated.citations[0].source == "wire-a1" and {p.published[:10] for p in dated.passages} == {"2024-06-13"}
    none = pipeline.ask(harbour, filters=make_filter(since="2025-01-01"))
    assert none.refused and none.passages == () and "no article matches the filter (since 2025-01-01)" in none.warnings
    as_said = pipeline.ask(harbour, filters=make_filter(since="yesterday", until="today", as_of="2024-06-14"),
                           as_of="2024-06-14")   # time words as of the day asked: the harbour's day is in
    assert as_said.citations[0].source == "wire-a1" and {p.published[:10] for p in as_said.passages} == {"2024-06-13"}
    later = pipeline.ask(harbour, filters=make_filter(since="last week", as_of="2024-07-01"), as_of="2024-07-01")
    assert later.refused and "no article matches the filter (since 2024-06-18)" in later.warnings
    with pytest.raises(InputError, match="is not a date"):
        make_filter(since="last spring")


FERRIES = [
    {"id": "old", "title": "Ferry timetable", "text": "The Quellmoor ferry runs 6 times a day, the port authority "
     "said.", "date": "2024-01-10", "outlet": "Harbour Post"},
    {"id": "new", "title": "Ferry timetable", "text": "The Quellmoor ferry runs 4 times a day, the port authority "
     "said.", "date": "2024-06-10", "outlet": "Harbour Post"}]
FESTIVAL = {"id": "other", "title": "Lantern festival", "text": "The lantern festival drew 12,000 visitors.",
            "date": "2024-09-01", "outlet": "Daily Lantern"}


def ferries(tmp_path, embedder, *more):
    """An extractive pipeline over two dated ferry timetables that disagree (and any more records)."""
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    (tmp_path / "dump").mkdir()
    write_jsonl(tmp_path / "dump" / "ferry.jsonl", [*FERRIES, *more], bad_line=False)
    pipeline = NewsQA(Settings(data_dir=tmp_path / "data", answerer="extractive"), embedder=embedder)
    pipeline.ingest(tmp_path / "dump")
    return pipeline


@pytest.mark.slow
def test_a_question_after_the_latest_state_prefers_the_newer_article_that_answers(tmp_path, embedder):
    from qa.query import answer_type

    pipeline = ferries(tmp_path, embedder, FESTIVAL)
    plain = pipeline.ask("How many times a day does the Quellmoor ferry run?")
    assert plain.citations[0].source == "ferry-old"   # the two answer about equally: evidence order stands
    for question in ("How many times a day does the Quellmoor ferry run now?",
                     "What is the latest number of daily Quellmoor ferry runs?"):
        latest = pipeline.ask(question)
        assert latest.citations[0].source == "ferry-new", question
        assert latest.citations[0].published.startswith("2024-06-10")   # the sources line says when
    # the newest article does not win by date alone: the festival is newer but does not answer
    assert all(c.source != "ferry-other" for c in latest.citations)
    assert answer_type("What is the latest on the ferry?") != "synthesis"


@pytest.mark.slow
def test_articles_that_disagree_on_a_figure_are_both_shown_with_their_dates(tmp_path, embedder):
    pipeline = ferries(tmp_path, embedder)
    answer = pipeline.ask("How many times a day does the Quellmoor ferry run?")
    assert "6 times a day" in answer.text and "4 times a day" in answer.text
    assert "(Harbour Post, 2024-01-10)" in answer.text and "(Harbour Post, 2024-06-10)" in answer.text
    assert {c.source for c in answer.citations} == {"ferry-old", "ferry-new"}
    # articles without dates, or agreeing ones, are quoted as before: no dates in the text
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "note.txt").write_text("Lantern note\\n\\nThe Zorblatt lantern festival drew 12,000 "
                                                 "visitors to Quellmoor.")
    pipeline.ingest(tmp_path / "plain")
    plain = pipeline.ask("How many visitors did the Zorblatt lantern festival draw?")
    assert "12,000" in plain.text and "(" not in plain.text


def test_a_record_id_seen_twice_is_skipped_with_its_line(tmp_path):
    write_jsonl(tmp_path / "wire.jsonl", [RECORDS[0], RECORDS[0]], bad_line=False)
    articles, skipped = load_articles(tmp_path)
    assert [a.article_id for a in articles] == ["wire-a1"]
    assert [(s.path.rsplit(":", 1)[1], s.reason) for s in skipped] == [("2", "duplicate article id wire-a1")]


def test_punctuation_a_scraper_left_percent_encoded_is_decoded_but_links_stay(tmp_path):
    """Real archives carry it: "Hawaii%2C Illinois%2C Maryland" and "%24185" in USA TODAY texts of newsdump."""
    record = {"id": "w1", "title": "The Queen%27s wage", "url": "https://example.invalid/a%2Cb",
              "text": "Hawaii%2C Illinois%2C Maryland and Minnesota raised it to %24185 a week%2C a 50%25 rise. "
                      "Read more at https://example.invalid/wage?x=1%2C2 or www.example.invalid/a%27b."}
    path = tmp_path / "wage.jsonl"
    path.write_text(json.dumps(record) + "\n")
    (article,), _ = read_dump(path, path.read_text())
    assert article.title == "The Queen's wage" and article.url == "https://example.invalid/a%2Cb"
    assert article.body.startswith("Hawaii, Illinois, Maryland and Minnesota raised it to $185 a week, a 50%25 rise.")
    assert "https://example.invalid/wage?x=1%2C2" in article.body and "www.example.invalid/a%27b." in article.body
