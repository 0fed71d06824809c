"""An article's metadata by the names news data uses for it: the field table, ISO 8601 dates, and YAML front
matter at the top of a Markdown or text article."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "maintext", "description"),
    "title": ("title", "headline", "name"),
    "date": ("date", "published_at", "published", "pubDate", "publish_date", "date_publish", "datetime",
             "published_date", "time"),
    "outlet": ("outlet", "source", "publisher", "site_name", "sitename", "source_domain", "domain"),
    "author": ("author", "authors", "byline", "creator"),
    "url": ("url", "link", "href"),
    "id": ("id", "article_id", "uuid", "guid"),
}
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def iso_date(value: Any) -> str | None:
    """An ISO 8601 date (timezone kept) from the usual spellings; "" for none, None when it does not parse."""
    if isinstance(value, datetime | date):
        return value.isoformat() if isinstance(value, datetime) else datetime(value.year, value.month,
                                                                               value.day).isoformat()
    text = str(value).strip()
    if not text:
        return ""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat()   # RSS: "Thu, 13 Jun 2024 09:00:00 +0900"
    except (TypeError, ValueError, IndexError):
        pass
    ymd = _YMD.match(text)   # "2022/11/27", "2022.11.27", "2024-1-5"; "2030-13-01" is no date, not 13 January
    if ymd:
        try:
            return datetime(*map(int, ymd.groups())).isoformat()
        except ValueError:
            return None
    return _spelled(text)


_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DOTTED = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")   # 10.06.2013: day first, as Europe writes it


def _spelled(text: str) -> str | None:
    """A date as people spell it ("November 27, 2022", "27.11.2022", "27 novembre 2022"), read by dateparser:
    absolute dates only (a dump's "yesterday" means nothing now), day, month and year all given."""
    if len(text) > 64 or not re.search(r"\d{4}", text):
        return None
    import dateparser

    parsed = dateparser.parse(text, settings={"PARSERS": ["timestamp", "absolute-time"],
                                              "REQUIRE_PARTS": ["day", "month", "year"],
                                              **({"DATE_ORDER": "DMY"} if _DOTTED.search(text) else {})})
    return parsed.isoformat() if parsed is not None else None


def trusted_date(value: Any) -> tuple[str, str]:
    """(ISO date, warning) of an article's date: unknown ("") with a warning when it does not parse or is after
    today (a page's clock or a template's placeholder, never the day it was published)."""
    if value in (None, ""):
        return "", ""
    parsed = iso_date(value)
    if parsed is None:
        return "", f"date {str(value)!r} does not parse: unknown"
    if parsed[:10] > date.today().isoformat():
        return "", f"date {parsed[:10]} is after today: unknown"
    return parsed, ""


def field(record: dict[str, Any], name: str, overrides: dict[str, str] | None = None) -> Any:
    """The value of one of our fields in a record, looked up by its usual names (or the override), "" if none."""
    keys = (overrides[name],) if overrides and name in overrides else FIELDS[name]
    lowered = {str(k).lower(): v for k, v in record.items()}
    for key in keys:
        value = record.get(key, lowered.get(key.lower()))
        if isinstance(value, dict):   # {"source": {"name": "Reuters"}}
            value = value.get("name") or value.get("title") or ""
        if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
            value = _listed(value)    # "['Eric Cheung']", as a dump written from Python has it
        if isinstance(value, list):
            value = ", ".join(_names(value))
        if value not in (None, ""):
            return value if isinstance(value, datetime | date) else str(value).strip()
    return ""


def _listed(text: str) -> Any:
    """A list written as text (Python or JSON), or the text when it is none."""
    import ast

    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text
    return value if isinstance(value, list) else text


def _names(values: list[Any]) -> list[str]:
    """The distinct non-empty entries; one that is only the others run together ("Ann Lee Bo Chan" beside
    "Ann Lee" and "Bo Chan") goes."""
    names = list(dict.fromkeys(str(v).strip() for v in values if v and str(v).strip()))
    return [n for n in names if len(names) < 3 or n != " ".join(m for m in names if m != n)]


def front_matter(raw: str) -> tuple[dict[str, Any], str]:
    """(the YAML front matter's mapping, the text after it); ({}, raw) when there is none or it is not YAML."""
    found = _FRONT.match(raw)
    if not found:
        return {}, raw
    import yaml

    try:
        data = yaml.safe_load(found.group(1))
    except yaml.YAMLError:
        return {}, raw
    return (data, raw[found.end():]) if isinstance(data, dict) else ({}, raw)


def timestamp(iso: str) -> int | None:
    """Seconds since the epoch of an ISO 8601 date (UTC when it names no timezone); None when unknown."""
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:

        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
