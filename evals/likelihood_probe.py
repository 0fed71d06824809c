"""`python -m evals.likelihood_probe [--out DIR]`: does the question's likelihood under each candidate sentence
(query likelihood, as UPR reranks passages) choose and refuse better than, or beside, the model's yes/no judgement?

Reads `python -m evals.choice_fit --designs sentences --orders leader --datasets realnews --out DIR`'s dump
(every candidate's judgement, evidence margin and whether it holds a gold answer), then scores each candidate by
the mean log-probability of the question's tokens after "Sentence: …" under a system prompt asking for the question
the sentence answers, in its own llama.cpp instance (the worker's settings; one prompt per candidate, as the
sentence comes first). The question after "N/A" is its prior: score − prior is the pointwise mutual information.
Prints, for the judgement alone, the likelihood alone and several fusions, what choice_fit prints: both AUCs, how
often the best-scored candidate holds the answer, and accuracy / refused / false refusals at the best fit.
"""
from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

from evals.choice_fit import fit, separation

SYSTEM = "You read one sentence from a news article and write the question it answers."
FUSIONS = ((1, 0, False), (0, 1, False), (0, 1, True), (1, 0.25, True), (1, 0.5, True), (1, 1, True), (1, 0.5, False))


def likelihoods(rows: list[dict]) -> None:
    """Add `likely` (mean log P(question | sentence)) to every candidate and `prior` (after "N/A") to every row."""
    import llama_cpp
    import numpy as np

    from qa.llm.base import cpu_threads
    from qa.llm.gguf import qwen_gguf
    from qa.settings import Settings

    threads = cpu_threads()
    llm = llama_cpp.Llama(model_path=str(qwen_gguf(Settings().cache_dir, announce=False)), n_ctx=1024,
                          n_threads=threads, n_threads_batch=threads, logits_all=True, verbose=False, flash_attn=True)

    def mean_logprob(sentence: str, question: str) -> float:
        head = llm.tokenize(f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\nSentence: {sentence}"
                            "<|im_end|>\n<|im_start|>assistant\nQuestion: ".encode(), add_bos=False, special=True)
        asked = llm.tokenize(question.encode(), add_bos=False, special=True)
        llm.reset()
        llm.eval(head + asked)
        logits = np.asarray(llm.scores[len(head) - 1: len(head) + len(asked) - 1], dtype=np.float64)
        top = logits.max(axis=1)
        norm = top + np.log(np.exp(logits - top[:, None]).sum(axis=1))
        return float((logits[np.arange(len(asked)), asked] - norm).mean())

    for row in rows:
        row["prior"] = mean_logprob("N/A", row["question"])
        for cand in row["candidates"]:
            cand["likely"] = mean_logprob(cand["sentence"], row["question"])


def fused(rows: list[dict], judged: float, likely: float, pmi: bool) -> list[dict]:
    """The rows with each candidate's `judge` replaced by judged x judgement + likely x (likelihood [- prior])."""
    rows = copy.deepcopy(rows)
    for row in rows:
        for cand in row["candidates"]:
            cand["judge"] = judged * cand["judge"] + likely * (cand["likely"] - (row["prior"] if pmi else 0.0))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("eval-out") / "choice")
    parser.add_argument("--dataset", default="realnews")
    args = parser.parse_args()
    scored = args.out / f"likelihood-{args.dataset}.json"
    if scored.is_file():
        rows = json.loads(scored.read_text())
    else:
        rows = json.loads((args.out / f"choice-sentences-leader-{args.dataset}.json").read_text())
        likelihoods(rows)
        scored.write_text(json.dumps(rows, indent=1))
    for judged, likely, pmi in FUSIONS:
        every = {args.dataset: fused(rows, judged, likely, pmi)}
        weight, threshold, stats = fit(every, 0.05)
        cands_auc, questions_auc = separation(every[args.dataset])
        best_right = sum(1 for r in every[args.dataset] if r["answerable"] and r["candidates"]
                         and max(r["candidates"], key=lambda c: c["judge"])["right"])
        print(f"{judged} x judgement + {likely} x likelihood{' - prior' if pmi else ''}: AUC candidates "
              f"{cands_auc:.3f}, questions {questions_auc:.3f}; best-scored right {best_right}; at weight {weight}, "
              f"threshold {threshold}: accuracy {stats['accuracy']:.3f}, refused {stats['refused']:.2f}, "
              f"false refusals {stats['false_refusals']:.3f}")


if __name__ == "__main__":
    main()
