"""Files -> Article: each file of a folder read, web pages and front matter parsed, dumps handed to index.dumps."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from index.article import Article, Skipped, parse_article, with_metadata
from index.dumps import DUMP_SUFFIXES, read_dump
from index.html import extract_html
from index.metadata import field, front_matter
from qa.errors import InputError

__all__ = ["Article", "Skipped", "load_articles", "parse_article", "read_text", "with_metadata"]

SUFFIXES = (".txt", ".md", ".html", ".htm")
READ_SUFFIXES = (*SUFFIXES, *DUMP_SUFFIXES)   # every file an ingest reads: articles, and dumps and feeds of many
MAX_FILE_BYTES = 5_000_000  # a news article is far smaller: anything bigger is not one
DUMP_MAX_BYTES = 2_000_000_000  # a dump of many articles: the article limit applies to each record


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A file's text: UTF-8, else cp1252 when that decodes it cleanly (HTML as it is: see extract_html).

    Raises:
        InputError: binary, too big, or no known text encoding (the message is the reason).
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"too big ({size:,} bytes, limit {max_bytes:,}: QA_MAX_FILE_MB raises it)")
    return decode(path.read_bytes())


def decode(data: bytes, first: str | None = None) -> str:
    """Bytes as text: in the encoding named first (a server's charset), else UTF-8, else cp1252.

    Raises:
        InputError: binary (a NUL byte near the start), or no known text encoding.
    """
    if b"\x00" in data[:8192]:
        raise InputError("binary file")
    for encoding in dict.fromkeys(e for e in (first, "utf-8", "cp1252") if e):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError("not text in UTF-8 or cp1252")


def load_articles(folder: Path | str, max_bytes: int = MAX_FILE_BYTES, fields: dict[str, str] | None = None,
                  page_words: int = 0) -> tuple[list[Article], list[Skipped]]:
    """Load every article file (.txt, .md, .html) and every dump (.jsonl, .json, .csv) under folder (recursively).

    Args:
        folder: a directory, a single file, or an http(s) URL (index.web: a page, feed or dump).
        max_bytes: larger articles are skipped (a dump's limit is per record).
        fields: dump field overrides ({"text": "content"}).
        page_words: a feed fetched from a URL: entries of fewer words get their pages' text (index.web.with_pages).

    Returns:
        The articles in path order, and the files skipped with reasons.

    Raises:
        InputError: when the folder does not exist.
    """
    from index.web import is_url, load_url

    if is_url(folder):
        return load_url(str(folder), max_bytes, fields, page_words=page_words)
    folder = Path(folder)
    if not folder.exists():
        raise InputError(f"No such file or folder: {folder}")
    paths = [folder] if folder.is_file() else sorted(
        p for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    articles: list[Article] = []
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    for path in paths:
        if path.suffix.lower() in DUMP_SUFFIXES:
            try:
                found, bad = read_dump(path, read_text(path, DUMP_MAX_BYTES), fields)
            except InputError as err:
                skipped.append(Skipped(str(path), str(err).split(": ", 1)[-1]))
                continue
            for article in found:
                if len(article.body.encode()) > max_bytes:
                    bad.append(Skipped(article.path, f"larger than {max_bytes / 1e6:g} MB"))
                elif article.article_id in seen:
                    bad.append(Skipped(article.path, f"duplicate article id {article.article_id}"))
                else:
                    articles.append(article)
                    seen[article.article_id] = article.path
            skipped += bad
            continue
        if path.suffix.lower() not in SUFFIXES:
            skipped.append(Skipped(str(path), f"unsupported type {path.suffix or '(none)'}"))
            continue
        try:
            raw = read_text(path, max_bytes)
        except InputError as err:
            skipped.append(Skipped(str(path), str(err)))
            continue
        except OSError as err:
            skipped.append(Skipped(str(path), f"cannot read: {err.strerror or err}"))
            continue
        if not raw.strip():
            skipped.append(Skipped(str(path), "empty file"))
            continue
        if path.stem in seen:
            skipped.append(Skipped(str(path), f"duplicate article id {path.stem} (also {seen[path.stem]})"))
            continue
        meta, text = extract_html(raw) if path.suffix.lower() in (".html", ".htm") else front_matter(raw)
        title = str(field(meta, "title")) if meta else ""
        try:
            article = parse_article(path.stem, f"{title}\n\n{text}" if title else text, str(path))
            articles.append(with_metadata(article, meta) if meta else article)
        except InputError as err:
            skipped.append(Skipped(str(path), str(err).split(": ", 1)[-1]))
            continue
        seen[path.stem] = str(path)
    return articles, skipped


def load_sources(sources: Sequence[Path | str], max_bytes: int = MAX_FILE_BYTES,
                 fields: dict[str, str] | None = None, page_words: int = 0) -> tuple[list[Article], list[Skipped]]:
    """The articles of several folders, files and URLs (load_articles of each, in order); an article id met again
    is skipped, naming where it was first (unless it is the same file again: a file and its folder both named).

    Raises:
        InputError: a folder that does not exist or a URL that cannot be fetched.
    """
    articles: list[Article] = []
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    for source in sources:
        found, bad = load_articles(source, max_bytes, fields, page_words)
        skipped += bad
        for article in found:
            if article.article_id in seen and _same_file(seen[article.article_id], article.path):
                continue
            if article.article_id in seen:
                skipped.append(Skipped(article.path, f"duplicate article id {article.article_id} "
                                                     f"(also {seen[article.article_id]})"))
            else:
                seen[article.article_id] = article.path
                articles.append(article)
    return articles, skipped


def _same_file(first: str, then: str) -> bool:
    return first == then or (Path(first).exists() and Path(then).exists() and Path(first).samefile(then))
