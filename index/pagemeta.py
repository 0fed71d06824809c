"""A saved page's own word on its headline and publication date, and titles without the site's decoration.

Pages say when they were published in JSON-LD (`datePublished`) and in `article:published_time`; trafilatura's
date (htmldate) is the fallback. The modified date is never taken. Titles come as the page gives them
("Meet the artist - LA Weekly", "Berlin ... | DW | 19.01.2020"): the outlet's name and dates at either end go.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from index.metadata import iso_date

SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|»|·)\s+")
MOJIBAKE = re.compile("[âÃ][\x80-\xbf]|\ufffd")


def page_facts(markup: str) -> dict[str, str]:
    """og:title, the JSON-LD headline and datePublished, article:published_time of a page ("" when absent)."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(markup.encode("utf-8", "replace"))
    except (ValueError, lxml.etree.ParserError):
        return {}
    facts = {"og_title": _first(tree.xpath('//meta[@property="og:title"]/@content')),
             "published_time": _first(tree.xpath('//meta[@property="article:published_time"]/@content'))}
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for node in _nodes(data):
            if not facts.get("ld_published") and isinstance(node.get("datePublished"), str):
                facts["ld_published"] = node["datePublished"]
            if not facts.get("ld_headline") and isinstance(node.get("headline"), str):
                facts["ld_headline"] = node["headline"]
    return {k: " ".join(v.split()) for k, v in facts.items() if v}


def published(facts: dict[str, str], title: str, fallback: str) -> str:
    """The publication date: JSON-LD datePublished, article:published_time, a date the title carries, then
    trafilatura's; the first that parses."""
    in_title = [part for part in SEPARATORS.split(title) if _is_date(part)]
    for value in (facts.get("ld_published"), facts.get("published_time"), *in_title, fallback):
        if value and iso_date(value):
            return value
    return fallback


def headline(facts: dict[str, str], title: str) -> str:
    """The page's headline: trafilatura's title, unless it looks broken (one lower-case word, mojibake) where
    og:title or the JSON-LD headline does not."""
    for candidate in (title, facts.get("og_title", ""), facts.get("ld_headline", "")):
        if candidate and not _broken(candidate):
            return candidate
    return title


def clean_title(title: str, outlet: str) -> str:
    """The title without the outlet's name and dates at either end: "Forex motion defeated - Newsday" ->
    "Forex motion defeated" (when the outlet is Newsday); a title that is nothing else stays as it is."""
    whole = SEPARATORS.split(title.strip())
    start, end = 0, len(whole)         # the segments kept: whole[start:end]
    named = [i for i, part in enumerate(whole) if i and _is_outlet(part, outlet)]
    if named:                        # "Title - WSVN 7News | Miami News, Weather | Fort Lauderdale": the site's tagline
        end = named[0]
    while end - start > 1 and _is_date(whole[end - 1]):
        end -= 1
    while end - start > 1 and (_is_outlet(whole[start], outlet) or _is_date(whole[start])):
        start += 1
    if (start, end) == (0, len(whole)):
        return title.strip()
    # rejoin what stays with the separators it had ("Sixers - Celtics" inside a title is the title's own)
    pieces = re.split(f"({SEPARATORS.pattern})", title.strip())
    return "".join(pieces[2 * start: 2 * end - 1]).strip()


def clean_outlet(outlet: str) -> str:
    """A site name without its tagline: "The Tico Times | Costa Rica News | Travel" -> "The Tico Times"."""
    return SEPARATORS.split(outlet.strip())[0].strip() if outlet else ""


def _is_outlet(part: str, outlet: str) -> bool:
    """Whether a title's end names the outlet ("LA Weekly", "WSVN 7News | Miami News" for WSVN 7News)."""
    if not outlet:
        return False
    a, b = _key(part), _key(clean_outlet(outlet))
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def _is_date(part: str) -> bool:
    return bool(re.fullmatch(r"[\d./-]{8,10}", part.strip())) and bool(iso_date(part.strip()))


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", re.sub(r"^the\s+|\.(?:com|co\.uk|org|net)$", "", text.lower()))


def _broken(title: str) -> bool:
    return bool(MOJIBAKE.search(title)) or (" " not in title.strip() and title.strip().islower())


def _first(values: list[Any]) -> str:
    return str(values[0]) if values else ""


def _nodes(data: Any) -> Iterator[dict]:
    """Every object of a JSON-LD document (@graph and lists included)."""
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in data:
                yield from _nodes(data[key])
