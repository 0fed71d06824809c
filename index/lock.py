"""One writer per data dir: an exclusive file lock that a second `qa ingest` waits for, saying so."""
from __future__ import annotations

import contextlib
import fcntl
import sys
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def writer_lock(data_dir: Path, wait: bool = True) -> Iterator[bool]:
    """Hold <data_dir>/write.lock while changing the index; wait (with a one-line message) if another
    process holds it, or with wait=False yield False at once instead. The lock dies with its process, so a
    killed ingest never leaves it stuck."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "write.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            print(f"qa: another process is changing the index in {data_dir}; waiting for it to finish…",
                  file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
