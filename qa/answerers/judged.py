"""The judged answerer, the default when a model is installed: the model judges, the articles speak.

The extractive answer (exact quotes, measured the most accurate) is given only when the model's judgement
that the articles state the answer, fused with the evidence score, says so; else it refuses. That costs one
prompt evaluation and no generation. A summary, comparison, list or timeline, which no quoted sentence
can answer, is written by the model from a few sentences of each relevant article, every claim checked.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from qa.answerers.base import Findings, answer_of, explain, refusal
from qa.answerers.choice import CANDIDATE_WORDS, Judged, choose, judge_sentences, quoted, trimmed
from qa.answerers.direct import Direct, confirmed, direct_answer, line_at
from qa.answerers.reader import LLMAnswerer
from qa.evidence import Evidence
from qa.lexicon import EXPLAINS
from qa.llm.base import LLM
from qa.models import Answer
from qa.prompts import YES_NO_SYSTEM, build_yes_no_prompt
from qa.query import Query
from qa.settings import Settings

JUDGED_PASSAGES = 3   # passages judged by the "passages" and "each" inputs
CANDIDATES_EXPLAINED = 4   # candidates whose judgements the explanation lists
YES_NO_MARGIN = 0.1   # how sure the model must be that the quote says yes (or no) for the answer to lead with it
# a quote the model doubts (its judgement below QA_UNNAMED_JUDGE) must read at least this yes, or at most
# -YES_NO_MARGIN, alone or read on, or the yes/no question is refused (QA_REFUSE_UNNAMED): the model leans to "yes"
# when a sentence leaves the question open. On the 37 yes/no dev questions it was fitted on, no reading settled the
# doubted quote of 8 of the 9 open ones and of 1 of the 28 answerable ones, a wrong "Yes" before; on 10 written
# after it, of 3 of 4 open and 2 of 6 answerable, both wrong "Yes" before (README, "Yes or no, settled or refused")
YES_SURE = 0.5
NAMING_TRIES = 3   # passing candidates the model is asked to copy the answer from before a fact question is refused
RECHECK_CANDIDATES = 3   # the best candidates the second yes/no reads together (QA_RECHECK_BELOW)
RECHECK_WORDS = 45       # each cut to this many words: ~200 prompt tokens


class JudgedAnswerer:
    """Quotes the evidence only when the model judges the articles state the answer; the model writes syntheses."""

    condenser = None   # follow-ups are condensed by rule: a rewrite would cost a generation per question

    def __init__(self, llm: LLM, settings: Settings) -> None:
        self.llm = llm
        self.settings = settings
        self.name = f"judged:{llm.name}"
        self.writer = LLMAnswerer(llm, settings, name=llm.name)
        start = getattr(llm, "start", None)
        if start is not None:
            start()   # the model loads while the first question is retrieved

    def judge_inputs(self, found: Findings) -> list[list[str]]:
        """What the model judges: one list of source texts per prompt (QA_JUDGE_INPUT)."""
        how = self.settings.judge_input
        if how == "excerpts":
            return [self.writer.sources(found)[1]]
        passages = [p.text for p in found.passages[:JUDGED_PASSAGES]]
        return [passages] if how == "passages" else [[text] for text in passages]

    def judgement(self, query: Query, found: Findings) -> float | None:
        """The model's P(yes) - P(no) that the articles state the answer (the best over the prompts of
        QA_JUDGE_INPUT=each); None when the backend reports no probabilities."""
        verdicts = [self.writer.judgement(query, texts) for texts in self.judge_inputs(found)]
        known = [v for v in verdicts if v is not None]
        return max(known) if known else None

    def answer(self, query: Query, found: Findings) -> Answer:
        """The judged answer, all at once."""
        return answer_of(self.stream(query, found))

    def stream(self, query: Query, found: Findings) -> Iterator[str | Answer]:
        """The quoted answer or a refusal at once; a synthesis as the model writes it."""
        if query.synthesis and found.passages:
            yield from self.writer.synthesise(query, found)
            return
        if not found.passages:
            answer = refusal(query.text, found, self.name, explain(found, self.settings.min_support))
        elif self.settings.choice == "excerpts":
            answer = self.judged_excerpts(query, found)
        else:
            answer = self.chosen(query, found)
        yield answer.text
        yield answer

    def excerpts_verdict(self, query: Query, found: Findings) -> tuple[float | None, Answer | None]:
        """One yes/no over the best excerpts: (the judgement, the refusal when it and the evidence fall below
        QA_JUDGE_THRESHOLD, else None)."""
        judge = self.judgement(query, found)
        if self.writer.decide(found, judge) >= 0:
            return judge, None
        note = (f"refused: the model's judgement that the best excerpts state the answer, {judge:+.2f}, "
                "with the evidence is below QA_JUDGE_THRESHOLD",) if judge is not None else ()
        return judge, refusal(query.text, found, self.name,
                              explain(found, self.settings.min_support, judge=judge, notes=note))

    def judged_excerpts(self, query: Query, found: Findings) -> Answer:
        """QA_CHOICE=excerpts: one yes/no over the best excerpts; the evidence score picks the quote."""
        judge, refused = self.excerpts_verdict(query, found)
        return refused or self.writer.extractive.quote(query, found, min_support=0.0, name=self.name, judge=judge)

    def yes_or_no(self, query: Query, found: Findings, chosen: list, explanation, doubted: bool = False) -> Answer:
        """A yes/no question: the quote, led by "Yes" or "No" when the model reads the chosen sentence as settling
        it, alone and read on into the sentence after it (the lower of the two P(yes) - P(no): a yes must hold in
        both, as "Putin acknowledged the deployment … Putin neither confirmed nor denied the reports" shows; at
        least YES_NO_MARGIN from 0); otherwise the quote alone. A quote the model doubts (doubted) is refused when
        neither reading settles the question (a clear no, or at least YES_SURE yes): it is about the question
        without settling it."""
        alone, *on = yes_no_texts(found, chosen[0])
        verdict = self.llm.judge(YES_NO_SYSTEM, build_yes_no_prompt(query.text, alone))
        readings = [verdict]
        note = f"yes/no: the model reads the quote as P(yes) - P(no) = {verdict:+.2f}" if verdict is not None else \
            "yes/no: the backend gives no probabilities"
        if on and verdict is not None:
            read_on = self.llm.judge(YES_NO_SYSTEM, build_yes_no_prompt(query.text, on[0]))
            if read_on is not None:
                verdict = min(verdict, read_on)
                readings.append(read_on)
                note += f", read on into the next sentence {read_on:+.2f}"
        if doubted and verdict is not None and all(-YES_NO_MARGIN < r < YES_SURE for r in readings):
            note += (f": refused, the model doubts the quote and no reading settles it (a doubted quote must read at "
                     f"most {-YES_NO_MARGIN:+.2f} or at least {YES_SURE:+.2f})")
            return refusal(query.text, found, self.name, replace(explanation, notes=explanation.notes + (note,)))
        said = "" if verdict is None or abs(verdict) < YES_NO_MARGIN else "Yes" if verdict > 0 else "No"
        explanation = replace(explanation, notes=explanation.notes + (note + ("" if said else ": not settled"),))
        return self.writer.extractive.cite(query, found, chosen, name=self.name, explanation=explanation,
                                           direct=said)

    def chosen(self, query: Query, found: Findings) -> Answer:
        """The model judges each candidate sentence; the best fused score is quoted, led by a checked direct
        answer, or refused when no candidate passes. The next QA_CHOICE_MORE candidates are judged too at once
        when the model doubts the leader (below QA_CHOICE_MORE_BELOW), else before a refusal, and when one of them
        passes, the choice is made again over all."""
        s = self.settings
        bar = 0.0   # what the chosen candidate's fused score must reach (QA_REFUSAL=choice)
        if s.refusal == "excerpts":   # one yes/no over the best excerpts decides whether to answer at all
            _, refused = self.excerpts_verdict(query, found)
            if refused is not None:
                return refused
            bar = float("-inf")
        judged = choose(self.llm, query, found, s)
        doubted = ""
        if s.choice_more and s.choice_more_below > -1 and judged and judged[0].judge is not None and \
                judged[0].judge < s.choice_more_below:
            more = choose(self.llm, query, found, s, judged, s.choice_more)   # a doubted leader: the next ones too
            doubted = (f"the model doubts the leading sentence ({judged[0].judge:+.2f}, below QA_CHOICE_MORE_BELOW): "
                       f"{len(more) - len(judged)} more judged")
            judged = more
        copied: dict[int, Direct] = {}   # what the model copied from each candidate, asked once a question
        answer, later = self.answer_from(query, found, judged, bar, copied)
        answer = _noted(answer, doubted)
        if not answer.refused or not s.choice_more or doubted:   # doubted: the next ones were judged already
            return self.rechecked(query, found, judged, answer, later)
        more = choose(self.llm, query, found, s, judged, s.choice_more)
        new = [j for j in more if all(j.evidence is not k.evidence for k in judged)]
        if not any(j.fused >= 0 for j in new):
            return answer
        again, later = self.answer_from(query, found, more, bar, copied)
        return self.rechecked(query, found, more, _noted(
            again, f"no candidate of the best {len(judged)} answered: {len(new)} more judged"), later)

    def rechecked(self, query: Query, found: Findings, judged: list[Judged], answer: Answer,
                  later: bool = False) -> Answer:
        """QA_RECHECK_BELOW: an answer whose chosen sentence the model judged below it is asked once more, as one
        yes/no over the best RECHECK_CANDIDATES candidates together (RECHECK_WORDS words each), and refused below
        QA_RECHECK_THRESHOLD: read together, the sentences show the model what each alone leaves out (the other
        team, the other year). An answer whose words stood only from a later candidate (later: the model doubted
        the chosen sentence and copied nothing that stood from it) is asked whatever the chosen sentence's
        judgement, and must reach QA_RECHECK_LATER too: the leader itself answered nothing. Yes/no questions are
        not asked again: their quote answers either way; nor are questions with time words ("this week"): the
        articles' dates answer those, and the model sees no date."""
        s = self.settings
        timed = query.period is not None and not query.period.implicit
        later = later and s.recheck_later > -1
        if answer.refused or query.yes_no or timed or not judged or judged[0].judge is None or \
                (judged[0].judge >= s.recheck_below and not later):
            return answer
        verdict = self.writer.judgement(query, [trimmed(j.evidence.quote, RECHECK_WORDS)
                                                for j in judged[:RECHECK_CANDIDATES]])
        if verdict is None:
            return answer
        bar, cut = (max(s.recheck_threshold, s.recheck_later), "QA_RECHECK_LATER") if later else \
            (s.recheck_threshold, "QA_RECHECK_THRESHOLD")
        passed = verdict >= bar
        note = (f"the model doubts the chosen sentence ({judged[0].judge:+.2f})"
                + (", and its answer words stood only from a later candidate" if later else "")
                + f"; over the best {min(len(judged), RECHECK_CANDIDATES)} candidates together it says "
                f"{verdict:+.2f}, " + ("enough" if passed else f"below {cut}: refused"))
        explanation = answer.explanation if answer.explanation is not None else \
            explain(found, s.min_support, judge=judged[0].judge)
        explanation = replace(explanation, notes=explanation.notes + (note,))
        if passed:
            return replace(answer, explanation=explanation)
        return refusal(query.text, found, self.name, explanation)

    def answer_from(self, query: Query, found: Findings, judged: list[Judged], bar: float,
                    copied: dict[int, Direct]) -> tuple[Answer, bool]:
        """The answer the judged candidates give: the best quoted, led by a checked direct answer, or a refusal
        (copied: the model's direct answer from each candidate already asked, by id of its Evidence); and whether
        its words stood only from a later candidate than the chosen one (QA_RECHECK_LATER)."""
        s = self.settings
        notes = tuple(f"model {j.judge:+.2f}, fused {j.fused:+.2f}: {j.evidence.sentence[:90]}"
                      for j in judged[:CANDIDATES_EXPLAINED] if j.judge is not None)
        best_judge = judged[0].judge if judged else None
        explanation = explain(found, s.min_support, judge=best_judge, notes=notes)
        chosen = quoted(judged, s.max_sentences, [p.source for p in found.passages], bar=bar)
        if not chosen:
            return refusal(query.text, found, self.name, explanation), False
        doubted = s.refuse_unnamed and (judged[0].judge is None or judged[0].judge < s.unnamed_judge)
        if query.yes_no:   # a few copied words would not answer it: Yes, No (QA_YES_NO_LEAD) or the quote alone
            if s.yes_no_lead:
                return self.yes_or_no(query, found, chosen, explanation, doubted=doubted), False
            return self.writer.extractive.cite(query, found, chosen, name=self.name, explanation=explanation), False
        lead = s.direct_answer and not EXPLAINS.search(query.clause)   # a clause answers why and how: no few words
        if not (lead or doubted):
            return self.writer.extractive.cite(query, found, chosen, name=self.name, explanation=explanation), False
        direct, at, tried = self.named(query, found, judged, retry=doubted, copied=copied)
        if at < 0 and doubted:
            note = ("refused: the model doubts the best sentence and copied no answer that stands its check from it "
                    "or the next passing ones (it wrote " + "; ".join(tried) + ")")
            return refusal(query.text, found, self.name, replace(explanation, notes=explanation.notes + (note,))), False
        if at > 0:   # the words of a later candidate: they lead, its sentence quoted first (a why or how: as chosen)
            if lead:
                source = judged[at].evidence
                chosen = [source] + [ev for ev in chosen if ev is not source][:s.max_sentences - 1]
            explanation = replace(explanation, notes=explanation.notes + (
                f"the model doubts the best sentence, but copied {tried[-1]} from the next passing one (it wrote "
                + "; ".join(tried[:-1]) + " first): " + ("its sentence is quoted first" if lead else
                                                         "the articles answer, the quote stays as chosen"),))
        direct = direct if lead else None
        if lead:
            said = f"direct answer: {direct.text}" if direct is not None else f"the direct answer {tried[0]} did " \
                "not stand its check (its names and numbers must be in the sentence, and a doubted sentence's words " \
                "confirmed by the model): the quote stands alone"
            explanation = replace(explanation, notes=explanation.notes + (said,))
        if direct is not None and direct.before:
            chosen[0] = replace(chosen[0], context=direct.before)
        cited = self.writer.extractive.cite(query, found, chosen, name=self.name, explanation=explanation,
                                            direct=direct.text if direct is not None else "")
        return cited, at > 0

    def named(self, query: Query, found: Findings, judged: list[Judged], retry: bool,
              copied: dict[int, Direct]) -> tuple[Direct | None, int, list[str]]:
        """The direct answer the model copies from the chosen candidate, when it stands, or with retry from one of
        the next passing candidates (up to NAMING_TRIES). Words that stand only from a later candidate lead with
        its sentence quoted first, once the best candidates read together pass QA_RECHECK_LATER (rechecked());
        before that second yes/no, they led nowhere ("Kim." for "Who replaced Dmitry Peskov?" from a sentence about
        Kim's message is refused by it). Words that a doubted candidate's line before holds stand only when the
        model, judging the sentence with that line, no longer doubts it ("9.59 percent" for the California ISO's
        share, from a line about operating reserves, does not).

        Returns:
            (the standing direct answer or None, the index in judged of the candidate it was copied from (-1 when
            none stood), what the model wrote, each quoted).
        """
        tried: list[str] = []
        for k, j in enumerate(judged[:NAMING_TRIES if retry else 1]):
            if k and j.fused < 0:
                break
            got = copied.get(id(j.evidence))
            if got is None:
                got = copied[id(j.evidence)] = direct_answer(self.llm, query, found, j.evidence)
            with_line = None   # the model's judgement of the doubted sentence with the line before it
            if retry and got.stood and got.from_before and (j.judge is None or j.judge < self.settings.unnamed_judge):
                with_line, = judge_sentences(self.llm, query, [replace(j.evidence, context=got.before)],
                                             self.settings.judge_order)
                if with_line is None or with_line < self.settings.unnamed_judge:
                    got = replace(got, stood=False)
            if retry and got.stood:   # a doubted sentence's words must also be confirmed by the model
                got = confirmed(self.llm, query, j.evidence, got, self.settings.confirm_judge)
            tried.append(_written(got, with_line))
            if got.stood:
                return got, k, tried
        return None, -1, tried


def yes_no_texts(found: Findings, ev: Evidence) -> list[str]:
    """What a yes/no question is read against: the quote alone, then (when its passage goes on) the sentence read
    on into the next one."""
    after = line_at(found, ev, 1)
    return [trimmed(ev.quote)] + ([trimmed(f"{ev.sentence} {after}", 2 * CANDIDATE_WORDS)] if after else [])


def _noted(answer: Answer, note: str) -> Answer:
    """The answer with note first among its explanation's notes (as it stands without a note or explanation)."""
    if not note or answer.explanation is None:
        return answer
    return replace(answer, explanation=replace(answer.explanation, notes=(note,) + answer.explanation.notes))


def _written(got: Direct, with_line: float | None) -> str:
    """What the model wrote, quoted, and why it did not stand when a judgement said so (for --explain)."""
    if with_line is not None and not got.stood:
        return f"{got.text!r}, from the line before, which with the sentence it doubts too: {with_line:+.2f}"
    if got.confirmed is not None and not got.stood:
        return f"{got.text!r}, which it doubts the text says: {got.confirmed:+.2f}"
    return repr(got.text)
