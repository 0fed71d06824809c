"""`qa ingest URL` and `qa watch URL`: news pages, feeds and dumps fetched from a real local HTTP server."""
import re
import shutil
import threading
from pathlib import Path

import pytest

from index.loader import load_articles
from index.web import is_url, load_url, url_name
from qa.errors import InputError
from qa.watch import follow, parse_every
from tests.servers import static_site

HERE = Path(__file__).parent


@pytest.fixture
def site(tmp_path):
    folder = tmp_path / "site"
    (folder / "news").mkdir(parents=True)
    shutil.copy(HERE / "pages" / "harbour.html", folder / "news" / "harbour.html")
    shutil.copy(HERE / "feeds" / "news.rss", folder / "news.rss")
    shutil.copy(HERE / "feeds" / "desk.atom", folder / "desk.xml")   # served as text/xml, found to be a feed
    (folder / "dump.jsonl").write_text('{"id": "a1", "title": "Dam opens", "text": "The Quellmoor dam opened on '
                                       'Monday after four years of work.", "date": "2024-03-04"}\n')
    (folder / "big.html").write_text("<p>" + "word " * 3000 + "</p>")
    (folder / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    with static_site(folder) as url:
        yield folder, url


def test_a_url_names_its_article_by_host_and_path():
    assert url_name("https://www.bbc.co.uk/news/world-asia-52241221") == "bbc.co.uk-news-world-asia-52241221"
    assert url_name("https://example.com/2024/06/harbour.html?page=2") == "example.com-2024-06-harbour-page-2"
    assert url_name("http://127.0.0.1:8000/feed.rss") == "127.0.0.1-feed"
    shared = "https://example.com/2024/06/harbour.html?utm_source=twitter&utm_medium=social&fbclid=x1#comments"
    assert url_name(shared) == url_name("https://example.com/2024/06/harbour.html") == "example.com-2024-06-harbour"
    long = url_name("https://example.com/" + "very-long-slug-" * 20)
    assert len(long) == 80 and long != url_name("https://example.com/" + "very-long-slug-" * 21)
    assert is_url("https://example.com/a") and is_url(" HTTP://x.example") and not is_url("seeds/")
    assert not is_url(Path("https:/example.com"))


def test_a_page_at_a_url_is_read_as_the_saved_page_is(site):
    folder, url = site
    [fetched], skipped = load_articles(f"{url}/news/harbour.html", 5_000_000)
    [saved], _ = load_articles(folder / "news" / "harbour.html", 5_000_000)
    assert not skipped and fetched.article_id == "127.0.0.1-news-harbour"
    assert (fetched.title, fetched.body, fetched.date, fetched.outlet) == (saved.title, saved.body, saved.date,
                                                                          saved.outlet)
    assert fetched.path == f"{url}/news/harbour.html" and fetched.url   # the page's canonical URL, else the fetched one


def test_feeds_and_dumps_at_a_url_become_their_entries(site):
    _, url = site
    rss, _ = load_url(f"{url}/news.rss", 5_000_000)
    assert {a.article_id for a in rss} >= {"127.0.0.1-news-courier-ferry-2024"}
    ferry = next(a for a in rss if a.article_id == "127.0.0.1-news-courier-ferry-2024")
    assert ferry.url == "https://courier.example/ferry" and ferry.outlet == "Quellmoor Courier"
    assert ferry.path == f"{url}/news.rss:1"
    atom, _ = load_url(f"{url}/desk.xml", 5_000_000)
    assert atom and all(a.article_id.startswith("127.0.0.1-desk-") for a in atom)
    [dam], _ = load_url(f"{url}/dump.jsonl", 5_000_000)
    assert dam.article_id == "127.0.0.1-dump-a1" and dam.date.startswith("2024-03-04")


def test_what_cannot_be_fetched_is_a_one_line_error(site):
    _, url = site
    for bad, says in ((f"{url}/missing.html", "HTTP 404"), (f"{url}/big.html", "too big"),
                      (f"{url}/blob.bin", "binary"), ("https://", "not a valid URL"),
                      (url.rsplit(":", 1)[0] + ":1/x", "cannot fetch it")):
        with pytest.raises(InputError, match=says) as err:
            load_url(bad, 10_000)
        assert "\n" not in str(err.value) and str(err.value).startswith(bad)


def test_every_takes_seconds_minutes_or_hours():
    assert [parse_every(t) for t in ("90", "90s", "15m", "1h", "0.5m")] == [90, 90, 900, 3600, 30]
    with pytest.raises(InputError, match="not a duration"):
        parse_every("soon")


class _Recorder:
    """A pipeline that records its ingests: from the second on, the bad feed cannot be fetched."""

    def __init__(self, stop: threading.Event, calls_before_stop: int) -> None:
        self.calls, self.stop, self.last = [], stop, calls_before_stop

    def ingest(self, sources, prune=False):
        self.calls.append((list(sources), prune))
        if len(self.calls) >= self.last:
            self.stop.set()
        bad = [s for s in sources if "bad" in s]
        if bad and len(self.calls) > 1:
            raise InputError(f"{bad[0]}: cannot fetch it (ConnectError: refused)")

        class Report:
            @staticmethod
            def lines():
                return [f"Ingested {len(sources)} feed(s)"]
        return Report()


def test_following_urls_fetches_them_again_until_stopped_and_one_that_fails_is_a_warning():
    good, bad = "https://x.example/feed", "https://bad.example/feed"
    stop = threading.Event()
    pipeline, said = _Recorder(stop, 4), []
    follow(pipeline, [good, bad], every=0.01, say=said.append, stop=stop)
    # a round is one ingest of all; when it fails, each URL on its own: the good one still comes in
    assert pipeline.calls == [([good, bad], False), ([good, bad], False), ([good], False), ([bad], False)]
    assert said[0] == "Ingested 2 feed(s)" and said[1].startswith(f"Following {good}, {bad} every")
    assert said[2:] == ["Ingested 1 feed(s)", f"warning: {bad}: cannot fetch it (ConnectError: refused) (trying "
                                               "again in 0.01 s)"]
    with pytest.raises(InputError, match="more than 0"):
        follow(pipeline, good, every=0, stop=stop)


@pytest.mark.slow
def test_qa_ingest_of_a_url_answers_with_its_link_and_fetching_again_updates_it(site, tmp_path, embedder):
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    folder, url = site
    # the feed's entries link to pages of courier.example, which is not there to fetch (that path: the next test)
    pipeline = NewsQA(Settings(data_dir=tmp_path / "data", llm="extractive", feed_page_words=0), embedder=embedder)
    assert pipeline.ingest(f"{url}/news.rss").summary().startswith("Ingested 2 articles")
    assert pipeline.ingest(f"{url}/news/harbour.html").summary().startswith("Ingested 1 article")
    answer = pipeline.ask("How many crossings a day does the Quellmoor ferry run?")
    assert answer.citations[0].url == "https://courier.example/ferry" and "six" in answer.text
    (folder / "news.rss").write_text((folder / "news.rss").read_text().replace("six crossings", "seven crossings"))
    again = pipeline.ingest(f"{url}/news.rss")
    assert "1 updated" in again.summary() and "1 unchanged" in again.summary()
    assert "seven" in pipeline.ask("How many crossings a day does the Quellmoor ferry run?").text
    with pytest.raises(InputError, match="takes a folder, not a URL"):
        pipeline.ingest(f"{url}/news.rss", prune=True)
    assert len(pipeline.articles()) == 3


SUMMARY_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Quellmoor Courier</title>
<item><guid>dam</guid><title>Quellmoor dam opens</title><link>{site}/dam.html</link>
<pubDate>Mon, 04 Mar 2024 09:00:00 GMT</pubDate><description>The dam opened on Monday.</description></item>
<item><guid>gone</guid><title>Bridge closes</title><link>{site}/gone.html</link>
<description>The old bridge closed for repairs.</description></item>
<item><guid>long</guid><title>Harbour report</title><link>{site}/other.html</link>
<description>{long}</description></item>
</channel></rss>"""
DAM_PAGE = ("<html><head><title>Quellmoor dam opens | Courier</title><meta name='author' content='Ana Ruiz'></head>"
            "<body><nav>Home | World</nav><article><h1>Quellmoor dam opens</h1><p>The Quellmoor dam opened on Monday "
            "after four years of work, engineers said.</p><p>It holds 40 million cubic metres of water and will "
            "supply 200,000 homes, the water board said.</p></article></body></html>")


def test_a_feed_of_summaries_gets_each_entrys_page_and_reads_it_once(tmp_path):
    long = "The harbour handled more boats this spring than last, officials said in their report. " * 12
    (tmp_path / "dam.html").write_text(DAM_PAGE)
    (tmp_path / "other.html").write_text("<html><body><article><p>Not this text.</p></article></body></html>")
    with static_site(tmp_path) as site:
        (tmp_path / "feed.rss").write_text(SUMMARY_FEED.format(site=site, long=long))
        entries, _ = load_url(f"{site}/feed.rss", 5_000_000, page_words=150)
        by_id = {a.article_id.rsplit("-", 1)[1]: a for a in entries}
        dam = by_id["dam"]
        assert "40 million cubic metres" in dam.body and "Home | World" not in dam.body
        assert dam.title == "Quellmoor dam opens" and dam.date.startswith("2024-03-04")
        assert dam.url == f"{site}/dam.html"
        assert dam.outlet == "Quellmoor Courier" and dam.author == "Ana Ruiz"   # the page fills what the feed lacks
        assert by_id["gone"].body == "The old bridge closed for repairs."       # its page is a 404: the summary stays
        assert "kept the feed's summary" in by_id["gone"].warning and "HTTP 404" in by_id["gone"].warning
        assert "Not this text" not in by_id["long"].body                       # long enough: its page is not read
        (tmp_path / "dam.html").unlink()                                        # read once: a follower's next round
        again, _ = load_url(f"{site}/feed.rss", 5_000_000, page_words=150)
        assert next(a for a in again if a.article_id == dam.article_id).content_hash == dam.content_hash
        summaries, _ = load_url(f"{site}/feed.rss", 5_000_000, page_words=0)
        assert next(a for a in summaries if a.article_id == dam.article_id).body == "The dam opened on Monday."


@pytest.mark.slow
def test_qa_ingest_of_a_feed_of_summaries_answers_from_the_pages(tmp_path, embedder):
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    (tmp_path / "dam.html").write_text(DAM_PAGE)
    with static_site(tmp_path) as site:
        (tmp_path / "feed.rss").write_text(SUMMARY_FEED.format(site=site, long="A short note."))
        pipeline = NewsQA(Settings(data_dir=tmp_path / "data", llm="extractive"), embedder=embedder)
        report = pipeline.ingest(f"{site}/feed.rss")
    assert report.summary().startswith("Ingested 3 articles")
    assert any("gone" in w and "kept the feed's summary" in w for w in report.warnings)
    answer = pipeline.ask("How many homes will the Quellmoor dam supply?")
    assert "200,000" in answer.text and answer.citations[0].url == f"{site}/dam.html"


OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="Local"><outline type="rss" text="Courier" xmlUrl="{site}/news.rss"/>
<outline type="rss" text="Desk" xmlUrl="{site}/desk.xml"/></outline>
<outline text="A folder without a feed"/><outline type="rss" text="Courier again" xmlUrl="{site}/news.rss"/>
</body></opml>"""


def test_an_opml_list_names_its_feeds_once_from_a_file_or_a_url(site, tmp_path):
    from index.web import expand_lists, feed_list

    folder, url = site
    (folder / "subs.opml").write_text(OPML.format(site=url))
    assert feed_list(folder / "subs.opml") == [f"{url}/news.rss", f"{url}/desk.xml"]
    assert feed_list(f"{url}/subs.opml") == [f"{url}/news.rss", f"{url}/desk.xml"]
    assert expand_lists([str(folder / "news"), folder / "subs.opml"]) == [str(folder / "news"), f"{url}/news.rss",
                                                                          f"{url}/desk.xml"]
    (tmp_path / "bad.opml").write_text("<opml><body><outline text='no feeds'/></body></opml>")
    (tmp_path / "broken.opml").write_text("<opml><body>")
    for bad, says in ((tmp_path / "bad.opml", "no outline with an http(s) xmlUrl"),
                      (tmp_path / "broken.opml", "not an OPML list of feeds"),
                      (tmp_path / "missing.opml", "cannot read it"), (f"{url}/missing.opml", "HTTP 404")):
        with pytest.raises(InputError, match=re.escape(says)) as err:
            feed_list(bad)
        assert str(err.value).startswith(str(bad)) and "\n" not in str(err.value)


@pytest.mark.slow
def test_qa_ingest_of_an_opml_list_ingests_every_feed_it_names(site, tmp_path, embedder):
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    folder, url = site
    (folder / "subs.opml").write_text(OPML.format(site=url))
    pipeline = NewsQA(Settings(data_dir=tmp_path / "data", llm="extractive", feed_page_words=0), embedder=embedder)
    report = pipeline.ingest(folder / "subs.opml")
    courier = len(load_url(f"{url}/news.rss", 5_000_000)[0])
    desk = len(load_url(f"{url}/desk.xml", 5_000_000)[0])
    assert report.added == courier + desk and not report.skipped
