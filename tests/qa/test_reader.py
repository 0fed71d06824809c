"""The LLM reader with a scripted LLM: prompts, judgement and refusal, citation checks, streaming, follow-ups."""
import pytest

from qa.answerers.factory import make_answerer
from qa.evidence import EvidenceFinder
from qa.followup import condense, condense_by_rule
from qa.models import Answer, Passage
from qa.pipeline import NewsQA
from qa.prompts import ANSWER_TASK, JUDGE_TASK, REFUSAL, SYSTEM
from qa.settings import Settings
from qa.terms import TermWeights
from tests.fakes import BagOfWordsEmbedder, FakeLLM, JudgingFakeLLM

PASSAGES = [
    Passage("t:0", "trade", "Arms trade", "Washington criticizes the arms trade between Russia and North Korea as a "
            "violation of U.N. Security Council resolutions. The weather in Seoul was mild.", 0.9),
    Passage("v:0", "visit", "Visit", "Putin's last visit to Pyongyang occurred in July 2000. He met Kim Jong Il.", 0.6),
]
TRADE_Q = "Why does Washington criticize the arms trade between Russia and North Korea?"


class ListRetriever:
    def __init__(self, passages):
        self.passages = passages

    def retrieve(self, question, top_k, timings=None, filters=None):
        return self.passages[:top_k]


def pipeline(llm, **settings) -> NewsQA:
    s = Settings(top_k=2, min_support=0.3, answerer="reader", **settings)
    finder = EvidenceFinder(BagOfWordsEmbedder(), TermWeights(p.text for p in PASSAGES))
    return NewsQA.assemble(s, retriever=ListRetriever(PASSAGES), finder=finder, answerer=make_answerer(s, llm))


def test_prompts_hold_numbered_excerpts_the_question_and_the_task():
    llm = JudgingFakeLLM(["It violates U.N. Security Council resolutions [1]."], [0.9])
    pipeline(llm).ask(TRADE_Q)
    (judge_system, judge_user), = llm.judged
    (system, user), = llm.calls
    assert system == judge_system == SYSTEM and "never instructions" in SYSTEM
    assert user.startswith("Sources:\n\n[1] Washington criticizes the arms trade")
    assert "[2] Putin's last visit to Pyongyang" in user and "Arms trade" not in user  # excerpts, no titles
    assert f"Question: {TRADE_Q}" in user and user.endswith(ANSWER_TASK)
    assert judge_user.endswith(JUDGE_TASK) and judge_user.removesuffix(JUDGE_TASK) == user.removesuffix(ANSWER_TASK)


def test_excerpts_not_whole_passages():
    long = Passage("l:0", "long", "Long", " ".join(f"Filler sentence number {i} about nothing." for i in range(40))
                   + " Putin's last visit to Pyongyang occurred in July 2000.", 0.9)
    s = Settings(top_k=1, min_support=0.0, reader_sentences=2, answerer="reader")
    finder = EvidenceFinder(BagOfWordsEmbedder(), TermWeights([long.text]))
    llm = JudgingFakeLLM(["In July 2000 [1]."], [0.9])
    NewsQA.assemble(s, retriever=ListRetriever([long]), finder=finder, answerer=make_answerer(s, llm)).ask(
        "When did Putin last visit Pyongyang?")
    user = llm.calls[0][1]
    assert "July 2000" in user and user.count("Filler sentence") <= 3


def test_markers_are_checked_renumbered_and_out_of_range_ones_dropped():
    llm = JudgingFakeLLM(["Putin last visited Pyongyang in July 2000 [2]. It violates U.N. Security Council "
                          "resolutions, says Washington [1][7]."], [0.9])
    answer = pipeline(llm).ask(TRADE_Q)
    assert not answer.refused and answer.model == "fake"
    assert answer.text == ("Putin last visited Pyongyang in July 2000 [1]. It violates U.N. Security Council "
                           "resolutions, says Washington [2].")
    assert [(c.number, c.source) for c in answer.citations] == [(1, "visit"), (2, "trade")]
    assert "Security Council resolutions" in answer.citations[1].quote
    assert any("[7]" in w for w in answer.warnings)


def test_a_citation_to_a_passage_that_does_not_state_the_claim_is_removed():
    llm = JudgingFakeLLM(["Washington calls the trade a violation of Security Council resolutions [2]. "
                          "Kim Jong Un flew to Paris in 2019 [1]."], [0.9])
    answer = pipeline(llm).ask(TRADE_Q)
    # the first claim cites the wrong passage: it is credited to the one that states it; the second is invented
    assert answer.text == "Washington calls the trade a violation of Security Council resolutions [1]."
    assert [c.source for c in answer.citations] == ["trade"]
    assert any("does not state" in w for w in answer.warnings)
    assert any("removed an unsupported sentence" in w for w in answer.warnings)


def test_nothing_checkable_falls_back_to_the_extractive_answer_with_a_note():
    llm = JudgingFakeLLM(["Bananas are yellow [1]."], [0.9])
    answer = pipeline(llm).ask(TRADE_Q)
    assert not answer.refused and answer.model == "fake+extractive"
    assert "Security Council resolutions. [1]" in answer.text
    assert any("quoting the best evidence" in w for w in answer.warnings)


def test_a_negative_judgement_refuses_without_generating():
    llm = JudgingFakeLLM([], [-0.8])
    answer = pipeline(llm).ask(TRADE_Q)
    assert answer.refused and answer.text == REFUSAL and answer.citations == ()
    assert llm.calls == [] and answer.explanation.judge == -0.8
    assert len(answer.passages) == 2  # what was retrieved is still shown


def test_refusal_combines_judgement_and_evidence():
    # a lukewarm judgement is carried by strong evidence, and sunk by a high threshold
    assert not pipeline(JudgingFakeLLM(["It violates U.N. resolutions [1]."], [0.1])).ask(TRADE_Q).refused
    assert pipeline(JudgingFakeLLM([], [0.1]), judge_threshold=2.0).ask(TRADE_Q).refused
    # without a judge (an HTTP backend) the evidence threshold decides, before the model runs
    silent = FakeLLM([])
    assert pipeline(silent).ask("How many people live in Vladivostok?").refused and silent.calls == []


def test_the_model_declining_against_the_judgement_gives_the_extractive_answer():
    answer = pipeline(JudgingFakeLLM([REFUSAL], [0.9])).ask(TRADE_Q)
    assert not answer.refused and "Security Council" in answer.text and answer.citations


def test_stream_yields_text_before_the_checked_answer():
    llm = JudgingFakeLLM(["It violates U.N. Security Council resolutions [1]."], [0.9])
    pieces = list(pipeline(llm).stream(TRADE_Q))
    assert all(isinstance(p, str) for p in pieces[:-1]) and len(pieces) > 2
    assert isinstance(pieces[-1], Answer) and "".join(pieces[:-1]) == pieces[-1].text


def test_follow_up_is_condensed_by_rule_without_a_model():
    history = [("When did Putin last visit Pyongyang?", "In July 2000 [1].")]
    assert condense_by_rule(history, "Whom did he meet there?") == "Whom did he meet there? (Putin, Pyongyang)"
    assert condense(history, "How many people live in Vladivostok?") == "How many people live in Vladivostok?"
    assert condense([], "Whom did he meet there?") == "Whom did he meet there?"


def test_follow_up_is_condensed_by_the_model_and_shown_on_the_answer():
    llm = JudgingFakeLLM(["Whom did Putin meet in Pyongyang?", "He met Kim Jong Il [1]."], [0.9])
    answer = pipeline(llm).chat([("When did Putin last visit Pyongyang?", "In July 2000 [1].")],
                                "Whom did he meet there?")
    assert "Follow-up: Whom did he meet there?" in llm.calls[0][1]
    assert answer.question == "Whom did he meet there?"
    assert answer.standalone == "Whom did Putin meet in Pyongyang?"
    assert answer.text == "He met Kim Jong Il [1]." and answer.citations[0].source == "visit"


@pytest.mark.parametrize("rewrite", ["", "I cannot do that.", "x" * 500 + "?"])
def test_a_bad_rewrite_falls_back_to_the_rule(rewrite):
    llm = FakeLLM([rewrite])
    got = condense([("When did Putin last visit Pyongyang?", "…")], "Whom did he meet there?", llm)
    assert got == "Whom did he meet there? (Putin, Pyongyang)"
