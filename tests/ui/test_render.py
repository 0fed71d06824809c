"""Rendering: Answer -> text and HTML, the cited sentence highlighted, article text always escaped."""
from qa.models import Answer, Citation, Explanation, Passage, ScoredSentence, SignalValue
from ui.library import safe_name
from ui.render import (
    answer_to_html,
    answer_to_text,
    article_to_html,
    example_questions,
    explanation_to_text,
    highlight,
)

PASSAGE = Passage("004_x:0", "004_x", "Putin expresses readiness",
                  "Before it. It breaks <b>rules</b> [see](http://x.invalid). After it.", 0.9)
ANSWER = Answer("Why?", "It breaks <b>rules</b> [1]. Also this [2].", False, "extractive",
                (Citation(1, "004_x", "Putin expresses readiness", "It breaks <b>rules</b> [see](http://x.invalid).",
                          0.8),
                 Citation(2, "003_y", "Kim <lauds> ties", "Also this.", 0.6)),
                (PASSAGE,),
                explanation=Explanation("Why?", 0.34, 0.61, (ScoredSentence(
                    0, "It breaks rules.", 0.61, (SignalValue("similarity", 0.8, 0.4), SignalValue("coverage", 1.0,
                                                                                                  0.21))),)))


def test_text_lists_numbered_sources_with_quotes():
    text = answer_to_text(ANSWER)
    assert text.splitlines()[0] == ANSWER.text
    assert "[1] Putin expresses readiness (004_x)" in text and "[2] Kim <lauds> ties (003_y)" in text


def test_html_highlights_the_cited_sentence_inside_its_passage_and_escapes_everything():
    page = answer_to_html(ANSWER)
    assert "<sup>[1]</sup>" in page and "&lt;b&gt;rules&lt;/b&gt;" in page and "<b>rules</b>" not in page
    assert "Before it. <mark>It breaks &lt;b&gt;rules&lt;/b&gt; [see](http://x.invalid).</mark> After it." in page
    assert "Kim &lt;lauds&gt; ties" in page and "<a " not in page  # a markdown link stays text
    assert '<details class="qa-why">' in page and "refusal threshold" in page and "similarity" in page


def test_an_article_cited_from_two_of_its_passages_shows_both_highlighted():
    later = Passage("004_x:3", "004_x", "Putin expresses readiness", "Much later. The visit is set.", 0.5)
    both = Answer("Q", "It breaks <b>rules</b> [1]. The visit is set. [1]", False, "extractive",
                  (Citation(1, "004_x", "Putin expresses readiness", "It breaks <b>rules</b> [see](http://x.invalid). "
                            "… The visit is set.", 0.8),), (PASSAGE, later))
    page = answer_to_html(both)
    assert page.count('class="qa-source"') == 1
    assert "<mark>It breaks &lt;b&gt;rules&lt;/b&gt; [see](http://x.invalid).</mark> After it. … Much later. " \
           "<mark>The visit is set.</mark>" in page


def test_refusal_is_an_answer_with_its_why():
    refused = Answer("Q", "The articles don't say.", True, "extractive",
                     explanation=Explanation("Q", 0.34, 0.2))
    page = answer_to_html(refused)
    assert '<p class="qa-refusal"><em>The articles don&#x27;t say.</em></p>' in page
    assert "qa-sources" not in page and "is below the refusal threshold" in page


def test_a_follow_up_shows_the_question_searched():
    follow = Answer("Whom did he meet?", "Kim [1].", False, "x", standalone="Whom did Putin meet in Pyongyang?")
    assert "Searched: <em>Whom did Putin meet in Pyongyang?</em>" in answer_to_html(follow)


def test_article_view_marks_the_passage_and_escapes_scripts():
    page = article_to_html("a1", "Title <i>", "First line.\n<script>alert(1)</script> The cited one. Tail.",
                           ["The cited one."])
    assert "<script>" not in page and "&lt;script&gt;" in page and "<mark>The cited one.</mark>" in page
    assert highlight("a b c", ["x"]) == "a b c"


def test_explain_text_lists_signals():
    text = explanation_to_text(ANSWER)
    assert "threshold 0.340" in text and "similarity" in text and "+0.4000" in text


def test_examples_come_from_the_articles():
    rows = [{"id": "a", "title": "Harbour reopens after storm.", "added": "2026-01-02"},
            {"id": "b", "title": "", "added": "2026-01-03"}]
    assert example_questions(rows) == ["What do the articles say about “Harbour reopens after storm”?"]
    assert example_questions([]) == []


def test_uploaded_names_cannot_escape():
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\evil notes.md") == "evil_notes.md"
    assert safe_name(".hidden.txt") == "hidden.txt" and safe_name("/abs/x y.HTML") == "x_y.html"


def test_sources_say_who_published_them_and_when():
    from dataclasses import replace

    dated = replace(ANSWER.citations[0], outlet="Asia <Brief>", published="2024-06-13T09:00:00+09:00")
    answer = replace(ANSWER, citations=(dated, ANSWER.citations[1]))
    text = answer_to_text(answer)
    assert "[1] Putin expresses readiness (004_x) — Asia <Brief>, 2024-06-13" in text
    assert "[2] Kim <lauds> ties (003_y)\n" in text   # nothing known, nothing shown
    assert '<span class="qa-provenance">Asia &lt;Brief&gt;, 2024-06-13</span>' in answer_to_html(answer)


def test_a_multi_part_answer_shows_each_part_as_a_heading():
    from qa.models import Answer as A

    answer = A("Q", "When? On May 7. [1]\n\nWho is <her> sister? The articles don't say who is <her> sister.", False,
               "x", parts=("When?", "Who is <her> sister?"))
    html = answer_to_html(answer)
    assert html.count('class="qa-part"') == 2 and "&lt;her&gt;" in html and "<her>" not in html


def test_the_chats_date_fields_take_time_words_read_as_of_its_as_of_field():
    """The chat hands its since/until/as_of fields to the same filter as the CLI and the API."""
    from datetime import UTC, datetime

    from ui.chat import respond

    seen = []

    class Pipeline:
        def chat_stream(self, history, question, top_k, answerer, filters, as_of):
            seen.append((filters, as_of))
            yield ANSWER

    *_, (messages, _, answers, _) = respond(Pipeline(), [], "Why?", [], "extractive", 5, False,
                                            since="last week", until="yesterday", as_of="2024-06-20")
    filters, as_of = seen[0]
    assert as_of == "2024-06-20" and answers == [ANSWER]
    assert datetime.fromtimestamp(filters.since, UTC).isoformat() == "2024-06-07T00:00:00+00:00"
    assert datetime.fromtimestamp(filters.until, UTC).isoformat() == "2024-06-19T23:59:59+00:00"
    *_, (messages, _, _, _) = respond(Pipeline(), [], "Why?", [], "extractive", 5, False, since="last spring")
    assert "since &#x27;last spring&#x27; is not a date" in messages[-1]["content"] and len(seen) == 1


def test_the_library_tabs_web_address_reports_in_one_line():
    from index.ingest import IngestReport
    from qa.errors import InputError
    from ui.library import add_url

    class Pipeline:
        def ingest(self, url):
            if "down" in url:
                raise InputError(f"{url}: cannot fetch it (ConnectError: refused)")
            report = IngestReport("articles", articles=6, added=5, unchanged=1)
            report.warnings = [f"{url}:{i}: kept the feed's summary: HTTP 404" for i in range(1, 6)]
            return report

    said = add_url(Pipeline(), " https://news.example/feed.rss ")
    assert said.startswith("Added 6 article(s) from https://news.example/feed.rss. Warnings: ")
    assert said.count("kept the feed's summary") == 3 and said.endswith("; and 2 more") and "\n" not in said
    assert add_url(Pipeline(), "https://down.example/") == "⚠ https://down.example/: cannot fetch it (ConnectError: " \
                                                          "refused)"
    assert add_url(Pipeline(), "news.example/feed").startswith("⚠ news.example/feed: a web address starts with")
    assert add_url(Pipeline(), "  ") == "Type the web address of a news page or feed first."


def test_search_results_give_each_passage_its_best_sentence_in_the_order_found():
    from dataclasses import replace

    from qa.answerers.base import Findings
    from qa.evidence import Evidence
    from qa.finding import matches
    from ui.render import matches_to_text

    other = replace(PASSAGE, chunk_id="003_y:0", source="003_y", title="Kim <lauds> ties", text="One. Two.",
                    outlet="Asia Brief", published="2024-06-13", url="https://x.invalid/ties")
    evidence = (Evidence(1, 1, "Two.", 0.7, 0.5, 0.5, False), Evidence(0, 1, "It breaks rules.", 0.6, 0.5, 0.5, False),
                Evidence(1, 0, "One.", 0.5, 0.5, 0.5, False))
    found = matches(Findings(None, (PASSAGE, other, replace(other, chunk_id="003_y:1")), evidence))
    assert [(m.rank, m.sentence, m.score) for m in found] == [(1, "It breaks rules.", 0.6), (2, "Two.", 0.7),
                                                                 (3, "", 0.0)]
    text = matches_to_text(found)
    assert text.splitlines() == ["[1] Putin expresses readiness (004_x)", "    “It breaks rules.”",
                                 "[2] Kim <lauds> ties (003_y) — Asia Brief, 2024-06-13", "    “Two.”",
                                 "    https://x.invalid/ties", "[3] (the same article)", "    “One. Two.”"]
    assert matches_to_text(()) == "Nothing found."
    assert found[1].to_dict()["passage"]["source"] == "003_y"
