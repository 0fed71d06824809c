"""Which articles a question may draw on: a publication date range and outlets. The same filter restricts
dense retrieval (a Chroma `where` clause) and BM25 (a mask over its rows' dates and outlets: index.lexical), so
nothing outside it is ever retrieved or cited."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from index.metadata import iso_date, timestamp
from qa.errors import InputError

DAY = int(timedelta(days=1).total_seconds())


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


def make_filter(since: str | None = None, until: str | None = None,
                outlets: Iterable[str] | None = None, flags: str = "") -> Filter | None:
    """A Filter from what a user typed (ISO dates; a bare date `until` covers that whole day); None for none.
    flags: what the user's errors name the fields with ("--" on the command line: "--since"; "" over HTTP, from
    Python and in the chat: "since").

    Raises:
        InputError: a date that does not parse, or a range that ends before it starts.
    """
    bounds = []
    for name, value in (("since", since), ("until", until)):
        parsed = iso_date(value) if value else ""
        if parsed is None:
            raise InputError(f"{flags}{name} {value!r} is not a date: use YYYY-MM-DD (or an ISO 8601 time)")
        ts = timestamp(parsed) if parsed else None
        if ts is not None and name == "until" and len(str(value).strip()) == 10:
            ts += DAY - 1
        bounds.append(ts)
    if None not in bounds and bounds[0] > bounds[1]:
        raise InputError(f"{flags}since {since} is after {flags}until {until}: no day is in that range")
    kept = tuple(o.strip() for o in (outlets or ()) if o and o.strip())
    return Filter(bounds[0], bounds[1], kept) if bounds != [None, None] or kept else None
