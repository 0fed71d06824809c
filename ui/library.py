"""The library tab's handlers: list the articles, add uploaded files (names cannot leave the data dir),
remove an article. Every change goes through the pipeline, so the next question sees it."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from index.loader import READ_SUFFIXES
from qa.errors import QAError

COLUMNS = ["title", "id", "outlet", "published", "chunks", "added", "size (chars)"]
# at 1280 px the title wraps while the short columns keep room to be read on one line
COLUMN_WIDTHS = ["34%", "18%", "14%", "11%", "7%", "9%", "7%"]
REFRESH_SECONDS = 3


def refresher(pipeline: Any) -> Any:
    """The library timer's handler: the table again when the collection changed since it last looked (a change
    by another process too), else nothing sent."""
    import gradio as gr

    seen: dict[str, str] = {}

    def refresh() -> Any:
        try:
            generation = pipeline.store().generation()
        except QAError:
            return gr.skip()
        if seen.get("generation") == generation:
            return gr.skip()
        seen["generation"] = generation
        return table(pipeline)

    return refresh
ALLOWED = READ_SUFFIXES   # what `qa ingest` reads (the upload's size limit applies to each file)


def table(pipeline: Any) -> list[list[Any]]:
    """Rows of the library table."""
    try:
        articles = pipeline.articles()
    except QAError:
        return []
    rows = [[a["title"], a["id"], a.get("outlet", ""), str(a.get("published", ""))[:10], a["chunks"], a["added"],
             a["size"]] for a in articles]
    return sorted(rows, key=lambda r: r[3], reverse=True)   # newest first; the table sorts by any column


def safe_name(name: str) -> str:
    """A file name that stays inside the upload folder: no directories, no dot-files, plain characters."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "article"
    return f"{stem[:120]}{suffix}"


def add_files(pipeline: Any, files: list[Any] | None, progress: Any = None) -> str:
    """Copy files uploaded in the Library tab into <data dir>/library and ingest them one by one.

    Returns:
        A one-line report for the user.
    """
    if not files:
        return "Choose articles (.txt, .md, .html), dumps (.jsonl, .json, .csv) or feeds (.rss, .atom, .xml) first."
    uploads = [(getattr(item, "orig_name", None) or Path(getattr(item, "name", None) or str(item)).name,
                Path(getattr(item, "name", None) or str(item))) for item in files]
    done, problems = add_uploads(pipeline, uploads, progress)
    line = f"Added {done} article(s)."
    return line + (" Skipped: " + "; ".join(problems) if problems else "")


def add_uploads(pipeline: Any, uploads: list[tuple[str, Path | bytes]], progress: Any = None) -> tuple[int, list[str]]:
    """Write uploads (original name, a file or its bytes) into <data dir>/library under sanitised names and
    ingest them one by one (the Library tab and `POST /v1/articles` alike).

    Returns:
        (articles added or updated, one problem line per file that was not).
    """
    folder = (Path(pipeline.settings.data_dir) / "library").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    done, problems = 0, []
    for i, (original, source) in enumerate(uploads):
        name = safe_name(original)
        if Path(name).suffix not in ALLOWED:
            problems.append(f"{original}: not an article, dump or feed ({', '.join(ALLOWED)})")
            continue
        target = (folder / name).resolve()
        if target.parent != folder:  # belt and braces: safe_name never lets this happen
            problems.append(f"{original}: bad file name")
            continue
        if progress is not None:
            progress((i, len(uploads)), desc=f"Adding {name}")
        if isinstance(source, bytes):
            target.write_bytes(source)
        else:
            shutil.copyfile(source, target)
        try:
            report = pipeline.ingest(target)
        except QAError as err:
            problems.append(f"{original}: {err}")
            continue
        problems += [f"{Path(s.path).name}: {s.reason}" for s in report.skipped]
        done += report.added + report.updated + report.unchanged
    return done, problems


def add_url(pipeline: Any, url: str | None) -> str:
    """Fetch a news page, feed or dump from a web address typed in the Library tab and ingest it (index.web).

    Returns:
        A one-line report for the user.
    """
    url = (url or "").strip()
    if not url:
        return "Type the web address of a news page or feed first."
    from index.web import is_url

    if not is_url(url):
        return f"⚠ {url}: a web address starts with http:// or https://"
    try:
        report = pipeline.ingest(url)
    except QAError as err:
        return f"⚠ {err}"
    line = f"Added {report.added + report.updated + report.unchanged} article(s) from {url}."
    if report.skipped:
        line += " Skipped: " + "; ".join(f"{s.path}: {s.reason}" for s in report.skipped)
    if report.warnings:   # a feed whose pages are gone warns once per entry: the first few say enough
        more = len(report.warnings) - 3
        line += " Warnings: " + "; ".join(report.warnings[:3]) + (f"; and {more} more" if more > 0 else "")
    return line


def remove(pipeline: Any, article_id: str | None) -> str:
    """Remove one article; the next question no longer sees it."""
    if not article_id:
        return "Pick an article to remove."
    try:
        chunks = pipeline.remove(article_id)
    except QAError as err:
        return f"⚠ {err}"
    return f"Removed {article_id} ({chunks} chunks)."
