"""What qa learned once about the installed llama.cpp on this CPU (whether its AMX kernels run, whether its weight
repacking is faster), kept in a small JSON file of QA_CACHE_DIR/models, one verdict per llama.cpp install
(virtualenvs share the cache), keyed by the CPU and the libraries (their names, sizes and modification times): a
rebuilt llama.cpp, or the cache moved to another CPU, is asked again. This module imports no llama.cpp.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path
from typing import Any

KEPT = 8   # verdicts kept per file: one per llama.cpp install


def cpu_model() -> str:
    """The CPU's model name, as /proc/cpuinfo gives it."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return "unknown"
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "unknown")


def llama_lib_dir() -> Path | None:
    """Where the llama.cpp libraries llama-cpp-python loads live (LLAMA_CPP_LIB_PATH, else its own lib/)."""
    if os.environ.get("LLAMA_CPP_LIB_PATH"):
        return Path(os.environ["LLAMA_CPP_LIB_PATH"])
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "lib"


def build_key() -> dict[str, object]:
    """What a verdict depends on: the CPU and every llama.cpp library file (name, size, modification time)."""
    lib = llama_lib_dir()
    files = sorted(p for p in lib.glob("lib*.so*") if p.is_file()) if lib is not None and lib.is_dir() else []
    return {"cpu": cpu_model(), "lib": str(lib),
            "files": [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in files]}


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        return [v for v in json.loads(path.read_text())["verdicts"] if isinstance(v, dict)
                and isinstance(v.get("key"), dict)]
    except (OSError, ValueError, KeyError, TypeError):
        return []   # none yet, or a damaged file: asked again


def kept(path: Path, key: dict[str, object]) -> dict[str, Any] | None:
    """The verdict kept in path for key, or None."""
    return next((v for v in _read(path) if v["key"] == key), None)


def keep(path: Path, key: dict[str, object], **verdict: Any) -> None:
    """Keep a verdict for key (written to a temporary name, then renamed); it replaces the install's older one."""
    others = [v for v in _read(path) if v["key"].get("lib") != key["lib"]][-(KEPT - 1):]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"verdicts": [*others, {"key": key, **verdict}]}))
    os.replace(tmp, path)


def run_child(command: list[str], timeout_s: float) -> subprocess.CompletedProcess[str] | None:
    """Run a check's or a timing's child process in a session of its own (a crash or hang does not reach us):
    what it did, or None when it took over timeout_s."""
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, start_new_session=True)
    except subprocess.TimeoutExpired:
        return None
