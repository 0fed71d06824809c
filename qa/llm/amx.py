"""llama.cpp's AMX kernels on Sapphire Rapids-class Xeons: whether they run with the installed llama.cpp, checked
once per build in a process of its own, so that a build whose AMX kernels fault never takes a question down.

The kernels faulted in their first matrix product (ggml-org/llama.cpp#20824): GCC 12 drops the stores that fill
the AMX tile configuration before `ldtilecfg` reads it, so the instruction loads stack garbage. `make setup` builds
llama.cpp with dead-store elimination off, and the kernels run (the Makefile). A build made another way may still
hold the fault, so qa does not trust the build: a child process loads the tiny SmolLM2 with the AMX repack on and
judges one prompt. If it exits cleanly, the verdict is yes; if it crashes or the build has no AMX kernels, no, and
qa keeps the repack off and the shipped weights, as on any other CPU.

The verdicts are kept in QA_CACHE_DIR/models/llama-amx.json, one per llama.cpp install (virtualenvs share the
cache), keyed by the CPU and the libraries (their names, sizes and modification times): a rebuilt llama.cpp is
checked again. This module imports no llama.cpp.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

VERDICT_FILE = "llama-amx.json"
PROBE_TIMEOUT_S = 120.0
KEPT = 8   # verdicts kept: one per llama.cpp install (virtualenvs share the cache)


def cpu_has_amx(cpuinfo: str | None = None) -> bool:
    """Whether the CPU has AMX (Sapphire Rapids-class Xeons and later)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return False
    flags = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    return "amx_int8" in flags.split() and "amx_tile" in flags.split()


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
    """What the verdict depends on: the CPU and every llama.cpp library file (name, size, modification time)."""
    lib = llama_lib_dir()
    files = sorted(p for p in lib.glob("lib*.so*") if p.is_file()) if lib is not None and lib.is_dir() else []
    return {"cpu": cpu_model(), "lib": str(lib),
            "files": [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in files]}


def check_command(model: Path) -> list[str]:
    """The child process that loads model with the AMX repack on and judges one prompt (qa.llm.worker)."""
    return [sys.executable, "-m", "qa.llm.worker", "--check-amx", str(model)]


def run_check(command: list[str]) -> tuple[bool, str]:
    """Run the check's child process: (whether it exited cleanly, what happened)."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
                              start_new_session=True)
    except subprocess.TimeoutExpired:
        return False, f"the check took over {PROBE_TIMEOUT_S:.0f} s"
    if done.returncode == 0:
        return True, "the AMX kernels ran a judgement"
    if done.returncode < 0:
        return False, f"the check crashed (signal {-done.returncode}): this llama.cpp build's AMX kernels fault"
    last = (done.stdout.strip() or done.stderr.strip() or "no output").splitlines()[-1]
    return False, last


def amx_runs(models_dir: Path, model: Path | None = None, *, announce: bool = True, check=run_check) -> bool:
    """Whether llama.cpp's AMX kernels run here: no on a CPU without AMX (nothing checked); else the verdict kept
    for this build, or a check made now (a child process, ~2 s, once per build; said in one line on stderr).

    Args:
        models_dir: where the verdict is kept (QA_CACHE_DIR/models).
        model: the GGUF the check loads (default: the bundled SmolLM2; None when it is not installed: no).
        announce: say that the check runs, and its verdict when it is no.
        check: runs the check's command (tests give it other commands).
    """
    if not cpu_has_amx():
        return False
    key = build_key()
    path = Path(models_dir) / VERDICT_FILE
    try:
        kept = [v for v in json.loads(path.read_text())["verdicts"] if isinstance(v, dict)
                and isinstance(v.get("key"), dict)]
    except (OSError, ValueError, KeyError, TypeError):
        kept = []
    found = next((v for v in kept if v["key"] == key), None)
    if found is not None:
        return bool(found.get("runs"))
    if model is None:
        from qa.errors import ConfigError
        from qa.llm.gguf import bundled_smollm2

        try:
            model = bundled_smollm2()
        except ConfigError:
            return False
    if announce:
        print("qa: checking once that this llama.cpp build's AMX kernels run on this CPU…", file=sys.stderr,
              flush=True)
    runs, detail = check(check_command(model))
    if announce and not runs:
        print(f"qa: llama.cpp's AMX kernels are not used ({detail}); rebuild it with `make setup` to use them",
              file=sys.stderr, flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    kept = [v for v in kept if v["key"].get("lib") != key["lib"]][-(KEPT - 1):]   # one per install, the newest
    tmp.write_text(json.dumps({"verdicts": [*kept, {"key": key, "runs": runs, "detail": detail}]}))
    os.replace(tmp, path)
    return runs
