"""A terminal's sign of life while an answer is prepared: "⠹ Reading the articles… 4 s" on stderr, erased before
the first text is printed. Only on a terminal: a pipe or a file gets nothing."""
from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Waiting:
    """A context manager that animates one status line on stream until stop() (or the end of the block)."""

    def __init__(self, label: str = "Reading the articles", stream: TextIO | None = None, every: float = 0.1) -> None:
        self.label, self.stream, self.every = label, stream or sys.stderr, every
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._width = 0

    def __enter__(self) -> Waiting:
        if getattr(self.stream, "isatty", lambda: False)():
            self._thread = threading.Thread(target=self._run, name="waiting", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _run(self) -> None:
        started, frame = time.monotonic(), 0
        while not self._done.wait(self.every):
            line = f"{FRAMES[frame % len(FRAMES)]} {self.label}… {time.monotonic() - started:.0f} s"
            self._width = max(self._width, len(line))
            self.stream.write("\r" + line)
            self.stream.flush()
            frame += 1

    def stop(self) -> None:
        """Stop and erase the line (at once, and only once)."""
        if self._thread is None:
            return
        self._done.set()
        self._thread.join()
        self._thread = None
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
