
from evals.metrics import (
    citation_precision,
    contains_answer,
    hit_at,
    mean,
    normalise,
    percentiles,
    rank_of_gold,
    reciprocal_rank,
    refusal_scores,
)


def test_contains_answer_normalises_case_quotes_and_thousands():
    assert contains_answer("About 7000 containers were shipped", ["7,000"])
    assert contains_answer("Kim’s visit", ["kim's visit"])
    assert not contains_answer("nothing here", ["7,000", ""])
    assert normalise("A  B\nC") == "a b c"


def test_ranks_hits_and_mrr():
    assert rank_of_gold(["x", "g", "g"], ["g"]) == 2
    assert rank_of_gold(["x"], ["g"]) is None
    assert (hit_at(2, 1), hit_at(2, 5), hit_at(None, 5)) == (0.0, 1.0, 0.0)
    assert (reciprocal_rank(2), reciprocal_rank(None)) == (0.5, 0.0)


def test_citation_precision():
    assert citation_precision(["a", "b"], ["a"]) == 0.5
    assert citation_precision([], ["a"]) is None


def test_refusal_scores():
    scores = refusal_scores(refused=[True, True, False, False], answerable=[False, True, True, False])
    assert (scores.precision, scores.recall, scores.false_refusal_rate) == (0.5, 0.5, 0.5)
    assert refusal_scores([False], [True]).precision is None


def test_percentiles_and_mean():
    p = percentiles([10, 20, 30, 40, 1000])
    assert p["p50"] == 30 and p["p95"] > 500
    assert percentiles([])["p50"] == 0.0
    assert mean([1.0, None, 0.0]) == 0.5 and mean([None]) is None


def test_scores_by_answer_type():
    from evals.scoring import Result, by_answer_type

    def result(question: str, answerable: bool, refused: bool, correct: bool) -> Result:
        return Result("q", question, answerable, "", refused, (), (), 1.0, correct, None)

    types = by_answer_type([result("Who met Kim?", True, False, True), result("Who met Putin?", True, True, False),
                            result("When did he go?", True, False, False), result("Who won in 2031?", False, True,
                                                                                  False),
                            result("What did he say?", True, False, True)])
    assert types["person"] == {"questions": 3, "answerable": 2, "answer_accuracy": 0.5, "refusal_recall": 1.0,
                               "false_refusal_rate": 0.5}
    assert types["date"]["answer_accuracy"] == 0.0 and types["other"]["answer_accuracy"] == 1.0
    assert types["date"]["refusal_recall"] is None


def test_a_yes_no_answer_counts_by_its_leading_word():
    from evals.metrics import leads_with

    assert leads_with("Yes. The company aims to be carbon negative by 2030. [1]", "Yes")
    assert leads_with("As of 12 June 2022 (CNN): No. It runs two crossings. [1]", "no")
    assert not leads_with("North Korea said yes to the talks. [1]", "No")   # "No" inside a word or later: not it
    assert not leads_with("The articles don't say.", "Yes")


def test_scores_by_kind_of_answer():
    from dataclasses import replace

    from evals.scoring import Result, by_kind

    def result(kind: str, answerable: bool, refused: bool, correct: bool, points=(0, 0)) -> Result:
        base = Result("q", "?", answerable, "", refused, (), (), 1.0, correct, None, key_points=points[0],
                      key_points_made=points[1])
        return replace(base, kind=kind)

    kinds = by_kind([result("fact", True, False, True), result("fact", False, True, False),
                     result("synthesis", True, False, True, (4, 3)), result("synthesis", True, False, False, (4, 1)),
                     result("multi-part", True, False, False), result("", True, False, True)])
    assert set(kinds) == {"fact", "synthesis", "multi-part"}   # a peer's answers (no kind) are not counted
    assert kinds["fact"]["questions"] == 2 and kinds["fact"]["refusal_recall"] == 1.0
    assert kinds["synthesis"]["key_point_recall"] == 0.5 and kinds["synthesis"]["answer_accuracy"] == 0.5
    assert "key_point_recall" not in kinds["fact"]


def test_answer_in_the_top_five_passages_is_told_apart_from_a_labelled_source_hit():
    from evals.datasets import Question
    from evals.scoring import aggregate, judge

    q = Question("q1", "Which state held the primary?", ("New Hampshire",), ("labelled",), True)
    texts = ["Iowa votes", "Polls close", "New Hampshire primary: Trump wins", "x", "y", "New Hampshire again"]
    found = judge(q, "Iowa.", False, ["a", "b", "c", "d", "e"], ["a"], 10.0, texts=texts)
    assert found.gold_rank is None and found.answer_at_5 is True   # the answer was retrieved, unlabelled
    late = judge(q, "Iowa.", False, ["a"] * 6, ["a"], 10.0, texts=texts[:2] + ["x", "y", "z"] + texts[5:])
    assert late.answer_at_5 is False   # only the sixth passage holds it
    yes_no = Question("q2", "Did Trump win?", ("Yes",), ("labelled",), True, yes_no=True)
    unanswerable = Question("q3", "Who lost?", (), (), False)
    assert judge(yes_no, "Yes.", False, ["a"], ["a"], 1.0, texts=texts).answer_at_5 is None
    assert judge(unanswerable, "", True, ["a"], [], 1.0, texts=texts).answer_at_5 is None
    assert judge(q, "Iowa.", False, ["a"], ["a"], 1.0).answer_at_5 is None   # no texts given: not measured
    assert aggregate([found, late])["answer_at_5"] == 0.5 and aggregate([found, late])["hit_at_5"] == 0.0


def test_a_dated_question_is_grouped_by_the_age_of_its_labelled_sources():
    from dataclasses import replace

    from evals.datasets import Question
    from evals.scoring import Result, aggregate, gold_age

    published = {"week": "2024-01-03T10:00:00", "month": "2023-12-06", "old": "2017-02-03", "undated": ""}
    quiz = Question("q1", "Where did two planes collide this week?", ("Japan",), ("old", "week"), True,
                    as_of="2024-01-05")
    assert gold_age(quiz, published) == "recent"
    assert gold_age(replace(quiz, sources=("month",)), published) == "recent"   # within the month before
    assert gold_age(replace(quiz, sources=("old", "undated")), published) == "older"
    assert gold_age(replace(quiz, sources=("undated", "unknown")), published) == ""
    assert gold_age(replace(quiz, as_of=""), published) == ""   # asked today: no age to tell
    assert gold_age(replace(quiz, as_of="2024-01-02"), published) == "older"   # the week's article came later
    assert gold_age(replace(quiz, as_of="2024-01-02", sources=("week",)), published) == "later"

    def result(age: str, correct: bool) -> Result:
        return replace(Result("q", "?", True, "", False, (), (), 1.0, correct, None), gold_age=age)

    groups = aggregate([result("recent", True), result("recent", False), result("older", False),
                        result("", True)])["by_gold_age"]
    assert set(groups) == {"recent", "older"}
    assert groups["recent"]["answer_accuracy"] == 0.5 and groups["older"]["questions"] == 1
