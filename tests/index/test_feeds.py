"""RSS and Atom feeds ingest entry by entry: title, date, link, author, text; ids stable across re-ingests."""
import shutil
from pathlib import Path

import pytest

from index.loader import load_articles

FEEDS = Path(__file__).parent / "feeds"


def test_rss_and_atom_entries_become_dated_linked_articles():
    articles, skipped = load_articles(FEEDS)
    assert not skipped
    by_title = {a.title: a for a in articles}
    ferry = by_title["Harbour ferries back to six a day"]
    assert ferry.date.startswith("2024-01-03T09:00") and ferry.url == "https://courier.example/ferry"
    assert ferry.outlet == "Quellmoor Courier" and ferry.author == "Tomas Berg"
    assert ferry.article_id == "news-courier-ferry-2024" and "<p>" not in ferry.body and "six crossings" in ferry.body
    bridge = by_title["Bridge reopens after repairs"]
    assert bridge.date.startswith("2024-01-04T10:00")       # published, never updated
    assert bridge.author == "Ana Ruiz" and bridge.url == "https://gazette.example/bridge"
    assert by_title["Lantern festival returns"].article_id.startswith("news-https_courier.example_lanterns")


def test_a_file_that_is_no_feed_is_skipped_with_its_reason(tmp_path):
    (tmp_path / "sitemap.xml").write_text("<urlset><url><loc>https://x.example</loc></url></urlset>")
    articles, skipped = load_articles(tmp_path)
    assert not articles and "not an RSS or Atom feed" in skipped[0].reason


@pytest.mark.slow
def test_qa_ingest_reads_a_feed_and_again_updates_it(tmp_path, embedder):
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    feed = tmp_path / "news.rss"
    shutil.copy(FEEDS / "news.rss", feed)
    pipeline = NewsQA(Settings(data_dir=tmp_path / "data", llm="extractive"), embedder=embedder)
    first = pipeline.ingest(feed)
    assert first.summary().startswith("Ingested 2 articles")
    answer = pipeline.ask("How many crossings a day does the Quellmoor ferry run?")
    assert answer.citations[0].url == "https://courier.example/ferry" and "six" in answer.text
    feed.write_text(feed.read_text().replace("six crossings", "seven crossings"))
    again = pipeline.ingest(feed)
    assert "1 updated" in again.summary() and "1 unchanged" in again.summary()
    assert "seven" in pipeline.ask("How many crossings a day does the Quellmoor ferry run?").text
