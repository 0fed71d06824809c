"""The judged answerer and syntheses with a scripted LLM: the judgement gates the quote, the writer reads a few
sentences of each article, the digest quotes one line per article; and which answerer the settings mean."""
import pytest

from qa.answerers.factory import answerer_name, make_answerer, with_answerer
from qa.errors import ConfigError
from qa.evidence import EvidenceFinder
from qa.models import Answer, Passage
from qa.pipeline import NewsQA
from qa.prompts import JUDGE_TASK, REFUSAL, RELEVANT_SYSTEM, SYNTHESIS_TASK
from qa.query import answer_type
from qa.settings import Settings
from qa.terms import TermWeights
from tests.fakes import BagOfWordsEmbedder, FakeLLM, JudgingFakeLLM

PASSAGES = [
    Passage("trade:0", "trade", "Arms trade", "Washington criticizes the arms trade between Russia and North Korea as "
            "a violation of U.N. Security Council resolutions. The weather in Seoul was mild.", 0.9),
    Passage("visit:0", "visit", "Visit", "Putin's last visit to Pyongyang occurred in July 2000. He met Kim Jong Il.",
            0.6),
    Passage("troops:0", "troops", "Troops", "North Korean troops were deployed to Russia. Putin neither confirmed nor "
            "denied it at the summit in Kazan.", 0.5),
]
TRADE_Q = "Why does Washington criticize the arms trade between Russia and North Korea?"


class ListRetriever:
    def retrieve(self, question, top_k, timings=None, filters=None):
        return PASSAGES[:top_k]


def pipeline(llm, **settings) -> NewsQA:
    """The judged answerer of the excerpts design (one yes/no; tests/qa/test_choice.py has the sentence choice)."""
    s = Settings(**{"top_k": 3, "min_support": 0.3, "answerer": "judged", "choice": "excerpts", **settings})
    finder = EvidenceFinder(BagOfWordsEmbedder(), TermWeights(p.text for p in PASSAGES))
    return NewsQA.assemble(s, retriever=ListRetriever(), finder=finder, answerer=make_answerer(s, llm))


def test_a_yes_gives_the_extractive_quote_and_costs_no_generation():
    llm = JudgingFakeLLM([], [0.9])
    answer = pipeline(llm).ask(TRADE_Q)
    extractive = pipeline(None, answerer="extractive").ask(TRADE_Q)
    assert not answer.refused and answer.model == "judged:fake" and llm.calls == []
    assert answer.text == extractive.text and answer.citations == extractive.citations
    assert answer.explanation.judge == 0.9
    (_, user), = llm.judged
    assert user.endswith(JUDGE_TASK) and "Security Council" in user


def test_a_no_refuses_even_with_good_evidence():
    answer = pipeline(JudgingFakeLLM([], [-0.9])).ask(TRADE_Q)
    assert answer.refused and answer.text == REFUSAL and answer.citations == ()
    assert answer.explanation.judge == -0.9


def test_a_yes_answers_below_the_evidence_threshold_when_the_fusion_says_so():
    # evidence a little under min_support, a confident judgement: judge + 0.5 x margin stays above the threshold
    answer = pipeline(JudgingFakeLLM([], [0.8]), min_support=0.9).ask(TRADE_Q)
    assert not answer.refused and "Security Council" in answer.text


def test_a_backend_without_probabilities_decides_on_the_evidence_alone():
    judged = pipeline(FakeLLM([])).ask(TRADE_Q)
    extractive = pipeline(None, answerer="extractive").ask(TRADE_Q)
    assert judged.text == extractive.text and judged.explanation.judge is None
    assert pipeline(FakeLLM([])).ask("Who won the 1966 World Cup final in London?").refused


@pytest.mark.parametrize("how, prompts, sources", [("excerpts", 1, None), ("passages", 1, 3), ("each", 3, 1)])
def test_judge_inputs(how, prompts, sources):
    llm = JudgingFakeLLM([], [-0.5, 0.7, -0.2][:prompts])
    answer = pipeline(llm, judge_input=how).ask(TRADE_Q)
    assert len(llm.judged) == prompts and answer.explanation.judge == max([-0.5, 0.7, -0.2][:prompts])
    if sources:
        assert all(user.count("\n[") + user.startswith("[") == sources - 1 or f"[{sources}]" in user
                   for _, user in llm.judged)


@pytest.mark.parametrize("question", [
    "Summarize the articles.", "Give me an overview of the talks.", "Compare the two visits.",
    "List the concerns raised by Washington.", "Give a timeline of the meetings.",
    "What do the articles say about troops?", "How do the reports differ on the date?",
])
def test_synthesis_questions_are_recognised(question):
    assert answer_type(question) == "synthesis"


@pytest.mark.parametrize("question", ["When did Putin last visit Pyongyang?", "Who met Kim Jong Il?",
                                      "What did Peskov say close neighbours constantly do?"])
def test_factoid_questions_are_not_synthesis(question):
    assert answer_type(question) != "synthesis"


def test_the_model_writes_a_synthesis_from_every_article_and_each_claim_is_checked():
    reply = ("Washington criticizes the arms trade as a violation of Security Council resolutions [1]. "
             "North Korean troops were deployed to Russia [2]. The moon is made of cheese [3].")
    llm = relevance_judge([reply], irrelevant=("weather", "Kim Jong Il"))
    qa = pipeline(llm, min_support=0.1, synthesis_share=0.1)
    pieces = list(qa.stream("Summarize what the articles say about Russia and North Korea."))
    answer = pieces[-1]
    assert isinstance(answer, Answer) and all(isinstance(p, str) for p in pieces[:-1])
    (_, user), = llm.calls
    assert user.endswith(SYNTHESIS_TASK) and {system for system, _ in llm.judged} == {RELEVANT_SYSTEM}
    assert "weather" not in user   # a sentence the model judged irrelevant is not read
    sources = [line for line in user.splitlines() if line.startswith("[")]
    assert len(sources) >= 2 and "Security Council" in sources[0] and "troops" in sources[1]  # one per article
    assert "cheese" not in answer.text and any("removed" in w or "cheese" in w for w in answer.warnings)
    overview, lines = answer.text.split("\n\n")
    assert "Security Council resolutions [1]" in overview and "troops were deployed to Russia [2]" in overview
    assert len(lines.splitlines()) == len(sources) and lines.splitlines()[0].endswith("[1]")  # what it read
    assert [c.source for c in answer.citations][:2] == ["trade", "troops"]


def relevance_judge(replies, irrelevant=()) -> JudgingFakeLLM:
    """A model that judges every sentence relevant but those holding one of the irrelevant words."""
    llm = JudgingFakeLLM(replies, [])

    def judge(system, user):
        llm.judged.append((system, user))
        return -0.9 if any(word in user.split("Sentence: ", 1)[1] for word in irrelevant) else 0.8

    llm.judge = judge
    return llm


def test_an_article_the_model_judges_irrelevant_is_not_read_or_cited():
    reply = "Washington criticizes the arms trade [1]. North Korean troops were deployed to Russia [2]."
    llm = relevance_judge([reply], irrelevant=("Pyongyang", "Kim Jong Il"))
    answer = pipeline(llm, min_support=0.1, synthesis_share=0.1).ask(
        "Summarize what the articles say about Putin and North Korea.")
    assert any("Pyongyang" in user for _, user in llm.judged)   # the visit article's sentences were judged
    (_, user), = llm.calls
    assert "Pyongyang" not in user and "visit" not in {c.source for c in answer.citations}
    assert any("not cited" in note for note in answer.explanation.notes)


def test_the_extractive_digest_quotes_one_line_per_article():
    answer = pipeline(None, answerer="extractive").ask("Summarize what the articles say about Russia.")
    lines = answer.text.splitlines()
    assert not answer.refused and len(lines) == len(answer.citations) >= 2
    assert [line.rsplit("[", 1)[1] for line in lines] == [f"{n}]" for n in range(1, len(lines) + 1)]
    assert len({c.source for c in answer.citations}) == len(lines)


def test_which_answerer_the_settings_mean(monkeypatch):
    llm = FakeLLM([])
    assert answerer_name(Settings(llm="extractive")) == "extractive"
    assert answerer_name(Settings(llm="extractive"), llm) == "judged"
    assert answerer_name(Settings(llm="openai", llm_base_url="http://127.0.0.1:9/v1")) == "judged"
    assert answerer_name(Settings(answerer="reader")) == "reader"
    assert with_answerer(Settings(), "llamacpp").llm == "llamacpp"
    with pytest.raises(ConfigError, match="needs a model"):
        make_answerer(Settings(llm="extractive", answerer="judged"))
    with pytest.raises(ConfigError, match="Unknown answerer"):
        with_answerer(Settings(), "oracle")


def test_without_a_model_auto_is_extractive_and_says_so_once(monkeypatch, capsys):
    import qa.answerers.factory as factory
    import qa.llm.factory as llm_factory

    monkeypatch.setattr(llm_factory, "backend", lambda settings: None)
    monkeypatch.setattr(factory, "backend", lambda settings: None)
    monkeypatch.setattr(factory, "_told", set())
    for _ in range(2):
        assert make_answerer(Settings(llm="auto")).name == "extractive"
    assert capsys.readouterr().err.count("no model installed") == 1


def graded_judge(replies, grades) -> JudgingFakeLLM:
    """A model whose relevance judgement of a sentence is the grade of the first word of grades it holds (0.0
    for none)."""
    llm = JudgingFakeLLM(replies, [])

    def judge(system, user):
        llm.judged.append((system, user))
        sentence = user.split("Sentence: ", 1)[1]
        return next((grade for word, grade in grades.items() if word in sentence), 0.0)

    llm.judge = judge
    return llm


@pytest.mark.parametrize("margin", [0.5, 0.3])
def test_an_article_judged_far_less_relevant_than_the_best_is_not_cited(margin):
    reply = "Washington criticizes the arms trade [1]."
    # every sentence passes QA_SYNTHESIS_RELEVANCE; the troops article's best is QA_SYNTHESIS_MARGIN + 0.1 below the
    # best, the visit article's just within it
    llm = graded_judge([reply], {"Washington": 0.6, "weather": 0.1, "troops": 0.5 - margin,
                                 "Putin neither": 0.5 - margin, "Pyongyang": 0.61 - margin, "Kim Jong Il": 0.3})
    answer = pipeline(llm, min_support=0.1, synthesis_share=0.1, synthesis_margin=margin).ask(
        "Summarize what the articles say about Putin, Russia and North Korea.")
    cited = {c.source for c in answer.citations}
    assert "trade" in cited and "visit" in cited and "troops" not in cited
    assert any("not cited" in note for note in answer.explanation.notes)


@pytest.mark.parametrize(("reply", "troops_cited"), [
    ("Washington criticizes the arms trade [1].", False),
    ("Washington criticizes the arms trade [1]. North Korean troops were deployed to Russia [2].", True),
    ("The moon is made of cheese [1].", True),   # no overview stands: the lines are the answer
])
def test_an_article_beyond_the_margin_is_cited_when_the_checked_overview_draws_on_it(reply, troops_cited):
    # the troops article's best (0.2) is 0.4 below the best: the overview reads it (within 0.5); its lines are
    # quoted and cited only when the overview's checked claims cite it (beyond QA_SYNTHESIS_MARGIN = 0.3), or
    # when no overview stands
    llm = graded_judge([reply], {"Washington": 0.6, "weather": 0.1, "troops": 0.2, "Putin neither": 0.2,
                                 "Pyongyang": 0.5})
    answer = pipeline(llm, min_support=0.1, synthesis_share=0.1, synthesis_margin=0.3).ask(
        "Summarize what the articles say about Putin, Russia and North Korea.")
    assert "North Korean troops" in llm.calls[0][1]   # the overview read it
    cited = {c.source for c in answer.citations}
    assert {"trade", "visit"} <= cited and ("troops" in cited) is troops_cited
    assert ("Putin neither confirmed" in answer.text) is troops_cited


def test_the_articles_of_the_outlets_a_question_names_are_cited_though_judged_beyond_the_margin():
    from dataclasses import replace

    passages = [replace(PASSAGES[0], outlet="The Atlantic"), replace(PASSAGES[2], outlet="The New York Times")]

    class Retriever:
        def retrieve(self, question, top_k, timings=None, filters=None):
            return passages[:top_k]

    def ask(question):
        llm = graded_judge(["Washington criticizes the arms trade [1]."], {"Washington": 0.6, "troops": -0.2})
        s = Settings(top_k=3, min_support=0.1, synthesis_share=0.1, synthesis_margin=0.3, answerer="judged")
        finder = EvidenceFinder(BagOfWordsEmbedder(), TermWeights(p.text for p in PASSAGES))
        qa = NewsQA.assemble(s, retriever=Retriever(), finder=finder, answerer=make_answerer(s, llm))
        return {c.source for c in qa.ask(question).citations}

    # the troops article's best (-0.2) falls 0.8 below the best: left out, unless its outlet is asked for
    assert ask("Compare what the articles say about Russia and North Korea.") == {"trade"}
    assert ask("Compare what The Atlantic and The New York Times say about Russia and North Korea.") == \
        {"trade", "troops"}


def test_an_overview_that_cannot_be_checked_leaves_the_lines_the_model_judged_relevant():
    llm = relevance_judge(["The moon is made of cheese [1]."], irrelevant=("weather", "Kim Jong Il"))
    answer = pipeline(llm, min_support=0.1, synthesis_share=0.1).ask(
        "Summarize what the articles say about Russia and North Korea.")
    assert answer.model.endswith("+extractive") and "cheese" not in answer.text
    assert "weather" not in answer.text and "Kim Jong Il" not in answer.text   # judged irrelevant: still not quoted
    assert "Security Council" in answer.text and "troops" in answer.text


def test_the_overview_reads_an_articles_most_relevant_sentences_and_the_lines_quote_them_all():
    from qa.answerers.base import Findings
    from qa.answerers.relevance import FIRST_JUDGED, OVERVIEW_READS, Reading

    # as many sentences as the first batch judges, so that all of them are judged before the overview
    sentences = [f"Russia and North Korea signed accord number {n} on trade." for n in range(1, FIRST_JUDGED + 1)]
    grades = {f"number {n} ": 0.1 * n for n in range(1, FIRST_JUDGED + 1)}   # the later the accord, the more relevant
    llm = graded_judge([], grades)
    qa = pipeline(llm, min_support=0.0)
    base = qa.find("Summarize what the articles say about the accords between Russia and North Korea.")
    article = Passage("accords:0", "accords", "Accords", " ".join(sentences), 0.9)
    found = Findings(base.query, (article,), tuple(base.finder.find(base.query, [article])), base.finder)
    reading = Reading(llm, found.query, found, qa.settings)
    (brief,), ((excerpt,), _) = reading.briefs(), reading.lines()
    assert [ev.sentence for ev in excerpt.evidence] == sentences   # every relevant sentence, in the article's order
    assert [ev.sentence for ev in brief.evidence] == sentences[-OVERVIEW_READS:]   # the most relevant ones


def test_the_overview_is_written_after_the_first_batch_and_the_rest_is_judged_after_it():
    from qa.answerers.base import Findings
    from qa.answerers.relevance import FIRST_JUDGED

    sentences = [f"Russia and North Korea signed accord number {n} on trade." for n in range(1, 9)]
    llm = graded_judge(["Russia and North Korea signed accord number 1 on trade [1]."], {})
    streamed_after = []   # how many sentences were judged when the overview was asked for
    stream = llm.stream

    def recording_stream(system, user, **kwargs):
        streamed_after.append(len(llm.judged))
        return stream(system, user, **kwargs)

    llm.stream = recording_stream
    qa = pipeline(llm, min_support=0.0)
    base = qa.find("Summarize what the articles say about the accords between Russia and North Korea.")
    article = Passage("accords:0", "accords", "Accords", " ".join(sentences), 0.9)
    found = Findings(base.query, (article,), tuple(base.finder.find(base.query, [article])), base.finder)
    answer = list(qa.answerer.stream(found.query, found))[-1]
    assert streamed_after == [FIRST_JUDGED] and len(llm.judged) == len(sentences) > FIRST_JUDGED
    assert all(f"number {n} " in answer.text for n in range(1, 9))   # the lines quote every judged sentence


def test_the_judged_budget_goes_to_the_best_article_and_whole_to_a_sole_one():
    from qa.answerers.relevance import MOST_PER_ARTICLE, allotments

    assert allotments(0, 16) == [] and allotments(1, 16) == [16]
    assert allotments(2, 16) == [MOST_PER_ARTICLE, 16 - MOST_PER_ARTICLE]
    assert allotments(5, 16)[0] == MOST_PER_ARTICLE and min(allotments(5, 16)) >= 2
