import pytest

from qa.support import TermWeights, analyse, answer_type, has_answer_type


@pytest.mark.parametrize("question,kind", [
    ("How many people live in Vladivostok?", "number"),
    ("What is the price of an Aurus limousine?", "number"),
    ("When did Putin last visit Pyongyang?", "date"),
    ("In what year did they meet?", "date"),
    ("Who proposed joint exercises?", "person"),
    ("Where did Kim meet Putin?", "place"),
    ("Which other country might Putin visit?", "place"),
    ("Why do Washington and its allies criticise the arms trade?", ""),
])
def test_answer_type(question, kind):
    assert answer_type(question) == kind


def test_how_many_counts_the_head_noun():
    weights = TermWeights(["troops were deployed", "containers of munitions"])
    assert analyse("How many North Korean troops were deployed?", weights).counted == "troop"
    assert analyse("How many containers of munitions were shipped?", weights).counted == "contain"
    assert analyse("How many people live in Vladivostok?", weights).counted == "peopl"


def test_number_answer_must_count_the_asked_thing():
    weights = TermWeights(["x"])
    need = analyse("How many people live in Vladivostok?", weights)
    wrong = "Putin's two day trip to Vladivostok."
    right = "About 600,000 people live in Vladivostok."
    assert not has_answer_type(need, wrong, set(weights.terms(wrong)))
    assert has_answer_type(need, right, set(weights.terms(right)))


def test_dates_people_places():
    weights = TermWeights(["x"])
    when = analyse("When did Putin last visit Pyongyang?", weights)
    assert has_answer_type(when, "It happened in July 2000.", set())
    assert not has_answer_type(when, "Putin visited Pyongyang.", set())
    who = analyse("Who proposed joint military exercises?", weights)
    assert has_answer_type(who, "During this visit, Shoigu proposed the idea.", set())
    assert not has_answer_type(who, "the idea was proposed by nobody in particular.", set())


def test_rare_terms_weigh_more_and_coverage_is_idf_weighted():
    weights = TermWeights(["putin visit", "putin visit", "putin vladivostok"])
    assert weights.idf("vladivostok") > weights.idf("putin")
    q = weights.terms("Putin Vladivostok")
    assert weights.coverage(q, {"vladivostok"}) > weights.coverage(q, {"putin"})
    assert weights.coverage(q, set(q)) == pytest.approx(1.0)
    assert weights.coverage([], {"x"}) == 0.0
