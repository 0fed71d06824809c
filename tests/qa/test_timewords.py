"""Time words read as a range of publication dates relative to the day asked; the range steers, never filters."""
from dataclasses import replace
from datetime import date

import pytest

from qa.dated import OUT_OF_TIME, prefer_timely, source_time, time_filter, timely
from qa.errors import InputError
from qa.evidence import Evidence
from qa.filters import make_filter
from qa.models import Passage
from qa.query import analyse
from qa.terms import TermWeights
from qa.timewords import as_of_date, period_of

FRIDAY = date(2024, 1, 5)


@pytest.mark.parametrize(("question", "start", "end"), [
    ("Who won at this week's festival?", "2023-12-30", "2024-01-05"),
    ("What did the court rule this week?", "2023-12-30", "2024-01-05"),
    ("What happened last week in Gaza?", "2023-12-23", "2024-01-01"),          # a week ago, plus reporting days
    ("What did Biden say yesterday?", "2024-01-04", "2024-01-05"),
    ("Who won this month?", "2023-12-06", "2024-01-05"),
    ("Who won the vote in June?", "2023-06-01", "2023-07-07"),                  # the June before, not the next
    ("What did he say in December 2023?", "2023-12-01", "2024-01-05"),
    ("How many died since March?", "2023-03-01", "2024-01-05"),
    ("What changed in the past week?", "2023-12-30", "2024-01-05"),
    ("What happened in the last 10 days?", "2023-12-27", "2024-01-05"),     # up to the day asked
    ("Who resigned over the past few days?", "2024-01-03", "2024-01-05"),
    ("What happened on Monday?", "2024-01-01", "2024-01-04"),
    ("Which team recently won its first playoff game?", "2023-12-06", "2024-01-05"),
])
def test_time_words_become_a_range_as_of_the_day_asked(question, start, end):
    period = period_of(question, FRIDAY)
    assert period is not None and (period.start, period.end) == (start, end), period


@pytest.mark.parametrize(("since", "until", "days"), [
    ("yesterday", None, ("2024-01-04", None)),
    ("3 days ago", "yesterday", ("2024-01-02", "2024-01-04")),            # that very day, not its week
    ("two weeks ago", None, ("2023-12-22", None)),
    ("last week", "last week", ("2023-12-23", "2023-12-29")),             # no reporting days added to a filter
    ("this month", None, ("2023-12-06", None)),
    ("June", "June", ("2023-06-01", "2023-06-30")),                       # the June before, to its last day
    ("2023", "2023", ("2023-01-01", "2023-12-31")),                       # a bare year
    ("December 2023", "the past week", ("2023-12-01", "2024-01-05")),
    ("2024-01-02", "2024-01-03", ("2024-01-02", "2024-01-03")),           # dates as before
    ("the last 7 days", None, ("2023-12-30", None)),                        # today and the six days before
    ("past few days", None, ("2024-01-03", None)),
    ("2023-12", "2023-12", ("2023-12-01", "2023-12-31")),                   # a year and month: the whole month
])
def test_filter_bounds_read_time_words_as_of_the_day_asked(since, until, days):
    """--since and --until take what a reader of news types; an until covers its last day to the second."""
    from datetime import UTC, datetime

    found = make_filter(since, until, as_of=FRIDAY)
    day = [datetime.fromtimestamp(ts, UTC).isoformat()[:19] if ts is not None else None
           for ts in (found.since, found.until)]
    assert day[0] == f"{days[0]}T00:00:00"
    assert day[1] == (f"{days[1]}T23:59:59" if days[1] else None)


def test_filter_time_words_default_to_today_and_bad_ones_stay_errors():
    from datetime import UTC, datetime, timedelta

    yesterday = make_filter("yesterday")
    assert datetime.fromtimestamp(yesterday.since, UTC).date() == date.today() - timedelta(days=1)
    timed = make_filter(None, "2024-01-03T08:00:00")   # a time is a bound as it stands, not its whole day
    assert datetime.fromtimestamp(timed.until, UTC).isoformat() == "2024-01-03T08:00:00+00:00"
    for bad in ("last spring", "2030-13-01", "2024-1-45", "2024-13", "soon-ish", "12345"):
        with pytest.raises(InputError, match=f"since '{bad}' is not a date: use YYYY-MM-DD"):
            make_filter(bad, as_of=FRIDAY)
    with pytest.raises(InputError, match="since yesterday is after until last week"):
        make_filter("yesterday", "last week", as_of=FRIDAY)
    with pytest.raises(InputError, match="as of 'Friday' is not a date"):
        make_filter("yesterday", as_of="Friday")
    assert make_filter("  ", "") is None


@pytest.mark.parametrize("question", [
    "Who may win the march to the capital?",        # "may" and "march" are words too
    "How many people attended the festival?",
    "What will happen in May 2024?",                # after the day asked: no past range
])
def test_no_time_words_no_range_but_recent_news_is_preferred(question):
    assert period_of(question, FRIDAY) is None
    recent = period_of(question, FRIDAY, recent_days=30)
    assert recent.implicit and (recent.start, recent.end) == ("2023-12-06", "2024-01-05")
    assert recent.describe().startswith("no time words, recent news preferred")


def test_as_of_is_a_date_or_a_clear_error():
    assert as_of_date("2024-01-05") == FRIDAY and as_of_date(None) == date.today()
    with pytest.raises(InputError, match="not a date"):
        as_of_date("last tuesday-ish")


def _passage(source: str, published: str) -> Passage:
    return Passage(chunk_id=f"{source}:0", source=source, title=source, text="x", score=0.5, published=published)


def _ev(passage: int, support: float) -> Evidence:
    return Evidence(passage, 0, f"sentence {passage}", support, 0.5, 0.5, True)


def test_in_range_articles_win_among_near_equal_evidence_only():
    query = analyse("Which state raised its minimum wage this week?", TermWeights(), FRIDAY)
    passages = [_passage("old", "2022-01-03"), _passage("new", "2024-01-02")]
    preferred = prefer_timely([_ev(0, 0.60), _ev(1, 0.55)], passages, query)
    assert [e.passage for e in preferred] == [1, 0]
    assert preferred[1].support == 0.60 and preferred[1].signals[-1].name == "time"   # whether to answer: unchanged
    assert 0.55 > 0.60 * OUT_OF_TIME
    # much better evidence outside the range still wins: a preference, not a filter
    assert prefer_timely([_ev(0, 0.9), _ev(1, 0.3)], passages, query)[0].passage == 0
    # nothing in range: nothing changes (the question is answered from what there is)
    only_old = [_passage("old", "2022-01-03"), _passage("older", "2021-01-03")]
    assert prefer_timely([_ev(0, 0.6), _ev(1, 0.5)], only_old, query)[0].support == 0.6


def test_articles_newer_than_the_day_asked_do_not_fit_it():
    query = analyse("Who won the darts world championship?", TermWeights(), FRIDAY)
    assert query.period is None and query.as_of == "2024-01-05"
    assert timely(query, "2024-01-04") and not timely(query, "2024-02-01") and timely(query, "2023-06-01")
    recent = analyse("Who won the darts world championship?", TermWeights(), FRIDAY, recent_days=30)
    assert recent.period.implicit and not timely(recent, "2023-06-01")


def test_without_time_words_recent_articles_win_more_lightly():
    from qa.dated import OUT_OF_RECENT

    query = analyse("Who won the darts world championship?", TermWeights(), FRIDAY, recent_days=30)
    passages = [_passage("old", "2022-01-03"), _passage("new", "2024-01-02")]
    preferred = prefer_timely([_ev(0, 0.60), _ev(1, 0.58)], passages, query)
    assert [e.passage for e in preferred] == [1, 0] and 0.58 > 0.6 * OUT_OF_RECENT
    assert [e.passage for e in prefer_timely([_ev(0, 0.60), _ev(1, 0.50)], passages, query)] == [0, 1]
    assert time_filter(query, None) is not None       # asked on another day: newer articles are left out
    assert time_filter(analyse("Who won?", TermWeights()), None) is None   # today, no time words: one pass
    today = time_filter(analyse("Who won?", TermWeights(), recent_days=30), None)   # the last weeks, nothing newer
    assert today.since is not None and today.until is None
    year = time_filter(analyse("Which animal was cloned in 1996?", TermWeights()), None)   # asked today
    assert (year.since, year.until) == (make_filter("1996-01-01").since, make_filter(None, "1997-03-31").until)


def test_the_time_pass_keeps_the_users_filter():
    query = analyse("What did the court rule this week?", TermWeights(), FRIDAY)
    both = time_filter(query, make_filter("2024-01-02", None, ["CNN"]))
    assert both.outlets == ("CNN",) and both.since == make_filter("2024-01-02").since
    assert both.until == make_filter(None, "2024-01-05").until


def test_an_answer_says_the_day_of_its_source():
    passages = [_passage("a", "2022-06-12T10:00:00"), _passage("b", "2023-01-01")]
    passages = [replace(passages[0], outlet="CNN"), passages[1]]
    assert source_time([_ev(0, 0.6)], passages) == ("As of 12 June 2022 (CNN): ", False)
    assert source_time([_ev(0, 0.6), _ev(1, 0.5)], passages) == ("", True)     # each sentence says its own
    assert source_time([_ev(0, 0.6)], [_passage("u", "")]) == ("", False)


def test_as_of_a_past_day_leaves_out_later_articles_and_keeps_undated_ones():
    from qa.dated import asked_by

    passages = [_passage("old", "2022-01-03"), _passage("later", "2024-02-01"), _passage("undated", "")]
    assert [p.source for p in asked_by(passages, "2024-01-05")] == ["old", "undated"]
    assert len(asked_by(passages, "")) == 3     # asked today: nothing is later
