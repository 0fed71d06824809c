"""Text -> Article: title, clean body, date/url when present, web boilerplate removed (no files here: the loader
reads folders, index.dumps reads dumps, both through this)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from index.metadata import field, trusted_date
from qa.errors import InputError

# Lines that are page furniture, never article text.
_BOILERPLATE = re.compile(
    r"""^(?:
        leave\ a\ (?:comment|reply) | write\ a\ comment | post\ a\ comment | comments?
      | share(?:\ this)?(?:\ article|\ story|\ post)? | share\ on\ \w+ | tweet | print | email
      | previous\ (?:article|post|story) | next\ (?:article|post|story) | related(?:\ articles|\ posts)?
      | back\ to\ (?:blog|top|news|home) | read\ more | continue\ reading | advertisement | sponsored
      | subscribe(?:\ now|\ to\ our\ newsletter)? | sign\ up.* | follow\ us.*
      | \d+\s*min(?:ute)?s?\ read | (?:photo|image|picture)\s*(?:credit|courtesy|source)?\s*:.* | credit\s*:.*
      | (?:by\ )?[A-Z]\S*\ [A-Z]\S*\ \|\ .* | all\ rights\ reserved.* | ©.* | \(c\)\ .*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# After these lines comes the headline of another article: drop it too.
_LINKS_NEXT = re.compile(r"^(?:previous|next)\ (?:article|post|story)$", re.IGNORECASE)
_META = re.compile(r"^(date|published|updated|url|source|link)\s*:\s*(.+)$", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:by\s+)?[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){1,3}$")
# "Seoul :", "MOSCOW (Reuters) -", "Washington —" opening the story: where it was filed, not what it says.
# ("Garden Weekly: Ten roses to plant..." is a topic label and stays: a Title Case place needs a space before
# its colon or dash (and no hyphen: "Top Story - Local"), an UPPER CASE one may go without.)
_DATELINE = re.compile(
    r"^(?!(?:THE|A|AN|UPDATE|UPDATED|NOTE|EDITOR|BREAKING|WATCH|OPINION|ANALYSIS|EXCLUSIVE|LIVE|CORRECTION|"
    r"WARNING|SUMMARY|DATE|Q|QUESTION|ANSWER|POLL)\b)(?i:(?!(?:The|A|An|Update|Breaking|Poll)\b))"
    r"(?:(?P<upper>[A-Z][A-Z.'-]+(?:\s[A-Z][A-Z.'-]+){0,2})(?:,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+)?))?\s*"
    r"(?:\([A-Z][\w ]{0,30}\)\s*)?(?::|--|[—–-])"
    r"|(?P<title>[A-Z][a-z.'-]+(?:\s[A-Z][a-z.'-]+){0,2})\s*(?:\([A-Z][\w ]{0,30}\))?\s(?::|[—–]))"
    r"\s+(?=[A-Z“\"'])")
_SENTENCE_END = re.compile(r"(?<=[.!?…”\"])\s+(?=[A-Z“\"])")
# Punctuation a scraper left percent-encoded in the prose ("Hawaii%2C Illinois", "Queen%27s", "%24185"): the
# space and the signs !"#$&'()*+,/:;?@[]{} ("%25", a percent sign, stays: "50%25" is ambiguous)
_ESCAPED = re.compile(r"%(2[0-46-9A-Fa-f]|3[ABFabf]|40|5[BDbd]|7[BDbd])")


@dataclass(frozen=True, slots=True)
class Article:
    """One news article, cleaned."""

    article_id: str
    title: str
    body: str
    path: str
    content_hash: str
    date: str = ""
    url: str = ""
    author: str = ""
    dateline: str = ""
    outlet: str = ""
    warning: str = ""          # e.g. a dump record's date that did not parse (kept as unknown)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that was not loaded, and why."""

    path: str
    reason: str


def _looks_like_headline(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 25 and not line.rstrip().endswith((".", ":", ";", ","))


def first_sentence(text: str, max_chars: int = 120) -> str:
    """The first sentence of text, cut at a word boundary within max_chars."""
    sentence = _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    if len(sentence) <= max_chars:
        return sentence
    return sentence[:max_chars].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def unescaped(text: str) -> str:
    """text with percent-encoded punctuation decoded in its words, links left as they are."""
    if "%" not in text:
        return text

    def word(found: re.Match[str]) -> str:
        token = found.group(0)
        if "://" in token or token.lower().startswith("www."):
            return token
        return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), token)

    return re.sub(r"\S+", word, text)


def parse_article(article_id: str, raw: str, path: str = "") -> Article:
    """Clean raw article text into an Article.

    Args:
        article_id: the file name without extension.
        raw: the file's text.
        path: where it came from, for reports.

    Returns:
        The article with title, body (boilerplate removed) and metadata.

    Raises:
        InputError: when nothing but boilerplate remains.
    """
    lines = [ln.strip().lstrip("#").strip() if ln.lstrip().startswith("#") else ln.strip()
             for ln in unescaped(raw.replace("\r\n", "\n").replace("\u00a0", " ")).split("\n")]
    meta: dict[str, str] = {}
    kept: list[str] = []
    skip_next_text = False
    for line in lines:
        if not line:
            continue
        if skip_next_text:
            skip_next_text = False
            if not _BOILERPLATE.match(line) and _looks_like_headline(line):
                continue
        if _LINKS_NEXT.match(line):
            skip_next_text = True
            continue
        if _BOILERPLATE.match(line):
            continue
        found = _META.match(line)
        if found and len(found.group(2)) <= 80 and ". " not in found.group(2):  # a field, not prose
            key = found.group(1).lower()
            meta["url" if key in ("url", "link", "source") else "date"] = found.group(2).strip()
            continue
        if kept and line == kept[-1]:  # headline printed twice
            continue
        kept.append(line)
    if not kept:
        raise InputError(f"{path or article_id}: no article text after removing boilerplate")

    title = ""
    if _looks_like_headline(kept[0]) and len(kept) > 1:
        title, body_lines = kept[0], kept[1:]
        if _BYLINE.match(body_lines[0]) and len(body_lines) > 1 and len(body_lines[0].split()) <= 4:
            meta["author"] = body_lines[0].removeprefix("By ").removeprefix("by ")
            body_lines = body_lines[1:]
    else:
        body_lines = kept
    dateline = _DATELINE.match(body_lines[0])
    if dateline and len(body_lines[0]) > dateline.end():
        meta["dateline"] = (dateline.group("upper") or dateline.group("title")).strip()
        body_lines = [body_lines[0][dateline.end():], *body_lines[1:]]
    if not title:
        title = first_sentence(body_lines[0])
    body = "\n".join(body_lines)
    digest = hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:16]
    return Article(article_id, title, body, path, digest,
                   meta.get("date", ""), meta.get("url", ""), meta.get("author", ""), meta.get("dateline", ""))


def with_metadata(article: Article, record: dict, overrides: dict[str, str] | None = None) -> Article:
    """The article with the date, outlet, author and URL a record (front matter, a dump's) gives; a date that
    does not parse is kept as unknown, with a warning. The content hash covers them, so an edit is seen."""
    raw_date = field(record, "date", overrides)
    date, warning = trusted_date(raw_date)
    outlet, author, url = (str(field(record, name, overrides)) for name in ("outlet", "author", "url"))
    digest = hashlib.sha256(f"{article.content_hash}|{date or ''}|{outlet}|{author}|{url}".encode()).hexdigest()[:16]
    return replace(article, date=date or ("" if raw_date or not article.date else article.date),
                   url=url or article.url, author=author or article.author, outlet=outlet,
                   content_hash=digest, warning=warning)
