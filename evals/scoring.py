"""Per-question results and their aggregate scores (same code for our pipeline and the stock one)."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from evals.datasets import Question
from evals.metrics import (
    citation_precision,
    contains_answer,
    hit_at,
    key_points_made,
    leads_with,
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
    judgement: float | None = None   # the model's P(yes) - P(no) (ours, with an LLM that judges)
    first_text_ms: float | None = None   # when the first piece of the answer's text arrived
    key_points: int = 0              # a synthesis question's key points
    key_points_made: int = 0         # how many of them the answer makes
    notes: tuple[str, ...] = ()      # the answer's explanation notes (the model's judgement of each candidate...)
    kind: str = ""                   # how newsqa answered it: fact | yes/no | synthesis | coverage | multi-part
    answer_at_5: bool | None = None  # a fact question's answer string is in one of the first 5 passages retrieved
    gold_age: str = ""               # a dated question's labelled sources: "recent", "older" or "later" (gold_age())


# a dated question's labelled source is recent when it came out this many days before the day asked, or on it
GOLD_RECENT_DAYS = 31


def judge(q: Question, answer: str, refused: bool, retrieved: Sequence[str], cited: Sequence[str],
          latency_ms: float, evidence: float | None = None, judgement: float | None = None,
          first_text_ms: float | None = None, texts: Sequence[str] = ()) -> Result:
    """Score one answer against its question's gold data (a synthesis question by its key points: correct when
    it makes at least half of them). texts: the retrieved passages' titles and texts, best first: whether the
    answer string is among the first 5 (a fact question's retrieval, whatever sources the set labels)."""
    made = key_points_made(answer, q.key_points) if q.key_points and not refused else 0
    if q.key_points:
        correct = q.answerable and not refused and made * 2 >= len(q.key_points)
    elif q.yes_no:
        correct = q.answerable and not refused and leads_with(answer, q.answers[0] if q.answers else "")
    else:
        correct = q.answerable and not refused and contains_answer(answer, q.answers)
    return Result(q.qid, q.question, q.answerable, answer, refused, tuple(retrieved), tuple(cited),
                  round(latency_ms, 1), correct, rank_of_gold(retrieved, q.sources) if q.sources else None,
                  tuple(q.sources), evidence, judgement,
                  None if first_text_ms is None else round(first_text_ms, 1), len(q.key_points), made,
                  answer_at_5=answer_retrieved(q, texts))


def answer_retrieved(q: Question, texts: Sequence[str], k: int = 5) -> bool | None:
    """Whether a fact question's answer string is in one of the first k retrieved texts (None for a question with
    no answer string: unanswerable, yes/no, a synthesis, or no texts given). Beside hit@k it tells a retrieval
    miss from a set whose labelled sources are only some of the articles that answer, or articles that merely
    hold the string."""
    if not texts or not q.answerable or q.yes_no or q.key_points or not q.answers:
        return None
    return any(contains_answer(text, q.answers) for text in texts[:k])


def gold_age(q: Question, published: Mapping[str, str]) -> str:
    """For a question asked on a day (as_of) whose labelled sources are dated: "recent" when one of them came
    out in the GOLD_RECENT_DAYS before that day, else "older" when one came out before them, else "later" (all
    after the day asked); "" for an undated question or sources. On a news quiz over an archive, an "older"
    source holds the answer string without reporting the week's event (a 2017 article naming Japan for "Where
    did two planes collide this week?"): what no reader answers."""
    asked = _day(q.as_of)
    days = [d for d in (_day(published.get(s, "")) for s in q.sources) if d is not None]
    if asked is None or not days:
        return ""
    start = asked - timedelta(days=GOLD_RECENT_DAYS)
    if any(start <= d <= asked for d in days):
        return "recent"
    return "older" if any(d < start for d in days) else "later"


def _day(iso: str) -> date | None:
    """The day of an ISO date or timestamp (None when it has none)."""
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        return None


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
        "answer_at_5": mean([1.0 if r.answer_at_5 else 0.0 for r in answerable if r.answer_at_5 is not None]),
        "answer_accuracy": mean([1.0 if r.correct else 0.0 for r in answerable]),
        "citation_precision": mean([citation_precision(r.cited, r.gold) for r in answerable
                                    if not r.refused]),
        "refusal": asdict(refusal),
        "latency_ms": percentiles([r.latency_ms for r in results]),
        "first_text_ms": percentiles([r.first_text_ms for r in results if r.first_text_ms is not None]),
        "by_answer_type": by_answer_type(results),
        "by_kind": by_kind(results),
        "by_gold_age": _grouped([r for r in results if r.gold_age], lambda r: r.gold_age),
        **synthesis_scores(results),
    }


def synthesis_scores(results: Sequence[Result]) -> dict:
    """Key-point recall (share of the key points made, pooled) of the questions that have key points."""
    pointed = [r for r in results if r.key_points]
    if not pointed:
        return {}
    return {"key_point_recall": round(sum(r.key_points_made for r in pointed) / sum(r.key_points for r in pointed), 4)}


def by_answer_type(results: Sequence[Result]) -> dict:
    """Accuracy and refusals per asked type (who -> person, when -> date, how many -> number, ...)."""
    from qa.query import answer_type

    return _grouped(results, lambda r: answer_type(r.question) or "other")


def by_kind(results: Sequence[Result]) -> dict:
    """Accuracy, refusals and key points per way newsqa answered (fact, yes/no, synthesis, coverage, multi-part):
    on a set of fact questions, the synthesis row counts the ones routed to a summary."""
    return _grouped([r for r in results if r.kind], lambda r: r.kind)


def _grouped(results: Sequence[Result], key: Callable[[Result], str]) -> dict:
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(key(r), []).append(r)
    out = {}
    for kind, group in sorted(groups.items()):
        answerable = [r for r in group if r.answerable]
        refusal = refusal_scores([r.refused for r in group], [r.answerable for r in group])
        out[kind] = {"questions": len(group), "answerable": len(answerable),
                     "answer_accuracy": mean([1.0 if r.correct else 0.0 for r in answerable]),
                     "refusal_recall": refusal.recall, "false_refusal_rate": refusal.false_refusal_rate,
                     **synthesis_scores(group)}
    return out

