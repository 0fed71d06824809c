"""A saved news page (navigation, related links, comments, footer, Open Graph and JSON-LD) as trafilatura
reads it, against the hand-written parser it replaced: only the article is indexed, with its metadata."""
from pathlib import Path

from index.html import extract_html, html_to_text
from index.loader import load_articles

PAGE = Path(__file__).parent / "pages" / "harbour.html"
FURNITURE = ("Subscribe now", "Related articles", "Ferry company cuts routes", "Great news for the town",
             "waste of taxpayer money", "All rights reserved", "Privacy")


def test_only_the_article_is_indexed_with_its_metadata():
    markup = PAGE.read_text()
    before = html_to_text(markup)
    assert all(f in before for f in FURNITURE)   # what the old parser indexed as article text
    meta, text = extract_html(markup)
    assert not any(f in text for f in FURNITURE)
    assert "Ada Brink cut the ribbon" in text and "morning market" in text
    assert meta == {"title": "Harbour reopens in Quellmoor", "date": "2024-06-13T09:00:00+09:00",   # JSON-LD's
                    "outlet": "Asia Brief", "author": "Kim Lee", "url": "https://asiabrief.invalid/news/harbour-reopens"}


def test_a_saved_page_becomes_an_article_with_outlet_and_date(tmp_path):
    (tmp_path / "harbour.html").write_text(PAGE.read_text())
    (tmp_path / "bare.html").write_text("<html><body><p>Short note.</p></body></html>")
    articles = {a.article_id: a for a in load_articles(tmp_path)[0]}
    page = articles["harbour"]
    assert page.title == "Harbour reopens in Quellmoor" and page.outlet == "Asia Brief"
    assert page.date == "2024-06-13T09:00:00+09:00" and page.author == "Kim Lee"   # JSON-LD datePublished
    assert page.body.startswith("Ada Brink") and "Comments" not in page.body
    assert articles["bare"].body == "Short note."   # no article found: all of its text, as before
