"""Time words in a question ("this week", "last month", "in June", "since March", "recently") as the range of
publication dates they point at, relative to the date the question is asked ("as of").

dateparser reads the expressions and says how wide each is (a day, a week, a month, a year); this module only
finds where a time expression may stand and turns its width into a range. The range is a preference (retrieval
adds the articles published in it, and among near-equal evidence they win), not a filter: --since/--until are.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from qa.errors import InputError

MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
         r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
UNIT = r"(?:day|week|month|year|weekend)s?"
DAY_YEAR = r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+(?:19|20)\d\d)?"   # "June", "June 4", "June 4, 2023"
# where a time expression may stand; a bare month name counts only after a preposition or with a day or year
# ("May" and "March" are words too), a bare year only after in/during/since
EXPRESSION = re.compile(
    r"\b(?:(?P<since>since)\s+)?(?P<when>"
    r"(?:this|last|past|previous)\s+(?:few\s+|couple\s+of\s+|\d+\s+)?" + UNIT +
    r"|yesterday|today|tonight|(?:\d+|a|one|two|three|four|five|six)\s+" + UNIT + r"\s+ago"
    r"|(?:(?:in|on|during|early|late|mid|last|this)[\s-]+)" + MONTH + DAY_YEAR +
    r"|" + MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?|" + MONTH + r",?\s+(?:19|20)\d\d"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + MONTH + r"(?:,?\s+(?:19|20)\d\d)?"
    r"|(?<=since\s)" + MONTH + r"|(?:on|last|this)\s+" + WEEKDAY + r"|(?:in|during)\s+(?:19|20)\d\d)(?:['’]s)?\b",
    re.IGNORECASE)
# asks about what is new without naming when: the last RECENT_DAYS (a "latest" question also prefers the newest
# among near-equal sentences: qa.dated.prefer_recent)
RECENT = re.compile(r"\b(?:recent(?:ly)?|latest|newest|most recent|just|lately|these days|this season)\b",
                    re.IGNORECASE)
RECENT_DAYS = 30
# "the past week", "past few days", "the last 7 days" (a bare "last week" is the week before: dateparser reads it)
PAST = re.compile(r"^(?:the\s+)?(?:past\s+(?P<count>\d+\s+|few\s+|couple\s+of\s+)?|last\s+(?P<last>\d+\s+|few\s+"
                  r"|couple\s+of\s+))(?P<unit>day|week|month|year)s?$", re.IGNORECASE)
COUNTS = {"few": 3, "couple": 2}
AGO = re.compile(r"^(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+" + UNIT + r"\s+ago$", re.I)
SPANS = {"day": 1, "week": 7, "weekend": 3, "month": 31, "year": 366}
# news is reported after it happens: a range reaches this many days past the time named (up to as_of)
LAG = {"day": 3, "week": 3, "month": 7, "year": 90}


@dataclass(frozen=True, slots=True)
class Period:
    """Publication dates a question's time words point at (inclusive ISO days), as understood on as_of."""

    start: str
    end: str
    words: str      # the words it was read from ("this week", "recently")
    as_of: str
    implicit: bool = False  # named by no time words: news is asked about as it stands (a weaker preference)

    def holds(self, published: str) -> bool:
        """Whether an article of this ISO date falls in the range."""
        return bool(published) and self.start <= published[:10] <= self.end

    def describe(self) -> str:
        """How --explain shows it."""
        span = self.start if self.start == self.end else f"{self.start} to {self.end}"
        said = "no time words, recent news preferred" if self.implicit else f'"{self.words}"'
        return f"{said}: published {span} (as of {self.as_of})"


def as_of_date(value: str | date | None) -> date:
    """The day a question is asked: an ISO date or date (default today).

    Raises:
        InputError: a value that is not an ISO date.
    """
    if value is None or value == "":
        return date.today()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InputError(f"as of {value!r} is not a date: use YYYY-MM-DD") from None


def period_of(question: str, as_of: date, recent_days: int = 0) -> Period | None:
    """The publication range a question's time words point at; without time words, the last recent_days (news
    is asked about as it stands: among near-equal evidence the recent article wins), or None when 0."""
    for found in EXPRESSION.finditer(question):
        words = found.group("when")
        span = _span(re.sub(r"['’]s$", "", words), as_of)
        if span is None:
            continue
        start, end = span
        if found.group("since"):
            end = as_of
        if start > as_of:            # "in June" asked in May: the June before
            continue
        return Period(start.isoformat(), min(end, as_of).isoformat(), found.group(0).strip(), as_of.isoformat())
    recent = RECENT.search(question)
    if recent:
        return Period((as_of - timedelta(days=RECENT_DAYS)).isoformat(), as_of.isoformat(), recent.group(0),
                      as_of.isoformat())
    if recent_days:
        return Period((as_of - timedelta(days=recent_days)).isoformat(), as_of.isoformat(), "", as_of.isoformat(),
                      implicit=True)
    return None


def _span(words: str, as_of: date) -> tuple[date, date] | None:
    """The first and last day an expression covers, the last pushed on by the time news takes to be reported."""
    covered = _covered(words, as_of)
    if covered is None:
        return None
    start, end, width = covered
    return start, end + timedelta(days=LAG.get(width, 0))


def days_named(words: str, as_of: date) -> tuple[date, date] | None:
    """The first and last day a time expression typed as a filter bound covers, relative to as_of ("yesterday",
    "last week", "June", "this month"; "3 days ago" is that very day); None when it names no time."""
    words = words.strip()
    if not words or len(words) > 40:
        return None
    if AGO.match(words):
        parsed = _parser(as_of.isoformat()).get_date_data(words)
        return None if parsed is None or parsed.date_obj is None else (parsed.date_obj.date(),) * 2
    covered = _covered(words, as_of)
    return None if covered is None else covered[:2]


def _covered(words: str, as_of: date) -> tuple[date, date, str] | None:
    """The first and last day an expression covers, and how wide it is (day, week, month, year)."""
    words = re.sub(r"^(?:in|on|during)\s+", "", words.strip(), flags=re.IGNORECASE)
    past = PAST.match(words)
    if past:                         # "the past week", "the last 3 days": the days up to today
        count = (past.group("count") or past.group("last") or "1").split()[0].lower()
        days = SPANS[past.group("unit").lower()] * (int(count) if count.isdigit() else COUNTS.get(count, 1))
        return as_of - timedelta(days=min(max(days, 1), 36_600) - 1), as_of, "past"
    parsed = _parser(as_of.isoformat()).get_date_data(re.sub(r"^(?:early|late|mid)[\s-]+", "", words, flags=re.I))
    if parsed is None or parsed.date_obj is None:
        return None
    day, width = parsed.date_obj.date(), parsed.period or "day"
    if width == "week":              # the seven days ending on the day meant ("this week": up to today)
        return day - timedelta(days=6), day, width
    if width == "month" and words.lower().startswith("this"):   # the last month's days, not only since the 1st
        return as_of - timedelta(days=SPANS["month"] - 1), as_of, width
    if width == "month":
        return (*month_days(day.year, day.month), width)
    if width == "year":
        return day.replace(month=1, day=1), day.replace(month=12, day=31), width
    return day, day, "day"


def month_days(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month."""
    start = date(year, month, 1)
    return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@lru_cache(maxsize=8)
def _parser(as_of: str):
    """A dateparser reader for English dates relative to as_of (cached per day: building one takes ~0.1 s)."""
    from dateparser.date import DateDataParser

    base = datetime.fromisoformat(as_of)
    return DateDataParser(languages=["en"], settings={
        "RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True})
