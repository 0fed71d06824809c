"""News dumps: one article per JSON line (.jsonl), per item of a JSON list (.json), per CSV row (.csv), the
way crawlers, news APIs and datasets (CC-News, MultiHop-RAG's corpus) ship them, or per entry of an RSS or Atom
feed (.rss, .atom, .xml: index.feeds).

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
from pathlib import Path
from typing import Any

from index.article import Article, Skipped, parse_article, with_metadata
from index.feeds import FEED_SUFFIXES, feed_records
from index.metadata import FIELDS, field
from qa.errors import InputError

DUMP_SUFFIXES = (".jsonl", ".json", ".csv", *FEED_SUFFIXES)
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


def _records(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    """(line or item number, record) of a dump; a line that is not JSON is yielded as an error string."""
    if path.suffix.lower() == ".jsonl":
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as err:
                    yield number, f"not valid JSON ({err.msg})"
    elif path.suffix.lower() in FEED_SUFFIXES:
        yield from feed_records(path, text)
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
    return str(field(record, name, overrides))


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
    articles, skipped = [], []
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
        aid = article_id(path.stem, _field(record, "id", overrides), url, body)   # duplicates: load_articles
        try:
            article = parse_article(aid, f"{title}\n\n{body}" if title else body, where)
        except InputError as err:
            skipped.append(Skipped(where, str(err).split(": ", 1)[-1]))
            continue
        articles.append(with_metadata(article, record, overrides))
    return articles, skipped
