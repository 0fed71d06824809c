"""Per-question results and their aggregate scores (same code for our pipeline and the stock one)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from evals.datasets import Question
from evals.metrics import (
    citation_precision,
    contains_answer,
    hit_at,
    mean,
    percentiles,
    rank_of_gold,
    reciprocal_rank,
    refusal_scores,
)


@dataclass(frozen=True, slots=True)
class Result:
    """What one pipeline did with one question."""

    qid: str
    question: str
    answerable: bool
    answer: str
    refused: bool
    retrieved: tuple[str, ...]   # source ids of the retrieved passages, best first
    cited: tuple[str, ...]       # source ids of the citations
    latency_ms: float
    correct: bool
    gold_rank: int | None
    gold: tuple[str, ...] = ()   # gold source ids
    evidence: float | None = None    # best evidence score (ours)
    judgement: float | None = None   # the reader's P(yes) - P(no) (ours, with an LLM that judges)


def judge(q: Question, answer: str, refused: bool, retrieved: Sequence[str], cited: Sequence[str],
          latency_ms: float, evidence: float | None = None, judgement: float | None = None) -> Result:
    """Score one answer against its question's gold data."""
    correct = q.answerable and not refused and contains_answer(answer, q.answers)
    return Result(q.qid, q.question, q.answerable, answer, refused, tuple(retrieved), tuple(cited),
                  round(latency_ms, 1), correct, rank_of_gold(retrieved, q.sources) if q.sources else None,
                  tuple(q.sources), evidence, judgement)


def refusal_curve(results: Sequence[Result], weight: float, min_support: float) -> list[dict]:
    """Refusal recall and false-refusal rate at every cut of the refusal score (judgement + weight x evidence
    margin, or the evidence score alone without judgements): the trade-off, not one point."""
    def score(r: Result) -> float:
        if r.judgement is None:
            return r.evidence or 0.0
        return r.judgement + weight * ((r.evidence or 0.0) - min_support)

    scored = [(score(r), r.answerable) for r in results if r.evidence is not None]
    answerable = [s for s, a in scored if a]
    unanswerable = [s for s, a in scored if not a]
    if not answerable or not unanswerable:
        return []
    cuts = sorted({round(s, 3) for s, _ in scored})
    return [{"threshold": t, "refusal_recall": round(sum(s < t for s in unanswerable) / len(unanswerable), 3),
             "false_refusal_rate": round(sum(s < t for s in answerable) / len(answerable), 3)} for t in cuts]


def aggregate(results: Sequence[Result]) -> dict:
    """The report's metrics, with the names report.json promises."""
    answerable = [r for r in results if r.answerable]
    with_gold = [r for r in answerable if r.gold]
    refusal = refusal_scores([r.refused for r in results], [r.answerable for r in results])
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "unanswerable": len(results) - len(answerable),
        "hit_at_1": mean([hit_at(r.gold_rank, 1) for r in with_gold]),
        "hit_at_5": mean([hit_at(r.gold_rank, 5) for r in with_gold]),
        "mrr": mean([reciprocal_rank(r.gold_rank) for r in with_gold]),
        "answer_accuracy": mean([1.0 if r.correct else 0.0 for r in answerable]),
        "citation_precision": mean([citation_precision(r.cited, r.gold) for r in answerable
                                    if not r.refused]),
        "refusal": asdict(refusal),
        "latency_ms": percentiles([r.latency_ms for r in results]),
        "by_answer_type": by_answer_type(results),
    }


def by_answer_type(results: Sequence[Result]) -> dict:
    """Accuracy and refusals per asked type (who -> person, when -> date, how many -> number, ...)."""
    from qa.query import answer_type

    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(answer_type(r.question) or "other", []).append(r)
    out = {}
    for kind, group in sorted(groups.items()):
        answerable = [r for r in group if r.answerable]
        refusal = refusal_scores([r.refused for r in group], [r.answerable for r in group])
        out[kind] = {"questions": len(group), "answerable": len(answerable),
                     "answer_accuracy": mean([1.0 if r.correct else 0.0 for r in answerable]),
                     "refusal_recall": refusal.recall, "false_refusal_rate": refusal.false_refusal_rate}
    return out

