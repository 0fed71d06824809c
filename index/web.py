"""Articles from the web: `qa ingest URL` fetches a news page, an RSS or Atom feed or a dump over HTTP(S) (httpx)
and reads it as the same file saved to disk would be read (index.loader, index.dumps).

Nothing is fetched unless a URL is given: the default stays offline. A page's article id comes from its URL
(host and path, "bbc.co.uk-news-world-asia-52241221"), so fetching it again updates the article instead of
adding a copy; a feed's entries keep their GUIDs as a feed file's do.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
from collections import OrderedDict
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, urlsplit

from index.article import Article, Skipped, parse_article, with_metadata
from index.html import extract_html
from index.metadata import field
from qa.errors import InputError

URL = re.compile(r"^https?://", re.IGNORECASE)
_SLUG = re.compile(r"[^A-Za-z0-9]+")
# query parameters that say where a reader came from, not which article: one article shared with them keeps its id
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|mc_cid|mc_eid|cmpid|ocid|ito|smid|ref|src)$", re.IGNORECASE)
_FEED_TYPES = ("rss", "atom", "xml")
_DUMP_TYPES = {"application/json": ".json", "application/x-ndjson": ".jsonl", "application/jsonl": ".jsonl",
               "text/csv": ".csv"}
_SUFFIXES = (".html", ".htm", ".php", ".asp", ".aspx", ".shtml", ".rss", ".atom", ".xml", ".json", ".jsonl", ".csv")
TIMEOUT_S = 30.0
# a URL says nothing of the articles it does not hold
PRUNE_NEEDS_FOLDER = "--prune removes what a folder no longer holds: it takes a folder, not a URL"


def is_url(source: object) -> bool:
    """Whether an ingest source is an http(s) URL rather than a path."""
    return isinstance(source, str) and bool(URL.match(source.strip()))


def url_name(url: str, limit: int = 80) -> str:
    """A stable article id for a URL: its host (without www.), path and query (without tracking parameters such as
    utm_source) as a slug, cut with a digest when long."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = host[4:] if host.startswith("www.") else host
    path = PurePosixPath(parts.path)
    path = path.with_suffix("") if path.suffix.lower() in _SUFFIXES else path
    query = "&".join(f"{k}={v}" for k, v in parse_qsl(parts.query) if not _TRACKING.match(k))
    slug = _SLUG.sub("-", f"{path}{'-' + query if query else ''}").strip("-")
    name = f"{host}-{slug}" if slug else host
    if len(name) > limit:
        name = f"{name[:limit - 17].rstrip('-')}-{hashlib.sha1(name.encode()).hexdigest()[:16]}"
    return name


def fetch(url: str, max_bytes: int, timeout: float = TIMEOUT_S) -> tuple[str, str, str]:
    """(final URL after redirects, content type, text) of a URL, read up to max_bytes.

    Raises:
        InputError: the server cannot be reached, answers with an error status, sends more than max_bytes or
            something that is not text (the message says which, in one line).
    """
    import httpx

    from index.loader import decode

    if not urlsplit(url).hostname:
        raise InputError(f"{url}: not a valid URL (no host)")
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=timeout,
                          headers={"User-Agent": "Mozilla/5.0 (compatible; newsqa/0.1)",
                                   "Accept": "text/html,application/xhtml+xml,application/rss+xml,"
                                             "application/atom+xml,application/xml;q=0.9,*/*;q=0.5"}) as response:
            if response.status_code >= 400:
                raise InputError(f"{url}: the server answered HTTP {response.status_code}"
                                 f" {response.reason_phrase}".rstrip())
            data = bytearray()
            for piece in response.iter_bytes():
                data += piece
                if len(data) > max_bytes:
                    raise InputError(f"{url}: too big (more than {max_bytes:,} bytes: QA_MAX_FILE_MB raises it)")
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            final = str(response.url)
            charset = response.charset_encoding
    except httpx.InvalidURL as err:
        raise InputError(f"{url}: not a valid URL ({err})") from err
    except httpx.TimeoutException as err:
        raise InputError(f"{url}: no answer within {timeout:g} s") from err
    except httpx.HTTPError as err:
        raise InputError(f"{url}: cannot fetch it ({type(err).__name__}: {err})") from err
    try:
        text = decode(bytes(data), first=charset)
    except InputError as err:
        raise InputError(f"{url}: {err}") from err
    return final, kind, text


def _looks_like_feed(kind: str, text: str) -> bool:
    if any(t in kind for t in _FEED_TYPES) and "html" not in kind:
        return True
    head = text.lstrip()[:500].lower()
    return head.startswith("<?xml") and ("<rss" in head or "<feed" in head or "<rdf" in head) or \
        head.startswith(("<rss", "<feed"))


def _at(url: str, where: str) -> str:
    """A record's place as the URL and its entry number: "name.xml:3" -> "URL:3"."""
    return f"{url}{where[where.rfind(':'):]}"


def load_url(url: str, max_bytes: int, fields: dict[str, str] | None = None, timeout: float = TIMEOUT_S,
             page_words: int = 0) -> tuple[list[Article], list[Skipped]]:
    """The articles at a URL: one from a news page, one per entry of a feed, one per record of a dump.

    Args:
        page_words: a feed entry with fewer words than this (a summary) gets the article text of the page it
            links to instead (with_pages); 0: entries as the feed has them.

    Returns:
        The articles and the records skipped with reasons (a page without article text is an error instead).

    Raises:
        InputError: the URL cannot be fetched, or a page holds no article text.
    """
    url = url.strip()
    final, kind, text = fetch(url, max_bytes, timeout)
    if not text.strip():
        raise InputError(f"{url}: the server sent an empty page")
    name = url_name(url)
    suffix = _DUMP_TYPES.get(kind) or next(
        (s for s in (".jsonl", ".json", ".csv") if urlsplit(final).path.lower().endswith(s)), "")
    if suffix or _looks_like_feed(kind, text):
        from index.dumps import read_dump

        found, skipped = read_dump(Path(name + (suffix or ".xml")), text, fields)
        if page_words and not suffix:
            found = with_pages(found, page_words, max_bytes, timeout)
        return ([dataclasses.replace(a, path=_at(url, a.path)) for a in found],
                [Skipped(_at(url, s.path), s.reason) for s in skipped])
    meta, body = extract_html(text) if "<" in text[:2000] else ({}, text)
    meta.setdefault("url", final)
    title = str(field(meta, "title")) if meta else ""
    article = parse_article(name, f"{title}\n\n{body}" if title else body, url)
    if len(article.body.encode()) > max_bytes:
        raise InputError(f"{url}: larger than {max_bytes / 1e6:g} MB")
    return [with_metadata(article, meta)], []


def with_pages(entries: list[Article], page_words: int, max_bytes: int, timeout: float = TIMEOUT_S) -> list[Article]:
    """Feed entries with fewer than page_words words, with the article text of the page each links to instead
    (fetched eight at a time; the feed's title, date, outlet, author and link stay). An entry whose page cannot
    be fetched, or holds no more than the summary, keeps the summary, with a warning when the fetch failed.
    A page once read is kept for the process (a `qa watch` round fetches only new entries' pages)."""
    from concurrent.futures import ThreadPoolExecutor

    short = [a for a in entries if a.url and is_url(a.url) and len(a.body.split()) < page_words]
    if not short:
        return entries
    with ThreadPoolExecutor(8) as pool:
        read = dict(zip((a.article_id for a in short), pool.map(lambda a: _page_text(a.url, max_bytes, timeout),
                                                                 short), strict=True))
    out = []
    for entry in entries:
        text, meta, problem = read.get(entry.article_id, ("", {}, ""))
        if text and len(text.split()) > len(entry.body.split()):
            try:
                page = parse_article(entry.article_id, f"{entry.title}\n\n{text}", entry.path)
            except InputError:
                out.append(entry)
                continue
            # what the feed says of the entry wins; the page fills what it leaves out (a date, an author)
            said = {"date": entry.date, "outlet": entry.outlet, "author": entry.author, "url": entry.url}
            entry = dataclasses.replace(with_metadata(page, {**meta, **{k: v for k, v in said.items() if v}}),
                                        warning=entry.warning)
        elif problem:
            entry = dataclasses.replace(entry, warning="; ".join(filter(None, (entry.warning, problem))))
        out.append(entry)
    return out


_PAGES: OrderedDict[str, tuple[str, dict[str, str]]] = OrderedDict()   # a cache: entry link -> its page's text
_PAGES_KEPT = 2000
_PAGES_LOCK = threading.Lock()


def _page_text(url: str, max_bytes: int, timeout: float) -> tuple[str, dict[str, str], str]:
    """(the article text of the page at url, its metadata, "") or ("", {}, why it could not be read)."""
    with _PAGES_LOCK:
        if url in _PAGES:
            _PAGES.move_to_end(url)
            return (*_PAGES[url], "")
    try:
        _, _, markup = fetch(url, max_bytes, timeout)
    except InputError as err:
        return "", {}, f"kept the feed's summary: {err}"
    meta, text = extract_html(markup) if "<" in markup[:2000] else ({}, markup)
    with _PAGES_LOCK:
        _PAGES[url] = (text, meta)
        while len(_PAGES) > _PAGES_KEPT:
            _PAGES.popitem(last=False)
    return text, meta, ""


def feed_list(source: str | Path, max_bytes: int = 5_000_000) -> list[str]:
    """The feed URLs an OPML subscription list (a file or a URL, as feed readers export them) names, in order.

    Raises:
        InputError: it cannot be read, is not OPML, or names no feed.
    """
    import xml.etree.ElementTree as ET  # noqa: N817

    from index.loader import read_text

    where = str(source)
    try:
        text = fetch(where, max_bytes)[2] if is_url(where) else read_text(Path(source), max_bytes)
    except OSError as err:
        raise InputError(f"{where}: cannot read it ({err.strerror or err})") from err
    except InputError as err:
        raise InputError(str(err) if str(err).startswith(where) else f"{where}: {err}") from err
    try:
        root = ET.fromstring(text.lstrip("\ufeff").strip())
    except ET.ParseError as err:
        raise InputError(f"{where}: not an OPML list of feeds ({err})") from err
    urls = [o.get("xmlUrl", "").strip() for o in root.iter("outline")]
    urls = list(dict.fromkeys(u for u in urls if is_url(u)))
    if root.tag.lower() != "opml" or not urls:
        raise InputError(f"{where}: not an OPML list of feeds (no outline with an http(s) xmlUrl)")
    return urls


def expand_lists(sources: list[str | Path]) -> list[str | Path]:
    """Sources with each OPML subscription list (.opml, a file or a URL) replaced by the feed URLs it names."""
    out: list[str | Path] = []
    for source in sources:
        if str(source).lower().rstrip("/").endswith(".opml"):
            out += feed_list(source)
        else:
            out.append(source)
    return out
