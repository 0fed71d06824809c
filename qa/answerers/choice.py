"""The model chooses the quote: the best candidate sentences (across passages), each judged by the model, the
judgement fused with the evidence score. The same fused scores refuse: no candidate passes, no answer.

Two designs, chosen by QA_CHOICE and measured on the seeds and realnews (README):
- sentences (pointwise): P(yes) - P(no) of "does this sentence answer the question?" per candidate. The
  instructions and the question come first in every prompt, so llama.cpp evaluates them once and keeps them in
  its KV cache; each candidate costs only its own tokens.
- list (listwise): the candidates numbered in one prompt; P(n) - P(0) read from the logits of the numbers.
A backend without probabilities gives no judgement: the evidence score alone decides.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.answerers.base import Findings
from qa.dated import timely
from qa.evidence import Evidence
from qa.prompts import LIST_SYSTEM, SENTENCE_SYSTEM, build_list_prompt, build_sentence_prompt
from qa.query import Query
from qa.selection import repeats
from qa.settings import Settings

# what a candidate outside the question's time loses (about what a sentence of the wrong week gains on the model's
# yes/no because it says "this week" too)
OUT_OF_TIME_PENALTY = 0.3
LEADER_READS = 3       # QA_JUDGE_ORDER=leader: candidates read sentence first at most, each the leader in turn
CANDIDATE_WORDS = 70   # a candidate is trimmed to this many words: prompt tokens are the latency on a CPU
# QA_JUDGE_ORDER=leader: what a question-first judgement is raised by to stand on the scale of both orders' mean,
# which the cuts are fitted for (over 1,029 candidates of seeds and realnews: mean of both = question first + 0.142,
# slope 1.00, r 0.91). Without it the candidates that are not re-read sit lower than under both, and a runner-up
# that passes under both does not pass.
QUESTION_FIRST_SHIFT = 0.14


@dataclass(frozen=True, slots=True)
class Judged:
    """One candidate sentence with the model's judgement and the fused score (above 0 answers)."""

    evidence: Evidence
    judge: float | None
    fused: float
    twice: bool = False   # QA_JUDGE_ORDER=leader: read sentence first too, as a leader (not again)


def candidates(found: Findings, count: int) -> list[Evidence]:
    """The best count sentences by evidence score, each sentence once (a wire copy repeats them)."""
    seen: set[str] = set()
    out: list[Evidence] = []
    for ev in found.evidence:
        key = " ".join(ev.sentence.lower().split())
        if key in seen:
            continue
        seen.add(key)
        out.append(ev)
        if len(out) >= count:
            break
    return out


def trimmed(text: str, words: int = CANDIDATE_WORDS) -> str:
    """text cut to its first words (with "…" when cut)."""
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"


def asked(query: Query) -> str:
    """The question as the model's judgement of a candidate reads it. A yes/no question is asked as an alternative
    ("Was she surprised by the projection, or not?"): asked as it stands, "does this sentence answer it?" runs into
    "was she?", and the model judged "she was not surprised by the projection" as not answering (-0.52, below three
    sentences that leave it open). Measured on the yes/no dev sets (README, "Yes or no, settled or refused")."""
    if not query.yes_no:
        return query.text
    return query.text.rstrip().rstrip("?").rstrip() + ", or not?"


def judge_each(llm, system: str, query: Query, sentences: Sequence[Evidence],
               first: str = "question") -> list[float | None]:
    """The model's P(yes) - P(no) for each sentence under system, one prompt each, the question first (a prefix
    they share) or the sentence first (QA_JUDGE_ORDER); in one batch where the backend can."""
    users = [build_sentence_prompt(asked(query), trimmed(ev.quote), first) for ev in sentences]
    many = getattr(llm, "judge_many", None)
    if many is not None:
        return list(many(system, users)) if users else []
    return [llm.judge(system, user) for user in users]


def judge_sentences(llm, query: Query, cands: Sequence[Evidence], first: str = "question") -> list[float | None]:
    """Pointwise: does each candidate answer the question? first="both" (or "leader", which judges one sentence
    here as both would): the mean of the two orders' judgements (twice the prompts)."""
    if first not in ("both", "leader"):
        return judge_each(llm, SENTENCE_SYSTEM, query, cands, first)
    pairs = zip(judge_each(llm, SENTENCE_SYSTEM, query, cands, "question"),
                judge_each(llm, SENTENCE_SYSTEM, query, cands, "sentence"))
    return [None if a is None or b is None else (a + b) / 2 for a, b in pairs]


def judge_list(llm, query: Query, cands: Sequence[Evidence], first: str = "question") -> list[float | None]:
    """Listwise: P(n) - P(0) for each numbered candidate of one prompt (pointwise where the backend cannot)."""
    choose = getattr(llm, "choose", None)
    if choose is None:
        return judge_sentences(llm, query, cands, first)
    probs = choose(LIST_SYSTEM, build_list_prompt(asked(query), [trimmed(ev.quote) for ev in cands]), len(cands))
    return [p - probs[0] for p in probs[1:]]


def choose(llm, query: Query, found: Findings, settings: Settings, judged: Sequence[Judged] = (),
           more: int = 0) -> list[Judged]:
    """Every candidate judged and fused, best first: the best QA_CHOICE_CANDIDATES and the next more of them;
    those in judged keep their judgement.

    fused = judgement + QA_CHOICE_WEIGHT x (evidence - QA_MIN_SUPPORT) - QA_CHOICE_THRESHOLD; without a
    judgement, the evidence margin alone. A candidate outside the question's time ("this week", or newer than
    the day asked) loses OUT_OF_TIME_PENALTY when others are inside it: the model judges what a sentence says,
    not when it was said. QA_JUDGE_ORDER=leader: every candidate is read question first, then the leader sentence
    first too (settled).
    """
    cands = candidates(found, settings.choice_candidates + more)
    if not cands:
        return []
    verdicts = {id(j.evidence): j.judge for j in judged}   # each candidate is judged once
    twice = {id(j.evidence) for j in judged if j.twice}
    leader = settings.judge_order == "leader" and settings.choice == "sentences"
    first = "question" if settings.judge_order == "leader" else settings.judge_order
    fresh = [ev for ev in cands if id(ev) not in verdicts]
    if fresh:
        got = (judge_list if settings.choice == "list" else judge_sentences)(llm, query, fresh, first)
        if leader:
            got = [None if v is None else v + QUESTION_FIRST_SHIFT for v in got]
        verdicts |= zip(map(id, fresh), got)
    fits = [timely(query, found.passages[ev.passage].published) for ev in cands]
    late = not all(fits) and any(fits)   # some candidates are of the question's time, some not
    penalty = OUT_OF_TIME_PENALTY / (2 if query.period and query.period.implicit else 1)

    def fused(ev: Evidence, fit: bool) -> float:
        verdict, margin = verdicts[id(ev)], ev.support - settings.min_support
        score = margin if verdict is None else verdict + settings.choice_weight * margin - settings.choice_threshold
        return score - (penalty if late and not fit else 0.0)

    if leader:
        settled(llm, query, cands, fits, verdicts, twice, fused)
    out = [Judged(ev, verdicts[id(ev)], fused(ev, fit), id(ev) in twice) for ev, fit in zip(cands, fits)]
    out.sort(key=lambda j: -j.fused)
    return out


def settled(llm, query: Query, cands: Sequence[Evidence], fits: Sequence[bool], verdicts: dict[int, float | None],
            twice: set[int], fused) -> None:
    """QA_JUDGE_ORDER=leader: the leading candidate (by fused score) is read sentence first too and its judgement
    becomes the mean of both orders (the others stay question first, raised by QUESTION_FIRST_SHIFT), until the
    leader is one read both ways (at most LEADER_READS reads). Measured on seeds, realnews and squad2 (README, "The
    leader read both ways"): about one prompt more than question first, not twice the prompts as both."""
    for _ in range(LEADER_READS):
        lead = max(zip(cands, fits), key=lambda c: fused(*c))[0]
        if id(lead) in twice or verdicts[id(lead)] is None:
            return
        again, = judge_each(llm, SENTENCE_SYSTEM, query, [lead], "sentence")
        if again is None:
            return
        verdicts[id(lead)] = (verdicts[id(lead)] - QUESTION_FIRST_SHIFT + again) / 2
        twice.add(id(lead))


# a runner-up from another article is quoted only this close to the chosen sentence's fused score (one from the
# chosen article only has to pass): measured on seeds, where five articles tell one story, quoting every passing
# sentence cited other articles than the one asked about (citation precision 0.70 against 0.91)
CLOSE = 0.3


def quoted(judged: Sequence[Judged], most: int, sources: Sequence[str], bar: float = 0.0) -> list[Evidence]:
    """The sentences to quote: the chosen one first when its fused score reaches bar, then the runners-up that
    pass (fused >= 0; up to most), from its own article or close to it, as the extractive answer quotes close
    runners-up.

    Args:
        judged: the candidates, best fused score first.
        most: sentences quoted at most.
        sources: the article id of each passage (Evidence.passage indexes it).
        bar: what the chosen candidate's fused score must reach (-inf when QA_REFUSAL=excerpts already decided to
            answer).
    """
    if not judged or judged[0].fused < bar:
        return []
    best = judged[0]
    home = sources[best.evidence.passage]
    chosen = [best.evidence]
    for j in judged[1:]:
        if len(chosen) >= most:
            break
        if j.fused >= 0 and (sources[j.evidence.passage] == home or j.fused >= best.fused - CLOSE) and not repeats(
                j.evidence.sentence, [e.sentence for e in chosen]):   # a line the page repeats is quoted once
            chosen.append(j.evidence)
    return chosen[:most]
