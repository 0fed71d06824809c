"""Titles without the site's decoration, dates as the page says it was published (never modified, never later
than today)."""
from pathlib import Path

import pytest

from index.html import extract_html
from index.metadata import iso_date, trusted_date
from index.pagemeta import clean_outlet, clean_title, page_facts, published

REALNEWS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "realnews" / "pages"


@pytest.mark.parametrize(("title", "outlet", "clean"), [
    ("Berlin confronts Germany's colonial past with new initiative | DW | 19.01.2020", "DW",
     "Berlin confronts Germany's colonial past with new initiative"),
    ("Meta Outage Hits Facebook, Instagram and Messenger | Kulu Media", "Kulu Media",
     "Meta Outage Hits Facebook, Instagram and Messenger"),
    ("Forex motion defeated in Senate - Trinidad and Tobago Newsday", "Trinidad and Tobago Newsday",
     "Forex motion defeated in Senate"),
    ("Driver killed in crash - WSVN 7News | Miami News, Weather, Sports | Fort Lauderdale", "WSVN 7News",
     "Driver killed in crash"),
    ("DW | Frühburgunder grapes in the Ahr valley", "DW", "Frühburgunder grapes in the Ahr valley"),
    ("Sixers - Celtics: game notes", "PhillyVoice", "Sixers - Celtics: game notes"),   # the title's own dash
    ("LA Weekly", "LA Weekly", "LA Weekly"),                                         # nothing else: kept
])
def test_titles_lose_the_outlet_and_dates_at_either_end(title, outlet, clean):
    assert clean_title(title, outlet) == clean


def test_site_names_lose_their_tagline():
    assert clean_outlet("The Tico Times | Costa Rica News | Travel | Real Estate") == "The Tico Times"


def test_published_prefers_json_ld_then_the_meta_tag_then_the_title_never_modified():
    page = """<html><head><meta property="article:published_time" content="2020-01-02T10:00:00Z">
    <script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", "dateModified": "2021-05-05",
    "datePublished": "2020-01-01T09:00:00Z", "headline": "A headline"}]}</script></head><body></body></html>"""
    facts = page_facts(page)
    assert facts["ld_published"].startswith("2020-01-01") and facts["ld_headline"] == "A headline"
    assert published(facts, "t", "2021-05-05").startswith("2020-01-01")
    assert published({"published_time": "2020-01-02"}, "t", "2021-05-05") == "2020-01-02"
    assert iso_date(published({}, "Frühburgunder | DW | 10.06.2013", "2019-08-01")).startswith("2013-06-10")


def test_dates_as_dumps_spell_them_and_none_after_today():
    assert iso_date("2022/11/27").startswith("2022-11-27")
    assert iso_date("2024-1-5").startswith("2024-01-05")
    # a year, month and day that is no date is not read another way round ("2030-13-01" is not 13 January)
    assert iso_date("2030-13-01") is None and iso_date("2024-02-30") is None
    assert iso_date("November 27, 2022").startswith("2022-11-27")
    assert trusted_date("2999-01-01") == ("", "date 2999-01-01 is after today: unknown")
    assert trusted_date("yesterday")[0] == "" and "does not parse" in trusted_date("yesterday")[1]


# what each page shows as its publication day (its byline or JSON-LD datePublished)
SHOWN = {"bbc.com.52241221": "2020-04-10", "nytimes.com.blackouts": "2020-08-16",
         "economist.com.thinking": "2018-06-18", "politico.com.retirement": "2019-12-30",
         "wired.com.burn": "2020-01-21", "edition.cnn.com-royal": "2021-03-08",
         "latimes.com.bloomberg": "2020-02-19", "telegraph.co.uk.plumber": "2012-04-17",
         "newsday.co.tt-forex": "2022-04-28", "laweekly.com-Cultivation": "2023-11-06"}


@pytest.mark.skipif(not REALNEWS.is_dir(), reason="no ../shared/benchmarks/realnews")
def test_real_pages_titles_carry_no_outlet_and_dates_match_the_page():
    pages = sorted(REALNEWS.glob("*.html"))
    assert len(pages) == 40
    for page in pages:
        meta, _ = extract_html(page.read_text(encoding="utf-8", errors="replace"))
        title, outlet = meta.get("title", ""), meta.get("outlet", "")
        assert title and " " in title, (page.name, title)
        if outlet and title != outlet:
            assert clean_title(title, outlet) == title, (page.name, title, outlet)
            assert not title.lower().endswith(outlet.lower()), (page.name, title)
        if page.stem in SHOWN:
            assert meta["date"][:10] == SHOWN[page.stem], (page.name, meta["date"])
