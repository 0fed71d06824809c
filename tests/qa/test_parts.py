"""Multi-part questions: split where a new question starts, each part answered and cited on its own, a part the
articles don't answer named as such."""
import pytest

from qa.models import Answer, Citation
from qa.parts import joined, multi_part, parts_of


@pytest.mark.parametrize(("question", "parts"), [
    ("Which film won the top prize at the SAG awards, and who won best supporting actress?",
     ["Which film won the top prize at the SAG awards?", "Who won best supporting actress?"]),
    ("Who invited Putin and when will he visit Pyongyang?", ["Who invited Putin?", "When will he visit Pyongyang?"]),
    ("How many troops were sent? Who confirmed it?", ["How many troops were sent?", "Who confirmed it?"]),
    ("What did Kim and Putin agree?", ["What did Kim and Putin agree?"]),     # a pair of names is one question
    ("When and where did they meet?", ["When and where did they meet?"]),      # one event, one answer
    # a phrase that frames the question after it asks nothing of its own
    ("Before the war, how many patients a day received chemotherapy?",
     ["Before the war, how many patients a day received chemotherapy?"]),
    ("According to the CBS poll, what support does Biden have?",
     ["According to the CBS poll, what support does Biden have?"]),
    ("In Malone's research, what share was explained, and who funded it?",
     ["In Malone's research, what share was explained?", "Who funded it?"]),
    ("Tell me who invited Putin and when will he visit Pyongyang?",
     ["Tell me who invited Putin?", "When will he visit Pyongyang?"]),
])
def test_a_question_splits_only_where_a_new_question_starts(question, parts):
    assert parts_of(question) == parts


def test_a_summary_is_not_split_and_later_parts_carry_the_first_as_context():
    assert multi_part("Summarize what the articles say about Putin, and what does Kim want?") == []
    assert multi_part("Who invited Putin and when will he visit?") == [
        ("Who invited Putin?", ""), ("When will he visit?", "Who invited Putin?")]
    assert multi_part("When was the vote, and who is Kim Jong Un's sister?")[1] == ("Who is Kim Jong Un's sister?", "")


def _answer(text, refused=False, citations=()):
    return Answer("q", text, refused, "m", citations)


def test_parts_join_with_citations_renumbered_and_a_missing_part_named():
    a = _answer("Kim invited him. [1]", citations=(Citation(1, "s1", "T", "Kim invited him.", 0.9),))
    b = _answer("In June. [1] Also in July. [2]", citations=(Citation(1, "s2", "T", "In June.", 0.8),
                                                             Citation(2, "s1", "T", "Kim invited him.", 0.7)))
    c = _answer("The articles don't say.", refused=True)
    answer = joined("Q", [("Who invited Putin?", a), ("When will he visit?", b), ("Who is his sister?", c)])
    assert answer.text == ("Who invited Putin? Kim invited him. [1]\n\nWhen will he visit? In June. [2] Also in "
                           "July. [1]\n\nWho is his sister? The articles don't say who is his sister.")
    assert [(c.number, c.source) for c in answer.citations] == [(1, "s1"), (2, "s2")] and not answer.refused
    assert joined("Q", [("Who?", c), ("When?", c)]).refused


def test_every_answer_says_how_it_was_answered(seeded_pipeline):
    asked = {"When did Putin last visit Pyongyang?": "fact",
             "Did Putin accept Kim's invitation?": "yes/no",
             "Summarize what the articles say about Putin and Kim Jong Un.": "synthesis",
             "When was Putin's inauguration, and who is Kim Jong Un's sister?": "multi-part"}
    for question, kind in asked.items():
        assert seeded_pipeline.ask(question).kind == kind, question
        assert list(seeded_pipeline.stream(question))[-1].kind == kind, question
