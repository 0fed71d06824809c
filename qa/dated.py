"""The age of a source: the date a question is asked and the range its time words name steer which article
answers, and for a question after the latest state, the newest article wins among near-equal sentences.

Preferences, not filters: an article outside the range only loses to one inside it that holds evidence too, so a
question whose answer lies outside the range it names is still answered.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from qa.evidence import Evidence
from qa.filters import Filter
from qa.models import Passage, SignalValue
from qa.query import Query

# the evidence of an article outside the question's time (published outside the range its time words name, or
# after the day it is asked) is scaled by this when an article inside it holds evidence too
OUT_OF_TIME = 0.85
# the same without time words, against the recent articles (news is asked about as it stands): a lighter touch
OUT_OF_RECENT = 0.92
# passages of the question's time the answerer always sees (when retrieval found them)
TIMELY_SLOTS = 2
# "latest": sentences this close to the best one count as answering as well; among them the newest article wins
LATEST_MARGIN = 0.05


def later(published: str, as_of: str) -> bool:
    """Whether an article of this ISO date came out after the (past) day asked; never for an undated one, or
    when asked today (as_of "")."""
    return bool(as_of and published) and published[:10] > as_of


def timely(query: Query, published: str) -> bool:
    """Whether an article of this ISO date fits the question's time (an undated one fits no range)."""
    return not later(published, query.as_of) and (query.period is None or query.period.holds(published))


def asked_by(passages: Sequence[Passage], as_of: str) -> list[Passage]:
    """The passages that existed on the day asked: an article published later is left out; an undated one
    stays (nothing says it came later). A question's time words only prefer, this bounds."""
    return [p for p in passages if not later(p.published, as_of)]


def time_filter(query: Query, filters: Filter | None) -> Filter | None:
    """The filter of the retrieval pass that adds the articles of the question's time (with the user's filter);
    None when the question names no time and is asked today (nothing is newer)."""
    from datetime import date

    from index.metadata import timestamp
    from qa.filters import DAY

    period = query.period
    if period is None and (not query.as_of or query.as_of >= date.today().isoformat()):
        return None
    since = timestamp(period.start) if period else None
    if period is None:
        end = query.as_of
    elif query.as_of:
        end = min(period.end, query.as_of)
    else:   # asked today: the range ends where its time words do ("in 1996"), open when they reach today
        end = period.end if period.end < date.today().isoformat() else ""
    until = timestamp(end)
    until = None if until is None else until + DAY - 1
    user = filters or Filter()
    if user.since is not None:
        since = user.since if since is None else max(since, user.since)
    if user.until is not None:
        until = user.until if until is None else min(until, user.until)
    return Filter(since, until, user.outlets)


def merged(first: Sequence[Passage], more: Sequence[Passage]) -> list[Passage]:
    """first, then the passages of more it lacks."""
    have = {p.chunk_id for p in first}
    return [*first, *(p for p in more if p.chunk_id not in have)]


def with_timely(ranked: Sequence[Passage], k: int, query: Query) -> list[Passage]:
    """The k best passages, with the TIMELY_SLOTS best of the question's time among them (in rank order) when the
    k best alone would leave them out: the answerer sees the week's article even when an old one words it closer."""
    kept = list(ranked[:k])
    if query.period is None:
        return kept
    fits = {p.chunk_id for p in ranked if timely(query, p.published)}
    missing = [p for p in ranked if p.chunk_id in fits][:TIMELY_SLOTS]
    missing = [p for p in missing if p not in kept]
    if not missing:
        return kept
    out = [p for p in kept if p.chunk_id in fits] + missing
    others = [p for p in kept if p.chunk_id not in fits][:max(0, k - len(out))]
    order = {p.chunk_id: i for i, p in enumerate(ranked)}
    return sorted(out + others, key=lambda p: order[p.chunk_id])


def prefer_timely(found: Sequence[Evidence], passages: Sequence[Passage], query: Query) -> list[Evidence]:
    """Order the evidence as if the sentences of articles outside the question's time scored OUT_OF_TIME (or
    OUT_OF_RECENT) of their score, when an article inside it holds evidence too; the scores themselves stay, so
    whether to answer at all is decided as without a time. Unchanged when no article fits the time."""
    if query.period is None and not query.as_of:
        return list(found)
    fits = [timely(query, p.published) for p in passages]
    if all(fits) or not any(fits[e.passage] for e in found):
        return list(found)
    factor = OUT_OF_RECENT if query.period is not None and query.period.implicit else OUT_OF_TIME
    marked = [ev if fits[ev.passage] else replace(ev, signals=(*ev.signals, SignalValue("time", 0.0, 0.0)))
              for ev in found]
    return sorted(marked, key=lambda e: -e.support * (1.0 if fits[e.passage] else factor))


def prefer_recent(found: Sequence[Evidence], passages: Sequence[Passage]) -> list[Evidence]:
    """For a question after the latest state: the sentences that answer nearly as well as the best, newest article
    first (ties by date, never by date alone: the rest keep their order after them)."""
    if not found:
        return list(found)
    floor = found[0].support - LATEST_MARGIN
    close = [e for e in found if e.support >= floor]
    rest = [e for e in found if e.support < floor]
    close.sort(key=lambda e: passages[e.passage].published or "", reverse=True)   # ISO dates sort as strings
    return close + rest


def day_words(iso: str) -> str:
    """An ISO date as people write it: "12 June 2022" ("" when it does not parse)."""
    from datetime import date

    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return ""
    return f"{day.day} {day:%B %Y}"


def source_time(chosen: Sequence[Evidence], passages: Sequence[Passage]) -> tuple[str, bool]:
    """When the quoted articles say it: ("As of 12 June 2022 (CNN): ", False) when they are of one day; ("", True)
    when of several days (each sentence then says its own); ("", False) when undated. News is true as of a date."""
    quoted = [passages[e.passage] for e in chosen]
    days = {p.published[:10] for p in quoted if p.published}
    if len(days) > 1:
        return "", True
    if not days or not (words := day_words(days.pop())):
        return "", False
    outlets = ", ".join(dict.fromkeys(p.outlet for p in quoted if p.outlet))
    return f"As of {words}{f' ({outlets})' if outlets else ''}: ", False
