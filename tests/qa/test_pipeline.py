import pytest

from qa.answerers.factory import make_answerer
from qa.errors import InputError
from qa.evidence import EvidenceFinder
from qa.models import Passage
from qa.pipeline import NewsQA
from qa.settings import Settings
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

    def retrieve(self, question, top_k, timings=None, filters=None):
        self.calls.append((question, top_k))
        return self.passages[:top_k]


def assistant(llm=None, passages=PASSAGES) -> NewsQA:
    settings = Settings(top_k=2, min_support=0.3)
    finder = EvidenceFinder(BagOfWordsEmbedder(), TermWeights(p.text for p in passages))
    return NewsQA.assemble(settings, retriever=ListRetriever(passages), finder=finder,
                           answerer=make_answerer(settings, llm))


def test_extractive_answer_cites_the_supporting_passage():
    answer = assistant().ask("Why does Washington criticize the arms trade between Russia and North Korea?")
    assert not answer.refused and answer.model == "extractive"
    assert "Security Council resolutions. [1]" in answer.text
    assert [c.source for c in answer.citations] == ["trade"]
    assert [p.chunk_id for p in answer.passages] == ["t:0", "v:0"]


@pytest.mark.parametrize("question", ["", "   ", "x" * 3000])
def test_bad_questions_are_input_errors(question):
    with pytest.raises(InputError):
        assistant().ask(question)


def test_top_k_keeps_the_best_reranked_passages():
    a = assistant()
    answer = a.ask("When did Putin last visit Pyongyang?", top_k=1)
    # candidates are fetched deeper, re-scored by their best sentence, then cut to top_k
    assert a._retriever.calls == [("When did Putin last visit Pyongyang?", 10)]
    assert [p.source for p in answer.passages] == ["visit"]
    with pytest.raises(InputError):
        a.ask("When?", top_k=0)


def test_answer_to_dict_has_the_contract_fields():
    data = assistant().ask("When did Putin last visit Pyongyang?").to_dict()
    assert {"question", "text", "refused", "model", "citations", "passages"} <= set(data)
    provenance = {"published", "outlet", "author", "url"}
    copies = {"also_in"}   # the outlets whose wire copies were folded into it
    assert set(data["citations"][0]) == {"number", "source", "title", "quote", "score"} | provenance | copies
    assert set(data["passages"][0]) == {"chunk_id", "source", "title", "text", "score", "story"} | provenance | copies
