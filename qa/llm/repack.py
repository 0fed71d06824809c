"""Whether llama.cpp's weight repacking (its extra buffer types) makes the model faster on a CPU without AMX
kernels: timed once per llama.cpp build, by `qa prepare`, in two child processes, and kept (qa.llm.verdicts).

Neither choice is right for every CPU, so it is timed, not guessed from the CPU's flags (`python -m
evals.llm_speed --compare repack`, 2 cores each; README "Weight repacking on CPUs without AMX"):
- an AMD EPYC with AVX-512 (Zen 4): 245-250 prompt tokens/s off, 168 on;
- an AMD EPYC with AVX2 only (Zen 2): 50 off, 55-56 on; the seven candidates' batch 7.6 s off, 6.7 s on, and
  realnews answers p50 15.2 s off, 12.5 s on;
- on an AMX CPU the AMX check decides (qa.llm.amx): the repack is what runs the AMX kernels.

The time is of what the judged answerer spends most on: one question, then seven candidate sentences decoded in
one batch after it. Each setting runs in a fresh process (a process keeps llama.cpp's choice of buffers), best of
two timed rounds after a warm-up round. This module imports no llama.cpp.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from qa.llm.verdicts import build_key, keep, kept, run_child

VERDICT_FILE = "llama-repack.json"
TIMEOUT_S = 300.0
FASTER = 0.95   # the repack is turned on only when it takes at most this share of the time without it

# What is timed: a question and seven candidate sentences of a made-up news story (no benchmark text)
TIMED_QUESTION = "When will the Quellmoor harbour reopen to ferries after the storm repairs?"
TIMED_SENTENCES = (
    "The harbour authority said on Monday that repairs to the northern breakwater, damaged in the January storm, "
    "were running two weeks ahead of schedule.",
    "Ferries to the islands have been diverted to Brennick since the storm, adding about forty minutes to each "
    "crossing and doubling the queues at the terminal.",
    "Ada Brink, who chairs the authority, told reporters that the harbour would reopen to passenger ferries on "
    "14 June, with freight traffic following a week later.",
    "The repairs are expected to cost 12 million euros, of which the regional government has promised to cover "
    "two thirds under its emergency fund for coastal towns.",
    "Local businesses say the closure has cost them a third of their spring trade, and several cafes on the "
    "waterfront have cut their opening hours until the ferries return.",
    "Engineers found that the storm had moved more than 300 concrete blocks, some weighing 20 tonnes, and "
    "undermined the foundations of the old lighthouse pier.",
    "The ferry operator said it would add two extra sailings a day during the first month after the reopening "
    "to clear the backlog of bookings made for the summer season.",
)


def command(model: Path, setting: str) -> list[str]:
    """The child process that times the judgement with the repack on or off and prints its seconds."""
    return [sys.executable, "-m", "qa.llm.worker", "--time-repack", str(model), setting]


def run_timer(args: list[str]) -> float | None:
    """Run one timing child: its seconds, or None when it failed (then the repack stays off)."""
    done = run_child(args, TIMEOUT_S)
    if done is None or done.returncode != 0:
        return None
    try:
        return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def repack_faster(models_dir: Path) -> bool:
    """The kept verdict for this llama.cpp build on this CPU: whether the repack was timed faster (False when it
    was never timed: the repack stays off, as before `qa prepare` timed it)."""
    found = kept(Path(models_dir) / VERDICT_FILE, build_key())
    return bool(found and found.get("faster"))


def time_repack(models_dir: Path, model: Path, *, announce: bool = True,
                timer: Callable[[list[str]], float | None] = run_timer) -> tuple[bool, str]:
    """Time the judgement with the repack on and off, once per build (the verdict kept is read after that).

    Args:
        models_dir: where the verdict is kept (QA_CACHE_DIR/models).
        model: the GGUF timed (the one qa runs).
        announce: say on stderr that it is timed (once, ~10-40 s).
        timer: runs a timing command (tests give it others).

    Returns:
        (whether the repack is faster, what was measured).
    """
    key = build_key()
    path = Path(models_dir) / VERDICT_FILE
    found = kept(path, key)
    if found is not None:
        return bool(found.get("faster")), str(found.get("detail", ""))
    if announce:
        print("qa: timing once whether llama.cpp's weight repacking is faster on this CPU…", file=sys.stderr,
              flush=True)
    on, off = timer(command(model, "on")), timer(command(model, "off"))
    faster = on is not None and off is not None and on <= FASTER * off
    detail = (f"a judgement of seven candidates took {on:.2f} s with the repack, {off:.2f} s without"
              if on is not None and off is not None else "the timing failed: the repack stays off")
    keep(path, key, faster=faster, on_s=on, off_s=off, detail=detail, model=Path(model).name)
    return faster, detail
