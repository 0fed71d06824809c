"""`qa watch DIR`: ingest a folder, then every file that arrives in it or changes (watchdog), until stopped.

Each change re-runs the same incremental, crash-safe ingest as `qa ingest` (unchanged articles are skipped by
their hash), once the folder has been quiet for a moment, so a file still being copied is read when it is whole.
Killed mid-ingest, the next start finishes the job: the ingest's manifest says what was half-written.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa.errors import InputError

QUIET = 0.3   # seconds without a new event before the folder is ingested


def watched_suffixes() -> tuple[str, ...]:
    """The file types an ingest reads (articles, dumps, feeds)."""
    from index.dumps import DUMP_SUFFIXES
    from index.loader import SUFFIXES

    return (*SUFFIXES, *DUMP_SUFFIXES)


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

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"No such folder: {folder} (qa watch takes a folder)")
    suffixes = watched_suffixes()
    changed = threading.Event()

    class Changes(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.is_directory or event.event_type in ("opened", "closed_no_write"):
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                path = Path(str(raw)) if raw else None
                if path is not None and path.suffix.lower() in suffixes and not _hidden(path, folder):
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


def _ingest(pipeline: Any, folder: Path, prune: bool, say: Callable[[str], None]) -> None:
    for line in pipeline.ingest(folder, prune=prune).lines():
        say(line)


def _hidden(path: Path, folder: Path) -> bool:
    try:
        return any(part.startswith(".") for part in path.relative_to(folder).parts)
    except ValueError:
        return True
