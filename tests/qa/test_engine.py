import pytest

from qa.engine import Assistant
from qa.errors import InputError
from qa.extractive import EvidenceFinder
from qa.llm import FakeLLM
from qa.models import Passage
from qa.prompts import REFUSAL, SYSTEM
from qa.terms import TermWeights
from tests.fakes import BagOfWordsEmbedder

PASSAGES = [
    Passage("t:0", "trade", "Arms trade", "Washington criticizes the arms trade between Russia and North Korea as a "
            "violation of U.N. Security Council resolutions.", 0.9),
    Passage("v:0", "visit", "Visit", "Putin's last visit to Pyongyang occurred in July 2000.", 0.6),
]


class ListRetriever:
    def __init__(self, passages):
        self.passages = passages
        self.calls = []

    def retrieve(self, question, top_k):
        self.calls.append((question, top_k))
        return self.passages[:top_k]


def assistant(llm=None, passages=PASSAGES) -> Assistant:
    finder = EvidenceFinder(BagOfWordsEmbedder(), TermWeights(p.text for p in passages))
    return Assistant(ListRetriever(passages), finder, llm, top_k=2, min_support=0.3)


def test_extractive_answer_cites_the_supporting_passage():
    answer = assistant().ask("Why does Washington criticize the arms trade between Russia and North Korea?")
    assert not answer.refused and answer.model == "extractive"
    assert "Security Council resolutions. [1]" in answer.text
    assert [c.source for c in answer.citations] == ["trade"]
    assert [p.chunk_id for p in answer.passages] == ["t:0", "v:0"]


def test_llm_gets_numbered_sources_and_its_markers_become_citations():
    llm = FakeLLM(["It violates U.N. Security Council resolutions [1], says Washington [5]."])
    answer = assistant(llm).ask("Why does Washington criticize the arms trade between Russia and North Korea?")
    system, user = llm.calls[0]
    assert system == SYSTEM
    assert "[1] Arms trade\nWashington criticizes" in user and "[2] Visit\nPutin's last visit" in user
    assert user.rstrip().endswith("Answer:") and "Question: Why does Washington" in user
    assert answer.model == "fake" and not answer.refused
    assert answer.text == "It violates U.N. Security Council resolutions [1], says Washington."
    assert [(c.number, c.source) for c in answer.citations] == [(1, "trade")]
    assert "violation of U.N. Security Council resolutions" in answer.citations[0].quote
    assert answer.warnings == ("dropped citation [5]: there is no source 5",)


def test_llm_refusal_is_a_refused_answer_without_citations():
    answer = assistant(FakeLLM([REFUSAL])).ask("Why does Washington criticize the arms trade?")
    assert answer.refused and answer.text == REFUSAL and answer.citations == ()


def test_llm_answer_without_markers_warns():
    answer = assistant(FakeLLM(["Because of sanctions."])).ask("Why does Washington criticize the arms trade?")
    assert not answer.refused and answer.citations == ()
    assert "cited no source" in answer.warnings[0]


def test_unsupported_question_is_refused_before_the_llm_runs():
    llm = FakeLLM([])
    answer = assistant(llm).ask("How many people live in Vladivostok?")
    assert answer.refused and answer.text == REFUSAL and answer.citations == ()
    assert llm.calls == []
    assert len(answer.passages) == 2  # what was retrieved is still shown


@pytest.mark.parametrize("question", ["", "   ", "x" * 3000])
def test_bad_questions_are_input_errors(question):
    with pytest.raises(InputError):
        assistant().ask(question)


def test_top_k_keeps_the_best_reranked_passages():
    a = assistant()
    answer = a.ask("When did Putin last visit Pyongyang?", top_k=1)
    # candidates are fetched deeper, re-scored by their best sentence, then cut to top_k
    assert a.retriever.calls == [("When did Putin last visit Pyongyang?", 10)]
    assert [p.source for p in answer.passages] == ["visit"]
    with pytest.raises(InputError):
        a.ask("When?", top_k=0)


def test_answer_to_dict_has_the_contract_fields():
    data = assistant().ask("When did Putin last visit Pyongyang?").to_dict()
    assert {"question", "text", "refused", "model", "citations", "passages"} <= set(data)
    assert set(data["citations"][0]) == {"number", "source", "title", "quote", "score"}
    assert set(data["passages"][0]) == {"chunk_id", "source", "title", "text", "score"}


def test_an_uncited_llm_sentence_is_credited_to_the_passage_that_states_it():
    llm = FakeLLM(["Putin last visited Pyongyang in July 2000. Washington criticizes the arms trade [1]. "
                   "Everyone likes ice cream."])
    answer = assistant(llm).ask("Why does Washington criticize the arms trade between Russia and North Korea?")
    assert answer.text == ("Putin last visited Pyongyang in July 2000 [1]. Washington criticizes the arms trade [2]. "
                           "Everyone likes ice cream.")
    assert [(c.number, c.source) for c in answer.citations] == [(1, "visit"), (2, "trade")]
    assert "uncited" in answer.warnings[0] and len(answer.warnings) == 1
