"""llama.cpp's speed with its weight repacking (extra buffer types) on and off, each in a fresh process: model
load, prompt evaluation of a judgement over a seeds article, and a short generation.

Run: python -m evals.llm_speed [--model qwen2.5-coder-1.5b] [--repeat 4]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from evals.datasets import REPO


def measure(path: Path, mode: str, repeat: int) -> dict:
    """One process's figures for one mode (the best of `repeat` judgements, none reusing the KV cache)."""
    from qa.llm.llamacpp import LlamaCppModel

    started = time.perf_counter()
    model = LlamaCppModel(path, extra_buffers=mode)
    load = time.perf_counter() - started
    article = (REPO / "seeds" / "004_23f38ab0d320b1ba.txt").read_text()[:1100]
    times, tokens = [], 0
    for i in range(repeat):
        user = f"{i} Sources:\n\n[1] {article}\n\nQuestion: When did Putin last visit Pyongyang?\n\nTask: yes or no."
        tokens = len(model._llm.tokenize(model._format("You answer.", user).encode(), add_bos=False, special=True))
        started = time.perf_counter()
        model.judge("You answer.", user)
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    written = "".join(model.stream("You answer in two sentences.", "Write two sentences about Russia.", 48))
    generation = time.perf_counter() - started
    generated = len(model._llm.tokenize(written.encode(), add_bos=False)) if written else 0
    model.close()
    return {"mode": mode, "extra_buffers": model.extra_buffers, "load_s": round(load, 2), "prompt_tokens": tokens,
            "prompt_tokens_per_s": round(tokens / min(times), 1), "judge_best_s": round(min(times), 2),
            "generated_tokens": generated, "generation_s": round(generation, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(Path(args.model), args.one, args.repeat)))
        return
    from qa.llm.gguf import resolve_gguf
    from qa.settings import Settings

    path = resolve_gguf(args.model, Settings().models_dir)
    from qa.llm.amx import cpu_model

    print(f"{path.name} on {cpu_model()}")
    for mode in ("on", "off", "on", "off"):
        out = subprocess.run([sys.executable, "-m", "evals.llm_speed", "--model", str(path), "--repeat",
                              str(args.repeat), "--one", mode], capture_output=True, text=True)
        # a build whose AMX kernels fault dies in the first decode with "on": a finding, not an error of this script
        print(out.stdout.strip().splitlines()[-1] if out.returncode == 0 else
              json.dumps({"mode": mode, "crashed": out.returncode}))


if __name__ == "__main__":
    main()
