"""Which articles a question may draw on: a publication date range and outlets. The same filter restricts
dense retrieval (a Chroma `where` clause) and BM25 (a mask over its rows' dates and outlets: index.lexical), so
nothing outside it is ever retrieved or cited."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from index.metadata import iso_date, timestamp
from qa.errors import InputError

DAY = int(timedelta(days=1).total_seconds())
YEAR = re.compile(r"^(?:19|20)\d\d$")   # "--since 2024": from 1 January
YEAR_MONTH = re.compile(r"^((?:19|20)\d\d)-(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class Filter:
    """Articles published from `since` to `until` (inclusive, seconds since the epoch) by one of `outlets`."""

    since: int | None = None
    until: int | None = None
    outlets: tuple[str, ...] = ()

    def where(self) -> dict[str, Any] | None:
        """The Chroma `where` clause."""
        parts: list[dict[str, Any]] = []
        if self.since is not None:
            parts.append({"ts": {"$gte": self.since}})
        if self.until is not None:
            parts.append({"ts": {"$lte": self.until}})
        if self.outlets:
            parts.append({"outlet": {"$in": list(self.outlets)}})
        return None if not parts else parts[0] if len(parts) == 1 else {"$and": parts}

    def describe(self) -> str:
        """What the filter lets through, for a refusal that says so."""
        from datetime import datetime

        def day(ts: int) -> str:
            return datetime.fromtimestamp(ts, UTC).date().isoformat()

        parts = [f"since {day(self.since)}" if self.since is not None else "",
                 f"until {day(self.until)}" if self.until is not None else "",
                 f"from {', '.join(self.outlets)}" if self.outlets else ""]
        return " ".join(p for p in parts if p)


def make_filter(since: str | None = None, until: str | None = None, outlets: Iterable[str] | None = None,
                flags: str = "", as_of: str | date | None = None) -> Filter | None:
    """A Filter from what a user typed (None for none): ISO dates or times, a year or a year-month, or time words
    read as of the day asked (as_of, default today: "yesterday", "last week", "3 days ago", "June"). A date `until`
    covers that whole day, and time words their last day ("--until 'last month'": to its 30th or 31st).
    flags: what the user's errors name the fields with ("--" on the command line: "--since"; "" over HTTP, from
    Python and in the chat: "since").

    Raises:
        InputError: a bound that is neither a date nor time words, or a range that ends before it starts.
    """
    bounds = []
    for name, value in (("since", since), ("until", until)):
        text = str(value or "").strip()
        day = _bound(text, name == "since", as_of) if text else None
        if text and day is None:
            raise InputError(f"{flags}{name} {value!r} is not a date: use YYYY-MM-DD, an ISO 8601 time or time "
                             'words such as "yesterday", "last week", "3 days ago"')
        bounds.append(day)
    if None not in bounds and bounds[0] > bounds[1]:
        raise InputError(f"{flags}since {since} is after {flags}until {until}: no day is in that range")
    kept = tuple(o.strip() for o in (outlets or ()) if o and o.strip())
    return Filter(bounds[0], bounds[1], kept) if bounds != [None, None] or kept else None


def _bound(text: str, first: bool, as_of: str | date | None) -> int | None:
    """One bound in seconds since the epoch: a date's first second for since, its last for until (an ISO time
    as it stands); None when the text is no date."""
    parsed = iso_date(text)
    if parsed is not None:
        whole_day = not first and ":" not in text   # a date, not a time
        return timestamp(parsed) + (DAY - 1 if whole_day else 0)
    days = _days(text, as_of)
    if days is None:
        return None
    return timestamp(days[0 if first else 1].isoformat()) + (0 if first else DAY - 1)


def _days(text: str, as_of: str | date | None) -> tuple[date, date] | None:
    """The first and last day a year-month ("2024-06"), a year or time words cover; None when it names none."""
    from qa.timewords import as_of_date, days_named, month_days

    month = YEAR_MONTH.match(text)
    if month:
        year, number = map(int, month.groups())
        return month_days(year, number) if 1 <= number <= 12 else None
    if not (YEAR.match(text) or re.search(r"[a-z]", text, re.IGNORECASE)):   # "2030-13-01" is no date
        return None
    return days_named(text, as_of_date(as_of))
