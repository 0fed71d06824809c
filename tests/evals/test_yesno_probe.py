"""The yes/no negation probe's tally (the model-free part of evals.yesno_probe)."""
from evals.yesno_probe import NEGATE_SYSTEM, readings, summary


def test_the_tally_counts_each_reading_against_gold_and_open_questions():
    rows = [
        # the question reads yes alone but no read on; its negation reads yes both ways
        {"answerable": True, "gold": "No", "refused": False, "asked": [0.7, -0.2], "negated": [0.4, 0.5]},
        # a clear yes under both readings
        {"answerable": True, "gold": "Yes", "refused": False, "asked": [0.9, 0.8], "negated": [-0.3, -0.2]},
        {"answerable": True, "gold": "Yes", "refused": True},
        # an open question: the question leans yes, and so does its negation
        {"answerable": False, "gold": "", "refused": False, "asked": [0.3], "negated": [0.25]},
        {"answerable": False, "gold": "", "refused": True},
    ]
    today, alone, lower, agreeing = summary(rows)
    assert today.endswith("answerable right 2, wrong 0, unsettled 0, refused 1; open questions settled 1 of the 1 "
                          "not refused")
    # contrast alone: (0.7 - 0.4) / 2 = 0.15 reads "Yes" (wrong), (0.9 + 0.3) / 2 a yes, (0.3 - 0.25) / 2 unsettled
    assert alone.endswith("right 1, wrong 1, unsettled 0, refused 1; open questions settled 0 of the 1 not refused")
    # the lower contrast: (-0.2 - 0.5) / 2 reads "No"
    assert lower.endswith("right 2, wrong 0, unsettled 0, refused 1; open questions settled 0 of the 1 not refused")
    # today's reading where the lower contrast agrees: both settle the two answerable ones alike, the open one not
    assert agreeing.endswith("right 2, wrong 0, unsettled 0, refused 1; open questions settled 0 of the 1 not "
                             "refused")


def test_readings_ask_the_negation_the_model_writes_of_every_text():
    asked = []

    class Model:
        def stream(self, system, user, max_tokens=None):
            assert system == NEGATE_SYSTEM and max_tokens
            yield "Was she not surprised?\nextra line"

        def judge_many(self, system, users):
            asked.extend(users)
            return [0.5 if "not" not in u.rsplit(":", 1)[-1] else 0.1 for u in users]

    negation, yes, no = readings(Model(), "Was she surprised?", ["She was not surprised.", "She was not. Then."])
    assert negation == "Was she not surprised?"
    assert yes == [0.5, 0.5] and no == [0.1, 0.1] and len(asked) == 4
    assert asked[0].endswith("According to the text above: Was she surprised?")


def test_the_quote_read_is_the_one_the_answer_quotes_first():
    from types import SimpleNamespace as NS

    from evals.yesno_probe import quoted_first

    passages = [NS(source="a"), NS(source="b")]
    short, long_, elsewhere = NS(passage=0, quote="Kim met"), NS(passage=0, quote="Kim met Putin."), \
        NS(passage=1, quote="Kim met Putin. He left.")
    found = NS(passages=passages, evidence=[elsewhere, short, long_])
    answer = NS(refused=False, citations=[NS(source="a", quote="Kim met Putin. … Then more.")])
    assert quoted_first(answer, found) is long_   # its article's, and the longest that begins the quote
    assert quoted_first(NS(refused=True, citations=[]), found) is None
