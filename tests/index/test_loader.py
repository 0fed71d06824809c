from pathlib import Path

import pytest

from index.loader import load_articles, load_sources, parse_article
from qa.errors import InputError
from tests.conftest import SEEDS

BOILERPLATE = ["Leave a comment", "Leave a Comment", "Share This Article", "Previous Article", "Back to blog",
               "3 Min Read", "photo credit", "Write a Comment", "Next Article"]


def test_seeds_load_with_ids_titles_and_no_boilerplate():
    articles, skipped = load_articles(SEEDS)
    assert skipped == []
    by_id = {a.article_id: a for a in articles}
    assert len(by_id) == 5
    assert by_id["004_23f38ab0d320b1ba"].title == "Putin expresses readiness to visit North Korea"
    assert by_id["001_d035c920233cd640"].title == "Russia-North Korea Talks Ahead of Putin Visit"
    for article in articles:
        for junk in BOILERPLATE:
            assert junk.lower() not in article.body.lower(), (article.article_id, junk)
    # the linked headline of another article after "Previous Article" is gone too
    assert "asset monetization" not in by_id["001_d035c920233cd640"].body
    assert "Film Critics" not in by_id["001_d035c920233cd640"].body


def test_title_falls_back_to_first_sentence_and_byline_is_metadata():
    articles, _ = load_articles(SEEDS)
    by_id = {a.article_id: a for a in articles}
    first = by_id["000_6e281491d46e8004"]
    assert first.title.startswith("Russia has indicated")
    assert first.dateline == "Seoul" and first.body.startswith("Russia has indicated")
    assert len(first.title) <= 121
    assert by_id["004_23f38ab0d320b1ba"].author == "Kamilu Balogun"
    assert "Kamilu Balogun" not in by_id["004_23f38ab0d320b1ba"].body


def test_duplicate_headline_line_is_kept_once():
    articles, _ = load_articles(SEEDS)
    article = {a.article_id: a for a in articles}["002_2fe4be489d5cafce"]
    assert article.title not in article.body


def test_metadata_lines_become_fields():
    article = parse_article("x1", "A Headline Here\nDate: 2024-06-01\nURL: https://example.org/a\nBody text. More.")
    assert (article.title, article.date, article.url, article.body) == (
        "A Headline Here", "2024-06-01", "https://example.org/a", "Body text. More.")


def test_prose_that_starts_like_a_field_is_kept():
    text = "Date: Saturday, May 4, 2024. Location: Harbor Hall, Portsmouth. Number of seats: 400."
    article = parse_article("x2", text)
    assert article.body == text and article.date == ""


def test_hash_changes_with_content_only():
    a = parse_article("x", "Title\nSome body text.")
    b = parse_article("x", "Title\nSome body text.")
    c = parse_article("x", "Title\nOther body text.")
    assert a.content_hash == b.content_hash != c.content_hash


def test_skips_are_reported_with_reasons(tmp_path: Path):
    (tmp_path / "good.md").write_text("# A Title\n\nThe body of the article.")
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00bad")
    (tmp_path / "image.png").write_bytes(b"png")
    (tmp_path / "junk.txt").write_text("Share This Article\nLeave a comment\n")
    (tmp_path / ".hidden.txt").write_text("secret")
    nested = tmp_path / "sub"
    nested.mkdir()
    (nested / "deep.txt").write_text("Deep Title\nDeep body.")
    articles, skipped = load_articles(tmp_path)
    assert [a.article_id for a in articles] == ["good", "deep"]
    assert articles[0].title == "A Title"
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert reasons == {"empty.txt": "empty file", "binary.txt": "binary file", "image.png": "unsupported type .png",
                       "junk.txt": "no article text after removing boilerplate"}


def test_latin1_html_and_oversized_files(tmp_path: Path):
    (tmp_path / "cafe.txt").write_bytes("Café owners protest\nThe café on the corner closed.".encode("cp1252"))
    (tmp_path / "page.html").write_text("<html><head><title>Harbour opens</title><style>p{}</style></head><body>"
                                        "<p>The new harbour opened on Monday &amp; drew crowds.</p>"
                                        "<script>alert(1)</script></body></html>")
    (tmp_path / "big.txt").write_text("Big title\n" + "word " * 400)
    articles, skipped = load_articles(tmp_path, max_bytes=1000)
    by_id = {a.article_id: a for a in articles}
    assert by_id["cafe"].body == "The café on the corner closed."
    assert by_id["page"].title == "Harbour opens"
    assert by_id["page"].body == "The new harbour opened on Monday & drew crowds."
    assert [(Path(s.path).name, s.reason.split(" (")[0]) for s in skipped] == [("big.txt", "too big")]


def test_missing_folder_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="No such file or folder"):
        load_articles(tmp_path / "nope")


@pytest.mark.parametrize("text, dateline, body", [
    ("Seoul : Russia has indicated a visit.", "Seoul", "Russia has indicated a visit."),
    ("MOSCOW (Reuters) - The Kremlin said so.", "MOSCOW", "The Kremlin said so."),
    ("KYIV, Ukraine (AP) — Russia fired missiles.", "KYIV", "Russia fired missiles."),
    ("NEW YORK, Nov 3 (Reuters) - Stocks fell.", "NEW YORK", "Stocks fell."),
    ("Washington — Biden said no.", "Washington", "Biden said no."),
    # topic labels, headlines and prose keep their words
    ("Garden Weekly: Ten roses to plant now.", "", "Garden Weekly: Ten roses to plant now."),
    ("Top Story - Local - Weather.", "", "Top Story - Local - Weather."),
    ("BREAKING NEWS: The council resigned.", "", "BREAKING NEWS: The council resigned."),
    ("Update: Nothing changed.", "", "Update: Nothing changed."),
    ("The U.S. - China talks are on.", "", "The U.S. - China talks are on."),
    ("Kim Jong Un said: No.", "", "Kim Jong Un said: No."),
])
def test_a_dateline_becomes_metadata(text, dateline, body):
    article = parse_article("x", text)
    assert (article.dateline, article.body) == (dateline, body)


def test_several_sources_are_one_list_and_an_id_met_again_is_named(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "004_23f38ab0d320b1ba.txt").write_text("Another text\n\nA different article under a seed's name.")
    one = SEEDS / "000_6e281491d46e8004.txt"
    articles, skipped = load_sources([one, SEEDS, str(one), other])   # a file named with its folder: one article
    assert [a.article_id for a in articles] == sorted(a.article_id for a in load_articles(SEEDS)[0])
    [clash] = skipped
    assert clash.path == str(other / "004_23f38ab0d320b1ba.txt")
    assert clash.reason.startswith("duplicate article id 004_23f38ab0d320b1ba (also ") and str(SEEDS) in clash.reason
    with pytest.raises(InputError, match="No such file or folder"):
        load_sources([SEEDS, tmp_path / "missing"])
