"""`qa watch DIR`: ingest a folder, then every file that arrives in it or changes (watchdog), until stopped.
`qa watch URL...`: ingest feeds (or pages) now and again every few minutes, until stopped.

Each change re-runs the same incremental, crash-safe ingest as `qa ingest` (unchanged articles are skipped by
their hash), once the folder has been quiet for a moment, so a file still being copied is read when it is whole.
Killed mid-ingest, the next start finishes the job: the ingest's manifest says what was half-written.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from qa.errors import InputError, QAError

QUIET = 0.3   # seconds without a new event before the folder is ingested
EVERY = 900.0   # seconds between two fetches of a followed URL


def watch(pipeline: Any, folder: Path, *, prune: bool = False, say: Callable[[str], None] = print,
          stop: threading.Event | None = None, quiet: float = QUIET) -> None:
    """Ingest folder now and after every change under it until stop is set.

    Args:
        pipeline: the NewsQA whose collection gets the articles.
        folder: the folder to watch (recursively; hidden files and other types are ignored).
        prune: also remove the articles of files that are deleted.
        say: where each ingest's summary line goes.
        stop: set it to stop watching (the CLI sets it on SIGINT or SIGTERM).
        quiet: seconds without events before an ingest starts.

    Raises:
        InputError: folder is not a directory.
    """
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    from index.loader import READ_SUFFIXES  # the file types an ingest reads

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"No such folder: {folder} (qa watch takes a folder)")
    changed = threading.Event()

    class Changes(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.is_directory or event.event_type in ("opened", "closed_no_write"):
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                path = Path(str(raw)) if raw else None
                if path is not None and path.suffix.lower() in READ_SUFFIXES and not _hidden(path, folder):
                    changed.set()

    stop = stop or threading.Event()
    _ingest(pipeline, folder, prune, say)
    observer = Observer()
    observer.schedule(Changes(), str(folder), recursive=True)
    observer.start()
    say(f"Watching {folder} (Ctrl-C stops)")
    try:
        while not stop.is_set():
            if not changed.wait(0.1):
                continue
            while changed.is_set():           # wait until the folder is quiet: a copy in progress finishes first
                changed.clear()
                time.sleep(quiet)
            _ingest(pipeline, folder, prune, say)
    finally:
        observer.stop()
        observer.join()


def follow(pipeline: Any, urls: str | Sequence[str], *, every: float = EVERY, say: Callable[[str], None] = print,
           stop: threading.Event | None = None) -> None:
    """Ingest URLs (feeds, most often) now and every `every` seconds until stop is set: new entries are added,
    changed ones replaced, unchanged ones skipped by their hash. Each round is one ingest of them all.

    Raises:
        InputError: a first fetch fails (a wrong URL is an error at once, and nothing is ingested); in a later
            round a URL that fails is said as a warning, the others are ingested, and the next round tries again.
    """
    if every <= 0:
        raise InputError(f"--every must be more than 0 seconds, got {every:g}")
    urls = [urls] if isinstance(urls, str) else list(urls)
    stop = stop or threading.Event()
    _ingest(pipeline, urls, False, say)
    say(f"Following {', '.join(urls)} every {_duration(every)} (Ctrl-C stops)")
    while not stop.wait(every):
        try:
            _ingest(pipeline, urls, False, say)
        except QAError:   # one at a time, so that one that fails does not hold the others back
            for url in urls:
                try:
                    _ingest(pipeline, [url], False, say)
                except QAError as err:   # a fetch that fails, or the store busy: the next round tries again
                    say(f"warning: {err} (trying again in {_duration(every)})")


def parse_every(text: str) -> float:
    """"90", "90s", "15m", "1h" -> seconds.

    Raises:
        InputError: anything else.
    """
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", str(text).lower())
    if not found:
        raise InputError(f"--every {text!r} is not a duration: use seconds, or 15m, 1h")
    return float(found.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[found.group(2)]


def _duration(seconds: float) -> str:
    for unit, size in (("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"


def _ingest(pipeline: Any, folder: Path | str | Sequence[str], prune: bool, say: Callable[[str], None]) -> None:
    for line in pipeline.ingest(folder, prune=prune).lines():
        say(line)


def _hidden(path: Path, folder: Path) -> bool:
    try:
        return any(part.startswith(".") for part in path.relative_to(folder).parts)
    except ValueError:
        return True
