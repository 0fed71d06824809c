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

import sys
from pathlib import Path

from qa.llm.verdicts import build_key, keep, kept, run_child

VERDICT_FILE = "llama-amx.json"
PROBE_TIMEOUT_S = 120.0


def cpu_has_amx(cpuinfo: str | None = None) -> bool:
    """Whether the CPU has AMX (Sapphire Rapids-class Xeons and later)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return False
    flags = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    return "amx_int8" in flags.split() and "amx_tile" in flags.split()


def check_command(model: Path) -> list[str]:
    """The child process that loads model with the AMX repack on and judges one prompt (qa.llm.worker)."""
    return [sys.executable, "-m", "qa.llm.worker", "--check-amx", str(model)]


def run_check(command: list[str]) -> tuple[bool, str]:
    """Run the check's child process: (whether it exited cleanly, what happened)."""
    done = run_child(command, PROBE_TIMEOUT_S)
    if done is None:
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
    found = kept(path, key)
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
    keep(path, key, runs=runs, detail=detail)
    return runs
