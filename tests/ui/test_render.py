from qa.models import Answer, Citation, Passage
from ui.render import answer_to_markdown, answer_to_text

ANSWER = Answer("Why?", "It breaks <b>rules</b> [1]. Also this [2].", False, "extractive",
                (Citation(1, "004_x", "Putin expresses readiness", "It breaks rules.", 0.8),
                 Citation(2, "003_y", "Kim lauds ties", "Also this.", 0.6)),
                (Passage("004_x:0", "004_x", "Putin expresses readiness", "It breaks rules.", 0.9),))


def test_text_lists_numbered_sources_with_quotes():
    text = answer_to_text(ANSWER)
    assert text.splitlines()[0] == ANSWER.text
    assert "[1] Putin expresses readiness (004_x)" in text and "    “It breaks rules.”" in text
    assert "[2] Kim lauds ties (003_y)" in text


def test_markdown_links_markers_to_sources_and_escapes_html():
    md = answer_to_markdown(ANSWER)
    assert "<sup>[1](#source-1)</sup>" in md and '<a id="source-2"></a>' in md
    assert "&lt;b&gt;rules&lt;/b&gt;" in md and "<b>rules</b>" not in md
    assert "`004_x`" in md and "> It breaks rules." in md


def test_refusal_has_no_sources():
    refused = Answer("Q", "The articles don't say.", True, "extractive")
    assert answer_to_markdown(refused) == "*The articles don't say.*"
    assert answer_to_text(refused) == "The articles don't say."
