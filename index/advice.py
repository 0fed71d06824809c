"""Read-ahead advice for the memory-mapped files of an index this process reads.

Tantivy reads its files through memory maps, and a page fault in a map reads ahead as far as the disk's read-ahead
setting (8 MiB on a virtual disk marked rotational, as these machines have): one stored document of a large archive,
a 16 KiB block, then costs megabytes read and as much of the page cache evicted. A file read one record at a time,
at random, is advised so (madvise MADV_RANDOM: only the pages touched are read). Tantivy's own madvise support is
not reachable from its Python binding, so the advice is given to the process's maps of the index's files, as
/proc/self/maps lists them. Linux only; elsewhere nothing is done.
"""
from __future__ import annotations

import ctypes
import mmap
import os
from pathlib import Path


def random_access(folder: Path, suffixes: tuple[str, ...]) -> int:
    """Advise that this process's maps of the files in folder whose names end with one of suffixes are read at
    random. Returns how many maps were advised (0 where the system has no such advice or lists no maps)."""
    advice = getattr(mmap, "MADV_RANDOM", None)
    if advice is None:
        return 0
    try:
        lines = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    inside, advised = os.path.join(os.path.realpath(folder), ""), 0   # (maps list resolved paths)
    for line in lines:
        parts = line.split(maxsplit=5)   # address, perms, offset, dev, inode, path
        if len(parts) < 6 or not parts[5].startswith(inside) or not parts[5].endswith(suffixes):
            continue
        start, end = (int(part, 16) for part in parts[0].split("-"))
        # a map gone since the list was read fails harmlessly (ENOMEM); the advice is only a hint
        advised += libc.madvise(start, end - start, advice) == 0
    return advised
