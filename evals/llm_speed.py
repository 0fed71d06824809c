"""llama.cpp's speed under one setting changed at a time, each run in a fresh process: model load, prompt evaluation
of a judgement over a seeds article, the seven candidates' batch the judged default decodes, a short generation and
a reply that copies its prompt (a summary of three articles).

Run: python -m evals.llm_speed [--model qwen2.5-coder-1.5b] [--repeat 4] [--compare repack|flash|drafts]
- repack: llama.cpp's weight repacking (extra buffer types) on and off, the file given;
- flash: flash attention on and off (QA_LLM_FLASH_ATTENTION), the weights and repack as qa runs them;
- drafts: the reply written with prompt-lookup drafts (qa.llm.lookup) and token by token.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

from evals.datasets import REPO

COMPARED = {"repack": ("--repack", ("on", "off")), "flash": ("--flash", ("on", "off")),
            "drafts": ("--drafts", ("10", "0"))}


def measure(path: Path, repack: str, flash: str, drafts: int, repeat: int) -> dict:
    """One process's figures (the best of `repeat` runs of each, none reusing the KV cache)."""
    from qa.llm import lookup
    from qa.llm.llamacpp import LlamaCppModel
    from qa.prompts import SENTENCE_SYSTEM, SYNTHESIS_TASK, SYSTEM, build_sentence_prompt, build_user_prompt

    lookup.DRAFTED = drafts
    started = time.perf_counter()
    model = LlamaCppModel(path, extra_buffers=repack, flash_attention=flash == "on")
    load = time.perf_counter() - started
    seeds = [(REPO / "seeds" / name).read_text() for name in sorted(p.name for p in (REPO / "seeds").glob("*.txt"))]
    article = seeds[-1][:1100]
    times, tokens = [], 0
    for i in range(repeat):
        user = f"{i} Sources:\n\n[1] {article}\n\nQuestion: When did Putin last visit Pyongyang?\n\nTask: yes or no."
        tokens = len(model._tokens("You answer.", user))
        started = time.perf_counter()
        model.judge("You answer.", user)
        times.append(time.perf_counter() - started)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", " ".join(seeds)) if len(s.split()) > 12][:7]
    batch = []
    for i in range(repeat):
        users = [build_sentence_prompt(f"When did Putin last visit Pyongyang ({i})?", s) for s in sentences]
        started = time.perf_counter()
        model.judge_many(SENTENCE_SYSTEM, users)
        batch.append(time.perf_counter() - started)
    started = time.perf_counter()
    written = "".join(model.stream("You answer in two sentences.", "Write two sentences about Russia.", 48))
    generation = time.perf_counter() - started
    summary = build_user_prompt("Summarize the articles.", [text[:700] for text in seeds[:3]], SYNTHESIS_TASK)
    started = time.perf_counter()
    copied = "".join(model.stream(SYSTEM, summary, 160))
    copying = time.perf_counter() - started
    generated = len(model._llm.tokenize(written.encode(), add_bos=False)) if written else 0
    summarised = len(model._llm.tokenize(copied.encode(), add_bos=False)) if copied else 0
    model.close()   # nothing of the model is touched after this
    return {"repack": repack, "flash": flash, "drafts": drafts, "load_s": round(load, 2), "prompt_tokens": tokens,
            "prompt_tokens_per_s": round(tokens / min(times), 1), "judge_best_s": round(min(times), 2),
            "seven_candidates_s": round(min(batch), 2),
            "generated_tokens": generated, "generation_s": round(generation, 2), "summary_tokens": summarised,
            "summary_s": round(copying, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--compare", choices=sorted(COMPARED), default="repack")
    parser.add_argument("--repack", choices=("on", "off"), help=argparse.SUPPRESS)
    parser.add_argument("--flash", choices=("on", "off"), default="on", help=argparse.SUPPRESS)
    parser.add_argument("--drafts", type=int, default=10, help=argparse.SUPPRESS)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(Path(args.model), args.repack, args.flash, args.drafts, args.repeat)))
        return
    from qa.llm.factory import llamacpp_setup
    from qa.llm.gguf import resolve_gguf
    from qa.llm.verdicts import cpu_model
    from qa.settings import Settings

    settings = Settings()
    repack, eight_bit = llamacpp_setup(settings) if args.compare != "repack" else (False, False)
    path = resolve_gguf(args.model, settings.models_dir, eight_bit=eight_bit)
    print(f"{path.name} on {cpu_model()}")
    flag, values = COMPARED[args.compare]
    fixed = ["--repack", "on" if repack else "off"] if args.compare != "repack" else []
    for value in values + values:
        out = subprocess.run([sys.executable, "-m", "evals.llm_speed", "--one", "--model", str(path), "--repeat",
                              str(args.repeat), *fixed, flag, value], capture_output=True, text=True)
        # a build whose AMX kernels fault dies in the first decode with the repack on: a finding, not an error here
        print(out.stdout.strip().splitlines()[-1] if out.returncode == 0 else
              json.dumps({flag.strip("-"): value, "crashed": out.returncode}))


if __name__ == "__main__":
    main()
