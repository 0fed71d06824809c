"""The model chooses the quote (scripted judgements): each candidate sentence judged, the judgement fused with the
evidence, the same scores refuse; the direct answer is checked against what the model read; a wrong number never
stands in a model-written claim; no empty claim is checked."""
import pytest

from qa.answerers.direct import attribution, check, full_name, tidy
from qa.answerers.factory import make_answerer
from qa.answerers.reader import LLMAnswerer
from qa.citations import check_claims
from qa.evidence import EvidenceFinder
from qa.matching import unstated
from qa.models import Passage
from qa.pipeline import NewsQA
from qa.prompts import DIRECT_SYSTEM, LIST_SYSTEM, SENTENCE_SYSTEM, SYSTEM, YES_NO_SYSTEM
from qa.query import analyse
from qa.settings import Settings
from qa.terms import TermWeights
from tests.fakes import BagOfWordsEmbedder, FakeLLM, JudgingFakeLLM

CARBON = Passage("carbon:0", "carbon", "Microsoft pledges to go carbon negative",
                 "Microsoft will create a $1 billion fund to speed up carbon negative technology. "
                 "The company aims to be carbon negative by 2030, its president said on Thursday. "
                 "Its offices in Redmond will run on renewable power.", 0.9)
QUESTION = "By what year does Microsoft want to be carbon negative?"


class ListRetriever:
    def retrieve(self, question, top_k, timings=None, filters=None):
        return [CARBON]


# One prompt a candidate, with the cuts fitted for that order (the orders have tests of their own).
QUESTION_FIRST = {"judge_order": "question", "unnamed_judge": -0.1, "recheck_below": -0.4}


def pipeline(llm, **settings) -> NewsQA:
    return assembled(llm, Settings(**{"top_k": 3, "min_support": 0.2, "answerer": "judged", "choice_weight": 0.5,
                                      "choice_threshold": 0.0, "refusal": "choice", **QUESTION_FIRST, **settings}))


def assembled(llm, s: Settings) -> NewsQA:
    """A judged NewsQA over the carbon passage under s."""
    finder = EvidenceFinder(BagOfWordsEmbedder(), TermWeights([CARBON.text]))
    return NewsQA.assemble(s, retriever=ListRetriever(), finder=finder, answerer=make_answerer(s, llm))


def judging(by_sentence: dict[str, float], replies=(), confirms: dict[str, float] | None = None) -> JudgingFakeLLM:
    """A model that judges each candidate by the words it holds (whatever order the evidence ranks them), and
    confirms copied words by confirms (0.9 for words not named)."""
    llm = JudgingFakeLLM(list(replies), [])

    def judge(system, user):
        llm.judged.append((system, user))
        if "Proposed answer: " in user:   # a doubted sentence's copied words, asked back
            words = user.split("Proposed answer: ", 1)[1].split("\n", 1)[0]
            return (confirms or {}).get(words, 0.9)
        if "Sentence: " not in user:   # the one yes/no over the best excerpts (QA_REFUSAL=excerpts)
            return by_sentence.get("excerpts", -0.9)
        sentence = user.split("Sentence: ", 1)[1].split("\n\nQuestion: ", 1)[0]
        return next((v for key, v in by_sentence.items() if key in sentence), -0.9)

    llm.judge = judge
    return llm


def test_the_model_picks_the_sentence_that_answers_over_the_top_scored_one():
    llm = judging({"by 2030": 0.95, "$1 billion": -0.6}, replies=["2030"])
    answer = pipeline(llm).ask(QUESTION)
    assert not answer.refused
    assert answer.text.startswith("2030. The company aims to be carbon negative by 2030"), answer.text
    assert answer.direct == "2030" and answer.to_dict()["direct"] == "2030"   # --json and the API carry it
    assert "$1 billion" not in answer.text and answer.citations[0].source == "carbon"
    assert all(system == SENTENCE_SYSTEM for system, _ in llm.judged) and len(llm.judged) == 3
    prefixes = {user.split("Sentence: ")[0] for _, user in llm.judged}
    assert prefixes == {f"Question: {QUESTION}\n\n"}   # the question is the shared prefix, the candidate the tail
    (system, direct), = llm.calls   # the direct answer: copied from the chosen sentence, the line before it too
    assert system == DIRECT_SYSTEM and direct.endswith(f"Question: {QUESTION}")
    assert "Sentence: The company aims to be carbon negative by 2030" in direct
    assert any("by 2030" in note for note in answer.explanation.notes)


def test_the_candidate_can_be_read_before_the_question():
    llm = judging({"by 2030": 0.95, "$1 billion": -0.6}, replies=["2030"])
    answer = pipeline(llm, judge_order="sentence").ask(QUESTION)
    assert answer.text.startswith("2030. The company aims to be carbon negative by 2030"), answer.text
    asked = [user for system, user in llm.judged if system == SENTENCE_SYSTEM]
    assert len(asked) >= 2 and all(u.startswith("Sentence: ") and u.endswith(f"Question: {QUESTION}") for u in asked)
    question_first = judging({"by 2030": 0.95}, replies=["2030"])
    pipeline(question_first, judge_order="question").ask(QUESTION)
    assert all(u.startswith(f"Question: {QUESTION}") for s, u in question_first.judged if s == SENTENCE_SYSTEM)


def test_both_orders_judge_each_candidate_by_their_mean():
    from qa.answerers.choice import candidates, judge_sentences

    llm = JudgingFakeLLM([], [])
    llm.judge = lambda system, user: 0.8 if user.startswith("Sentence: ") else -0.4
    found = pipeline(llm).find(QUESTION)
    cands = candidates(found, 2)
    assert judge_sentences(llm, found.query, cands, "both") == [pytest.approx(0.2)] * 2
    assert judge_sentences(llm, found.query, cands, "sentence") == [0.8, 0.8]
    assert judge_sentences(llm, found.query, cands) == [-0.4, -0.4]


def two_orders() -> JudgingFakeLLM:
    """Question first, the $1 billion sentence would win (0.5 against 0.3); read with the sentence first it is
    doubted (-0.9) and the 2030 sentence holds (0.7): their means (-0.2, 0.5) choose 2030."""
    llm = JudgingFakeLLM(["2030"], [])

    def judge(system, user):
        llm.judged.append((system, user))
        first = user.startswith("Sentence: ")
        if "$1 billion" in user:
            return -0.9 if first else 0.5
        return (0.7 if first else 0.3) if "by 2030" in user else -0.9

    llm.judge = judge
    return llm


def test_both_reads_each_candidate_in_both_orders_and_chooses_on_their_mean():
    llm = two_orders()
    s = Settings(top_k=3, min_support=0.2, answerer="judged", judge_order="both")
    answer = assembled(llm, s).ask(QUESTION)
    assert not answer.refused and answer.text.startswith("2030. The company aims to be carbon negative by 2030")
    judged = [user for system, user in llm.judged if system == SENTENCE_SYSTEM]
    assert sum(u.startswith("Sentence: ") for u in judged) == sum(u.startswith("Question: ") for u in judged) == 3


def test_by_default_the_leader_alone_is_read_sentence_first_until_the_leader_was_read_both_ways():
    """leader: all three candidates question first; the $1 billion sentence leads and is read again (its mean
    -0.2), then 2030 leads and is read again (0.5) and stays the leader: two prompts more, not three. The one
    read question first only stands on the scale of both orders' mean: its -0.9 raised by 0.14."""
    llm = two_orders()
    s = Settings(top_k=3, min_support=0.2, answerer="judged")
    assert (s.judge_order, s.choice_threshold, s.unnamed_judge, s.recheck_below) == ("leader", -0.7, 0.15, -0.1)
    answer = assembled(llm, s).ask(QUESTION)
    assert not answer.refused and answer.text.startswith("2030. The company aims to be carbon negative by 2030")
    judged = [user for system, user in llm.judged if system == SENTENCE_SYSTEM]
    assert sum(u.startswith("Question: ") for u in judged) == 3
    again = [u for u in judged if u.startswith("Sentence: ")]
    assert len(again) == 2 and "$1 billion" in again[0] and "by 2030" in again[1]
    notes = " ".join(answer.explanation.notes)
    assert "model +0.50" in notes and "model -0.20" in notes   # the means of both orders of the two re-read
    assert "model -0.76, fused -0.14: Its offices in Redmond" in notes   # question first, raised by 0.14


def test_no_candidate_passing_is_a_refusal():
    answer = pipeline(judging({})).ask("Which bank manages the Microsoft fund?")
    assert answer.refused and answer.citations == () and answer.explanation.judge < 0


def test_the_excerpts_judgement_refuses_before_any_sentence_is_judged():
    llm = judging({"excerpts": -0.8, "by 2030": 0.95})
    answer = pipeline(llm, refusal="excerpts", judge_threshold=0.0).ask(QUESTION)
    assert answer.refused and answer.citations == ()
    assert [system for system, _ in llm.judged] == [SYSTEM]   # one prompt: no candidate was judged
    assert answer.explanation.judge == -0.8 and "below QA_JUDGE_THRESHOLD" in answer.explanation.notes[0]


def test_when_the_excerpts_state_it_the_model_choice_quotes_even_below_the_choice_threshold():
    llm = judging({"excerpts": 0.6, "by 2030": -0.2, "$1 billion": -0.7}, replies=["2030"])
    answer = pipeline(llm, refusal="excerpts", judge_threshold=0.0, choice_threshold=0.5).ask(QUESTION)
    assert not answer.refused and answer.text.startswith("2030. The company aims to be carbon negative by 2030")
    assert "$1 billion" not in answer.text   # a runner-up still has to pass QA_CHOICE_THRESHOLD


def test_a_doubted_answer_is_asked_once_more_over_the_best_candidates_together():
    # the chosen sentence is doubted (-0.2 < QA_RECHECK_BELOW 0): one yes/no over the candidates together decides
    for together, refused in ((-0.6, True), (0.4, False)):
        llm = judging({"by 2030": -0.2, "$1 billion": -0.7, "excerpts": together}, replies=["2030"])
        answer = pipeline(llm, refuse_unnamed=False, recheck_below=0.0, recheck_threshold=-0.3,
                          choice_threshold=-0.5).ask(QUESTION)
        assert answer.refused is refused, answer.text
        (system, user), = [(s_, u) for s_, u in llm.judged if s_ == SYSTEM]   # asked once, the candidates numbered
        assert "[1] The company aims to be carbon negative by 2030" in user and "[2]" in user
        assert any(f"together it says {together:+.2f}" in note for note in answer.explanation.notes)
    # a sentence the model does not doubt is not asked again; nor is anything when the setting is off (-1), nor a
    # question with time words (the articles' dates answer "this week", and the model sees no date)
    for judge, below, question in ((0.5, 0.0, QUESTION), (-0.2, -1.0, QUESTION),
                                   (-0.2, 0.0, QUESTION.replace("?", " this year?"))):
        llm = judging({"by 2030": judge, "excerpts": -0.9}, replies=["2030"])
        answer = pipeline(llm, refuse_unnamed=False, recheck_below=below, choice_threshold=-0.5).ask(question)
        assert not answer.refused and all(system != SYSTEM for system, _ in llm.judged), question


def test_a_direct_answer_that_the_sentence_does_not_state_is_left_out():
    llm = judging({"by 2030": 0.95}, replies=["By 2023"])
    answer = pipeline(llm, refuse_unnamed=False).ask(QUESTION)
    assert answer.text.startswith("The company aims") and "2023" not in answer.text and answer.direct == ""
    assert any("did not stand its check" in note for note in answer.explanation.notes)


def test_a_doubted_sentence_whose_answer_the_model_cannot_copy_is_refused():
    llm = judging({"by 2030": -0.2, "$1 billion": -0.3, "Redmond": -2.5}, replies=["By 2023", "none"])
    answer = pipeline(llm, choice_threshold=-1.0).ask(QUESTION)
    assert answer.refused and answer.citations == () and answer.direct == ""
    assert len(llm.calls) == 2   # the two passing candidates were asked; the failing one was not
    assert "'By 2023'; 'none'" in answer.explanation.notes[-1]
    assert all(system == SENTENCE_SYSTEM for system, _ in llm.judged)   # nothing stood: nothing to confirm


def test_words_copied_from_a_doubted_sentence_must_be_confirmed_by_the_model():
    llm = judging({"by 2030": -0.2, "$1 billion": -0.3, "Redmond": -2.5}, replies=["2030", "none"],
                  confirms={"2030": -0.5})
    answer = pipeline(llm, choice_threshold=-1.0, confirm_judge=-0.1).ask(QUESTION)
    assert answer.refused and answer.direct == ""
    assert "'2030', which it doubts the text says: -0.50; 'none'" in answer.explanation.notes[-1]
    (system, asked), = [(system, user) for system, user in llm.judged if system == YES_NO_SYSTEM]
    assert asked.startswith("The company aims to be carbon negative by 2030") and "Proposed answer: 2030\n" in asked
    assert f"Question: {QUESTION}" in asked
    confirmed = pipeline(judging({"by 2030": -0.2, "$1 billion": -0.3}, replies=["2030"],
                                 confirms={"2030": 0.4}), choice_threshold=-1.0, confirm_judge=-0.1).ask(QUESTION)
    assert not confirmed.refused and confirmed.direct == "2030"
    llm = judging({"by 2030": -0.2}, replies=["2030"], confirms={"2030": -0.5})
    unasked = pipeline(llm, choice_threshold=-1.0).ask(QUESTION)
    assert unasked.direct == "2030"   # QA_CONFIRM_JUDGE=-1, the default: the copy test alone
    assert all(system == SENTENCE_SYSTEM for system, _ in llm.judged)


def test_words_from_the_line_before_a_doubted_sentence_stand_only_when_the_two_together_are_not_doubted():
    # the model doubts the Redmond sentence, and copies "2030" from the line before it: the two are judged together
    llm = judging({"Redmond": -0.2, "by 2030": -2.5, "$1 billion": -2.5}, replies=["2030"])
    answer = pipeline(llm, choice_threshold=-1.0).ask(QUESTION)
    assert answer.refused and answer.direct == ""
    assert "'2030', from the line before, which with the sentence it doubts too: -0.20" in answer.explanation.notes[-1]
    (_, together), = [(system, user) for system, user in llm.judged if "by 2030" in user and "Redmond" in user]
    assert together.endswith("The company aims to be carbon negative by 2030, its president said on Thursday. Its "
                             "offices in Redmond will run on renewable power.")
    llm = judging({"Thursday. Its offices": 0.4, "Redmond": -0.2, "by 2030": -2.5, "$1 billion": -2.5},
                  replies=["2030"])
    answered = pipeline(llm, choice_threshold=-1.0).ask(QUESTION)
    assert answered.direct == "2030" and answered.text.startswith("2030. The company aims"), answered.text
    # judged to answer, the same sentence's line before may give the words: it is quoted with them
    trusted = pipeline(judging({"Redmond": 0.5, "by 2030": -2.5, "$1 billion": -2.5}, replies=["2030"]),
                       choice_threshold=-1.0).ask(QUESTION)
    assert trusted.direct == "2030" and trusted.text.startswith("2030. The company aims"), trusted.text


def test_before_a_refusal_the_next_candidates_are_judged_each_once():
    scores = {"by 2030": -2.5, "$1 billion": 0.9}
    llm = judging(scores)
    assert pipeline(llm, choice_candidates=1, choice_more=0, direct_answer=False).ask(QUESTION).refused
    assert len(llm.judged) == 1
    llm = judging(scores)
    answer = pipeline(llm, choice_candidates=1, choice_more=2, direct_answer=False, choice_more_below=-1.0).ask(
        QUESTION)
    assert not answer.refused and answer.text.startswith("Microsoft will create a $1 billion fund"), answer.text
    judged = [user.split("Sentence: ")[1] for _, user in llm.judged]
    assert len(judged) == 3 and len(set(judged)) == 3   # the first candidate is not judged again
    assert answer.explanation.notes[0] == "no candidate of the best 1 answered: 2 more judged"
    llm = judging({"by 2030": -2.5})
    assert pipeline(llm, choice_candidates=1, choice_more=2, direct_answer=False).ask(QUESTION).refused
    assert len(llm.judged) == 3


def test_a_doubted_leader_has_the_next_candidates_judged_too():
    scores = {"by 2030": -0.3, "$1 billion": 0.9}   # the leader passes (threshold -0.5), but the model doubts it
    quiet = {"choice_candidates": 1, "choice_more": 2, "choice_threshold": -0.5, "direct_answer": False,
             "refuse_unnamed": False}
    llm = judging(scores)
    answer = pipeline(llm, **quiet).ask(QUESTION)
    assert answer.text.startswith("Microsoft will create a $1 billion fund"), answer.text
    judged = [user.split("Sentence: ")[1] for _, user in llm.judged]
    assert len(judged) == 3 and len(set(judged)) == 3   # each candidate judged once
    assert answer.explanation.notes[0] == ("the model doubts the leading sentence (-0.30, below "
                                           "QA_CHOICE_MORE_BELOW): 2 more judged")
    llm = judging(scores)
    answer = pipeline(llm, choice_more_below=-1.0, **quiet).ask(QUESTION)   # -1: the next ones wait for a refusal
    assert answer.text.startswith("The company aims to be carbon negative by 2030") and len(llm.judged) == 1
    llm = judging({"by 2030": 0.3, "$1 billion": 0.9})   # a leader the model does not doubt: nothing more
    assert pipeline(llm, **quiet).ask(QUESTION).text.startswith("The company aims")
    assert len(llm.judged) == 1


def test_what_the_model_copied_from_a_candidate_is_asked_once_a_question():
    llm = judging({"by 2030": -0.3, "$1 billion": -0.35, "Redmond": -2.5}, replies=["none", "$1 billion"])
    answer = pipeline(llm, choice_threshold=-1.0, choice_candidates=1, choice_more=2, choice_more_below=-1.0,
                      recheck_later=-1.0).ask(QUESTION)
    assert not answer.refused and answer.direct == "$1 billion", answer.text   # the words of the one that gave them
    assert answer.text.startswith("$1 billion. Microsoft will create a $1 billion fund"), answer.text
    assert len(llm.calls) == 2   # "none" from the first candidate is not asked again in the second round
    assert "copied '$1 billion' from the next passing one (it wrote 'none' first)" in " ".join(answer.explanation.notes)
    assert answer.explanation.notes[0] == "no candidate of the best 1 answered: 2 more judged"


def test_a_sentence_the_model_judges_to_answer_is_quoted_though_its_answer_cannot_be_copied():
    llm = judging({"by 2030": 0.95, "$1 billion": 0.9}, replies=["By 2023"])
    answer = pipeline(llm).ask(QUESTION)
    assert answer.text.startswith("The company aims") and answer.direct == "" and len(llm.calls) == 1


def test_words_copied_from_a_later_candidate_lead_and_its_sentence_is_quoted_first():
    llm = judging({"$1 billion": -0.2, "by 2030": -0.3, "Redmond": -2.5, "excerpts": 0.0}, replies=["none", "2030"])
    answer = pipeline(llm, choice_threshold=-1.0).ask(QUESTION)   # the candidates together pass QA_RECHECK_LATER
    assert not answer.refused and answer.direct == "2030" and len(llm.calls) == 2
    assert answer.text.startswith("2030. The company aims to be carbon negative by 2030"), answer.text
    assert "Microsoft will create a $1 billion fund" in answer.text   # the chosen one still passes: quoted after it
    assert answer.text.index("carbon negative by 2030") < answer.text.index("$1 billion fund")
    assert "copied '2030' from the next passing one (it wrote 'none' first): its sentence is quoted first" in \
        " ".join(answer.explanation.notes)
    # a why or how question gets no few words: what a later candidate gave only decides that the articles answer
    llm = judging({"$1 billion": -0.2, "by 2030": -0.3, "Redmond": -2.5, "excerpts": 0.0},
                  replies=["none", "its president said"])
    answer = pipeline(llm, choice_threshold=-1.0).ask("How will Microsoft become carbon negative by 2030?")
    assert not answer.refused and answer.direct == "" and len(llm.calls) == 2
    assert answer.text.startswith("Microsoft will create a $1 billion fund"), answer.text   # the quote as chosen
    assert "the quote stays as chosen" in " ".join(answer.explanation.notes)


def test_why_and_how_questions_are_not_led_by_a_few_words():
    llm = judging({"by 2030": 0.95}, replies=[])
    answer = pipeline(llm).ask("Why does Microsoft want to be carbon negative by 2030?")
    assert not answer.refused and answer.direct == "" and llm.calls == []   # nothing to copy: no generation


def test_the_listwise_design_reads_the_numbers():
    llm = FakeLLM([])
    llm.calls_choose = []

    def choose(system, user, options):
        llm.calls_choose.append((system, user, options))
        probs = [0.05] * (options + 1)
        order = [line for line in user.splitlines() if line[:1].isdigit()]
        probs[next(i for i, line in enumerate(order, 1) if "2030" in line)] = 0.8
        return probs

    llm.choose = choose
    answer = pipeline(llm, choice="list", direct_answer=False, refuse_unnamed=False).ask(QUESTION)
    assert answer.text.startswith("The company aims to be carbon negative by 2030")
    (system, user, options), = llm.calls_choose
    assert system == LIST_SYSTEM and options == 3 and user.rstrip().endswith(QUESTION)


def test_direct_answers_are_checked_against_what_the_model_read():
    q = analyse("Which show was green lit for a new season?", TermWeights([]))
    sentence = "Netflix announced Sunday that the wildly popular South Korean show is green lit for a second season."
    before = "Squid Game became the most watched series in Netflix history."
    assert check("Squid Game", q, sentence, before).from_before
    assert not check("Netflix", q, sentence, before).from_before
    assert check("The Crown", q, sentence, before) is None          # a name nobody wrote
    assert check("the show", q, sentence, before) is None           # says nothing the question did not
    assert check("The articles do not say", q, sentence, before) is None
    assert tidy('Answer: "Squid Game".\nMore text') == "Squid Game"
    # a name the line before writes whole is the line before's, though its key's prefix meets a word of the
    # sentence ("Colorado" and "of color"); a word the sentence only inflects is the sentence's
    state = analyse("In which state did he give the 2015 talk?", TermWeights([]))
    said = "In the speech, the former mayor argued that most victims were young men of color."
    assert check("Colorado", state, said, "Audio surfaced of remarks he made in 2015 to a group in Colorado.").before
    sold = analyse("What could Massy Stores still sell?", TermWeights([]))
    lunch = "The only business conducted was the sale of its prepared lunch."
    assert not check("Prepared lunches", sold, lunch, "Customers were turned away at the checkouts.").from_before


def test_direct_answers_must_be_of_the_kind_asked_for():
    weights = TermWeights([])
    boiler = analyse("What make of boiler had Andrew Hartley fitted?", weights)
    fumes = "The deadly fumes leaked out of the dodgy boiler flue pipe fitted by Andrew Hartley."
    assert check("Dodgy", boiler, fumes, "") is None                 # a name is asked for: the text writes "dodgy"
    assert check("Worcester Bosch", boiler, "He fitted a Worcester Bosch combi boiler.", "").text == "Worcester Bosch"
    revenue = analyse("How much revenue did Massy Stores lose?", weights)
    branches = "Sales at the company's 23 branches could not be completed."
    assert check("23", revenue, branches, "") is None                 # money is asked for, not a count
    assert check("$2 million", revenue, "Massy lost $2 million in sales.", "").text == "$2 million"
    assert check("$2 million", revenue, "Massy lost 2 million customers.", "") is None   # money the text never wrote
    assert check("$2 million", revenue, "Massy lost 2 million dollars in sales.", "").text == "$2 million"
    talks = analyse("How long will the exclusive talks last?", weights)
    assert check("95", talks, "This would be a $95 million investment.", "") is None   # money is no length
    assert check("two years", talks, "The talks will last two years.", "").text == "two years"
    led = analyse("For how long will the county negotiate only with the developer?", weights)   # led by a preposition
    assert check("95", led, "This would be a $95 million investment.", "") is None
    took_over = analyse("When did Usman Hasib take the salon over?", weights)
    shops = "Usman Hasib runs the business now, across its 25 locations, since 2019."
    assert check("25", took_over, shops, "") is None                  # a bare number is a year or no date
    assert check("2019", took_over, shops, "").text == "2019"
    assert check("since 2019", took_over, shops, "").text == "since 2019"
    fined = analyse("How many people have been fined?", weights)
    assert check("1,000", fined, "Anyone who lies can be fined £1,000.", "") is None
    assert check("1,000", fined, "Police fined 1,000 people, each £1,000.", "").text == "1,000"
    year = analyse("In what year did Bernice Scott start the Reckoning Crew?", weights)
    assert check("Bernice Scott", year, "Bernice Scott started the Reckoning Crew.", "") is None
    assert check("1998", year, "Scott started the group in 1998.", "").text == "1998"
    behind = analyse("How far behind schedule is Super Value?", weights)
    assert check("1 month", behind, "It is running a month behind schedule.", "").text == "1 month"
    named = analyse("What will Harry and Meghan name their daughter?", weights)   # "name" as a verb asks a name
    assert check("Two", named, '"Two is it," Meghan said, adding their daughter is due in the summer.', "") is None
    assert check("Lilibet", named, "They will call her Lilibet, Meghan said.", "").text == "Lilibet"
    often = analyse("How often did Harry speak to his father?", weights)
    assert check("Twice", often, "I had two conversations with my father.", "").text == "Twice"   # "two"
    assert check("Twice", often, "I had three conversations with my father.", "") is None
    installer = analyse("Which brand of boiler did Hartley install?", weights)
    fitted = "The boiler flue pipe was fitted by Andrew Hartley, a Worcester Bosch installer."
    assert check("Andrew Hartley", installer, fitted, "") is None     # the question's own man, named in full
    assert check("Worcester Bosch", installer, fitted, "").text == "Worcester Bosch"
    forum = analyse("Which forum was Putin attending in Vladivostok?", weights)
    assert check("Eastern Economic Forum", forum, "Putin attended the Eastern Economic Forum.", "").text


def test_a_person_named_by_surname_is_named_as_the_article_writes_them_in_full():
    weights = TermWeights([])
    who = analyse("Which singer gave a rare performance alongside Luke Combs?", weights)
    texts = ("Grammys 2024: the best performances",
             "Tracy Chapman sang Fast Car. After days of speculation that Chapman would join Combs, the folk singer "
             "made a rare appearance. President Biden watched.")
    assert full_name("Chapman", who, texts) == "Tracy Chapman"         # "After Chapman" is no given name
    assert full_name("Biden", who, texts) == "Biden"                   # a title is not a given name
    assert full_name("Tracy Chapman", who, texts) == "Tracy Chapman"   # already in full
    film = analyse("Which film won five awards?", weights)
    assert full_name("Oppenheimer", film, ("J. Robert Oppenheimer built the bomb.",)) == "Oppenheimer"
    passage = Passage("grammys:0", "grammys", texts[0], texts[1], 0.9)

    class OneRetriever:
        def retrieve(self, question, top_k, timings=None, filters=None):
            return [passage]

    s = Settings(top_k=3, min_support=0.2, answerer="judged", choice_threshold=0.0, refusal="choice")
    llm = judging({"rare appearance": 0.9}, replies=["Chapman"])
    finder = EvidenceFinder(BagOfWordsEmbedder(), TermWeights([passage.text]))
    qa = NewsQA.assemble(s, retriever=OneRetriever(), finder=finder, answerer=make_answerer(s, llm))
    answer = qa.ask(who.text)
    assert answer.direct == "Tracy Chapman" and answer.text.startswith("Tracy Chapman. After days"), answer.text


def test_the_article_s_own_outlet_is_no_answer_unless_a_publication_is_asked_for():
    weights = TermWeights(["x"])
    loggers = analyse("What are the names of the two loggers held by police?", weights)
    assert attribution("Kaieteur News", loggers, "Kaieteur News")      # "Kaieteur News learnt that …"
    assert attribution("the BBC", loggers, "BBC News")
    assert not attribution("Ray Khan", loggers, "Kaieteur News")
    assert not attribution("Kaieteur News", analyse("Which newspaper broke the story?", weights), "Kaieteur News")
    assert not attribution("Kaieteur News", loggers, "")
    assert not attribution("USA TODAY", analyse("Who conducted the poll of likely voters?", weights), "USA TODAY")


def test_a_wrong_year_in_a_written_claim_is_removed():
    assert unstated("Microsoft wants to be carbon negative by 2023", CARBON.text) == ("2023",)
    assert unstated("Microsoft wants to be carbon negative by 2030", CARBON.text) == ()
    assert unstated("It has four offices", "It has 4 offices.") == ()
    finder = EvidenceFinder(BagOfWordsEmbedder(), TermWeights([CARBON.text]))
    reader = LLMAnswerer(FakeLLM([]), Settings())
    checked, warnings = check_claims("Microsoft wants to be carbon negative by 2023 [1].", [CARBON],
                                     lambda c, p: reader._supports(finder, c, p), lambda c, ps: None)
    assert checked == "" and any("2023" in w for w in warnings)
    kept, _ = check_claims("Microsoft wants to be carbon negative by 2030 [1].", [CARBON],
                           lambda c, p: reader._supports(finder, c, p), lambda c, ps: None)
    assert "2030 [1]" in kept


def test_an_empty_claim_is_never_checked():
    seen = []
    checked, warnings = check_claims("Microsoft aims for 2030 [1].\n[1]", [CARBON],
                                     lambda c, p: seen.append(c) or True, lambda c, ps: None)
    assert "" not in seen and not any('“”' in w or '""' in w for w in warnings)
    assert checked == "Microsoft aims for 2030 [1]."


def yes_no_model(reads_as: float, read_on: float | None = None, judged: float = 0.95) -> JudgingFakeLLM:
    """Judges candidates as `judging` does (the sentence that answers: judged), and reads the chosen quote's yes/no
    as reads_as (read on into the sentence after it: read_on, reads_as when not given)."""
    from qa.prompts import YES_NO_SYSTEM

    llm = judging({"by 2030": judged})
    candidates = llm.judge

    def judge(system, user):
        if system != YES_NO_SYSTEM:
            return candidates(system, user)
        llm.judged.append((system, user))
        return reads_as if read_on is None or "Redmond" not in user else read_on

    llm.judge = judge
    return llm


def test_a_yes_no_question_leads_with_yes_or_no_when_the_quote_settles_it():
    question = "Does Microsoft aim to be carbon negative by 2030?"
    assert analyse(question, TermWeights()).yes_no and not analyse(QUESTION, TermWeights()).yes_no
    assert not analyse("Is it 2030 or 2040?", TermWeights()).yes_no
    yes = pipeline(yes_no_model(0.9), yes_no_lead=True).ask(question)
    assert yes.text.startswith("Yes. The company aims to be carbon negative by 2030") and yes.direct == "Yes"
    no = pipeline(yes_no_model(-0.8), yes_no_lead=True).ask("Does Microsoft aim to be carbon negative by 2040?")
    assert no.text.startswith("No. The company aims to be carbon negative by 2030")
    assert pipeline(yes_no_model(0.9)).ask(question).text.startswith("Yes. ")   # on by default
    assert pipeline(yes_no_model(0.9), yes_no_lead=False).ask(question).text.startswith("The company aims")
    unsure = pipeline(yes_no_model(0.05), yes_no_lead=True).ask(question)
    assert unsure.text.startswith("The company aims") and unsure.direct == ""
    assert any("not settled" in note for note in unsure.explanation.notes)
    extractive = pipeline(None, answerer="extractive").ask(question)   # no model, no verdict: the quote alone
    assert not extractive.text.startswith(("Yes", "No"))


def test_a_yes_must_hold_when_the_quote_is_read_on_into_the_next_sentence():
    """"Putin acknowledged the deployment …" then "Putin neither confirmed nor denied the reports": the model is
    asked of the quote alone and of it with the sentence after it, and the lower reading leads."""
    question = "Does Microsoft aim to be carbon negative by 2030?"
    model = yes_no_model(0.9, read_on=-0.4)
    answer = pipeline(model, yes_no_lead=True).ask(question)
    assert answer.text.startswith("No. The company aims") and answer.direct == "No"
    asked = [user for _, user in model.judged if user.startswith("The company aims")]
    assert len(asked) == 2 and "Redmond" not in asked[0] and "Its offices in Redmond" in asked[1]
    assert any("read on into the next sentence -0.40" in note for note in answer.explanation.notes)
    unsure = pipeline(yes_no_model(0.9, read_on=0.05), yes_no_lead=True).ask(question)
    assert unsure.direct == "" and unsure.text.startswith("The company aims")
    assert pipeline(yes_no_model(0.9, read_on=0.8), yes_no_lead=True).ask(question).direct == "Yes"


def test_a_yes_no_question_is_judged_as_an_alternative():
    """"Was she surprised?" asked as it stands runs into "was she?": the judgement reads "…, or not?", so a sentence
    saying she was not answers as well as one saying she was. A fact question is judged as asked."""
    model = yes_no_model(0.9)
    pipeline(model).ask("Does Microsoft aim to be carbon negative by 2030?")
    candidates = [user for system, user in model.judged if system == SENTENCE_SYSTEM]
    assert candidates and all(user.startswith("Question: Does Microsoft aim to be carbon negative by 2030, or not?"
                                              "\n\nSentence: ") for user in candidates)
    fact = judging({"by 2030": 0.95}, replies=["2030"])
    pipeline(fact).ask(QUESTION)
    assert all(user.startswith(f"Question: {QUESTION}\n\n") for _, user in fact.judged)


def test_a_doubted_quote_that_settles_nothing_is_refused():
    """The model leans to "yes" when a sentence leaves a yes/no question open ("Was the driver wearing a seat
    belt?" of the crash report: +0.18): a quote the model doubts must read a clear yes or no, or the articles don't
    say. A quote it does not doubt leads as before."""
    question = "Does Microsoft aim to be carbon negative by 2030?"
    doubted = {"choice_threshold": -1.0, "unnamed_judge": 0.15}
    weak = pipeline(yes_no_model(0.3, judged=-0.3), **doubted).ask(question)
    assert weak.refused and weak.text == "The articles don't say.", weak.text
    assert any("no reading settles it" in note for note in weak.explanation.notes)
    assert pipeline(yes_no_model(0.8, judged=-0.3), **doubted).ask(question).direct == "Yes"
    assert pipeline(yes_no_model(-0.4, judged=-0.3), **doubted).ask(question).direct == "No"
    assert pipeline(yes_no_model(0.3, judged=0.5), **doubted).ask(question).direct == "Yes"   # not doubted
    kept = pipeline(yes_no_model(0.3, judged=-0.3), refuse_unnamed=False, **doubted).ask(question)
    assert not kept.refused and kept.direct == "Yes"
    # read on into the next sentence it settles (+0.8): not refused, and the lower reading leads
    read_on = pipeline(yes_no_model(0.3, read_on=0.8, judged=-0.3), **doubted).ask(question)
    assert not read_on.refused and read_on.direct == "Yes"
    both_open = pipeline(yes_no_model(0.3, read_on=0.2, judged=-0.3), **doubted).ask(question)
    assert both_open.refused


def test_words_that_stood_only_from_a_later_candidate_need_the_recheck_at_qa_recheck_later():
    # the leader (-0.2) is doubted (below QA_UNNAMED_JUDGE) but above QA_RECHECK_BELOW (-0.4), so its own words would
    # not be rechecked; the model copied nothing from it, and the next candidate's words stand only when the
    # candidates read together reach QA_RECHECK_LATER (-0.2), stricter than QA_RECHECK_THRESHOLD (-0.3)
    scores = {"$1 billion": -0.2, "by 2030": -0.3, "Redmond": -2.5}
    for together, refused in ((-0.25, True), (-0.15, False)):
        llm = judging({**scores, "excerpts": together}, replies=["none", "2030"])
        answer = pipeline(llm, choice_threshold=-1.0).ask(QUESTION)
        assert answer.refused is refused, answer.text
        assert len([s_ for s_, _ in llm.judged if s_ == SYSTEM]) == 1   # asked once
        notes = " ".join(answer.explanation.notes)
        assert "stood only from a later candidate; over the best" in notes, notes
        assert f"together it says {together:+.2f}" in notes and ("below QA_RECHECK_LATER: refused" in notes) is refused
    # -1: such words are rechecked as any other answer's (here not at all: the leader is above QA_RECHECK_BELOW)
    llm = judging({**scores, "excerpts": -0.9}, replies=["none", "2030"])
    answer = pipeline(llm, choice_threshold=-1.0, recheck_later=-1.0).ask(QUESTION)
    assert not answer.refused and all(system != SYSTEM for system, _ in llm.judged)


def test_the_judged_answer_quotes_a_line_the_page_repeats_once():
    """A runner-up that says nothing the quoted sentence does not (a pull quote and its attributed line) is skipped;
    the next runner-up takes its place."""
    from qa.answerers.choice import Judged, quoted
    from qa.evidence import Evidence

    def judged(position: int, text: str, fused: float) -> Judged:
        return Judged(Evidence(0, position, text, 0.5, 0.5, 0.5, False), 0.5, fused)

    said = judged(0, "\"The arrest was a US operation led by the DEA,\" the governor added.", 0.9)
    again = judged(4, "The arrest was a US operation led by the DEA.", 0.8)
    other = judged(2, "Premier Andrew Fahie was detained in Miami on drug charges.", 0.7)
    assert [e.position for e in quoted([said, again, other], 2, ["bvi"])] == [0, 2]
    assert [e.position for e in quoted([said, other, again], 3, ["bvi"])] == [0, 2]
    assert [e.position for e in quoted([again, said], 3, ["bvi"])] == [4, 0]   # the fuller line adds its speaker
