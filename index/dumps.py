"""News dumps: one article per JSON line (.jsonl), per item of a JSON list (.json) or per CSV row (.csv), the
way crawlers, news APIs and datasets (CC-News, MultiHop-RAG's corpus) ship them.

Fields are found by their usual names (overridable, e.g. text=content). A record without text is skipped
and listed with its line number; a date that does not parse is kept as unknown, never guessed. Each record
gets a stable article id (its id, else its URL, else its text), so re-ingesting an edited dump updates
articles instead of duplicating them.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from index.loader import Article, Skipped, parse_article
from qa.errors import InputError

DUMP_SUFFIXES = (".jsonl", ".json", ".csv")
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
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def parse_fields(spec: str) -> dict[str, str]:
    """"text=content,date=ts" -> {"text": "content", "date": "ts"}.

    Raises:
        InputError: an unknown field or a malformed pair.
    """
    out: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in spec.split(","))):
        ours, _, theirs = pair.partition("=")
        if ours.strip() not in FIELDS or not theirs.strip():
            raise InputError(f"Bad field override {pair!r}: use NAME=COLUMN with NAME one of {', '.join(FIELDS)}")
        out[ours.strip()] = theirs.strip()
    return out


def iso_date(value: Any) -> str | None:
    """An ISO 8601 date (timezone kept) from the usual spellings; None when it does not parse."""
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
        return None


def _records(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    """(line or item number, record) of a dump; a line that is not JSON is yielded as an error string."""
    if path.suffix.lower() == ".jsonl":
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as err:
                    yield number, f"not valid JSON ({err.msg})"
    elif path.suffix.lower() == ".json":
        data = json.loads(text)
        items = data if isinstance(data, list) else data.get("articles") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise InputError(f"{path}: a .json dump must be a list of articles (or {{\"articles\": [...]}})")
        yield from enumerate(items, 1)
    else:
        for number, row in enumerate(csv.DictReader(io.StringIO(text)), 2):   # line 1 is the header
            yield number, row


def _field(record: dict[str, Any], name: str, overrides: dict[str, str]) -> str:
    keys = (overrides[name],) if name in overrides else FIELDS[name]
    lowered = {str(k).lower(): v for k, v in record.items()}
    for key in keys:
        value = record.get(key, lowered.get(key.lower()))
        if isinstance(value, dict):   # {"source": {"name": "Reuters"}}
            value = value.get("name") or value.get("title") or ""
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if v)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def article_id(stem: str, record_id: str, url: str, text: str) -> str:
    """A stable id: the dump's name and the record's id, else a digest of its URL, else of its text."""
    if record_id:
        key = _SAFE.sub("_", record_id).strip("._")[:80]
    else:
        key = hashlib.sha1((url or text).encode()).hexdigest()[:16]
    return f"{_SAFE.sub('_', stem)}-{key}"


def read_dump(path: Path, text: str, overrides: dict[str, str] | None = None) -> tuple[list[Article], list[Skipped]]:
    """The articles of one dump file, and the records skipped (with their line numbers and reasons).

    Raises:
        InputError: a .json file that is not a list of articles, or JSON that does not parse.
    """
    overrides = overrides or {}
    articles, skipped, seen = [], [], set()
    try:
        records = list(_records(path, text))
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: not valid JSON ({err.msg}, line {err.lineno})") from err
    for number, record in records:
        where = f"{path}:{number}"
        if isinstance(record, str) or not isinstance(record, dict):
            skipped.append(Skipped(where, record if isinstance(record, str) else "not an object"))
            continue
        body = _field(record, "text", overrides)
        if not body:
            skipped.append(Skipped(where, "no text"))
            continue
        title, url = _field(record, "title", overrides), _field(record, "url", overrides)
        aid = article_id(path.stem, _field(record, "id", overrides), url, body)
        if aid in seen:
            skipped.append(Skipped(where, f"duplicate article id {aid}"))
            continue
        date = iso_date(_field(record, "date", overrides))
        try:
            article = parse_article(aid, f"{title}\n\n{body}" if title else body, where)
        except InputError as err:
            skipped.append(Skipped(where, str(err).split(": ", 1)[-1]))
            continue
        outlet, author = _field(record, "outlet", overrides), _field(record, "author", overrides)
        warning = "" if date is not None else f"date {_field(record, 'date', overrides)!r} does not parse: unknown"
        meta = f"{date or ''}|{outlet}|{author}|{url}"
        digest = hashlib.sha256(f"{article.content_hash}|{meta}".encode()).hexdigest()[:16]
        articles.append(replace(article, date=date or "", url=url or article.url, author=author or article.author,
                                outlet=outlet, content_hash=digest, warning=warning))
        seen.add(aid)
    return articles, skipped
