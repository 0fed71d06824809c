"""The question analysed once into a typed Query: key terms, asked answer type, names, numbers, years."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from qa.errors import InputError
from qa.lexicon import (
    COVERAGE,
    COVERAGE_TOPIC,
    FOCUS,
    FRAMING,
    HOW_MANY,
    IN_SITU,
    LATEST,
    LEAD_IN_END,
    MEASURED,
    MONEY_QUESTION,
    OPENS_QUESTION,
    PLURALS,
    PREPOSITIONS,
    STOP,
    SYNTHESIS,
    TYPED,
    VERBS_AFTER_WHAT,
    WORD,
    YES_NO,
)
from qa.matching import editions, entity_key, entity_keys, negated, years
from qa.terms import TermWeights
from qa.timewords import Period, period_of

SYNTHESIS_KIND = "synthesis"
MAX_QUESTION_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Query:
    """What an answer to the question must contain; every evidence signal reads this, nothing re-analyses."""

    text: str
    kind: str                        # number | date | person | place | synthesis | ""
    terms: tuple[str, ...]           # stemmed content terms, in order
    pairs: frozenset[tuple[str, str]] = frozenset()  # adjacent term pairs (phrase signal)
    counted: str = ""                # stem of the noun after "how many", which the answer must mention
    measured: bool = False           # asks how long or how far: the answer is a stretch of time or length
    money: bool = False              # a number question about money ("what was Acme's revenue?")
    question_keys: frozenset[str] = frozenset()  # every question word as a 5-letter prefix
    entities: tuple[str, ...] = ()   # names and numbers in the question, lower-cased prefixes
    years: tuple[str, ...] = ()      # years the question names: an answer about another year is wrong
    editions: tuple[str, ...] = ()   # ordinals and quarters it names ("the 92nd awards", "Q2")
    negated: bool = False            # the question asks what did not happen
    focus: str = ""                  # stem of the thing a what/which question asks about ("which airline")
    latest: bool = False             # asks for the latest, most recent, newest or current state
    as_of: str = ""                  # ISO day it is asked on, when not today ("" = today)
    period: Period | None = None     # publication dates its time words point at ("this week")
    coverage: str = ""               # asks about the coverage itself: outlet | when | author | count | which | first
    #                                  | latest ("" for none): answered from the articles' metadata
    topic: str = ""                  # what a coverage question is about (searched instead of the whole question)
    yes_no: bool = False             # asks yes or no ("Has Putin visited Pyongyang since 2000?")
    clause: str = ""                 # the question itself, whose shape says what answers it (see asked)

    @property
    def route(self) -> str:
        """How it is answered: coverage (from the articles' metadata), synthesis (from several articles), yes/no,
        or fact (a quoted sentence)."""
        return ("coverage" if self.coverage else SYNTHESIS_KIND if self.synthesis else "yes/no" if self.yes_no
                else "fact")

    @property
    def synthesis(self) -> bool:
        """A summary, comparison, list or timeline: answered from several articles."""
        return self.kind == SYNTHESIS_KIND


def asked(question: str, in_situ: bool = True) -> str:
    """The question itself, whose shape says what answers it: past the sentences that set the scene ("Where did
    the incident occur?" of "Two planes collided this week. Where did the incident occur?"), past a phrase that
    only frames it ("how many patients …?" of "Before the war, how many patients …?", "did …?" of "In 2020, did
    …?"), and from a question word left in place ("which airline?" of "… on a flight operated by which
    airline?"; not with in_situ=False); the question as it stands when none of these is there."""
    q = question.strip()
    starts = [m.end() for m in LEAD_IN_END.finditer(q)
              if len(q[:m.start()].split()) >= 3 and "?" in q[m.end():] and len(q[m.end():].split()) >= 2]
    q = q[starts[-1]:] if starts else q
    framed = FRAMING.match(q)
    q = q[framed.end():] if framed else q
    left = list(IN_SITU.finditer(q)) if in_situ and not OPENS_QUESTION.match(q) else []
    return q[left[-1].start():] if left else q


def answer_type(question: str, clause: str | None = None) -> str:
    """The entity type a question asks for: number, date, person, place, "" for none, or synthesis for a
    summary, comparison, list or timeline (an answer drawn from several articles, not one sentence); clause:
    asked(question), when already read."""
    if SYNTHESIS.search(question.strip().lower()):
        return SYNTHESIS_KIND
    q = (asked(question) if clause is None else clause).lower()
    for name, pattern in TYPED.items():
        if pattern.search(q):
            return name
    return ""


def coverage_of(question: str) -> tuple[str, str]:
    """(what a question asks about the coverage, its topic): ("outlet", "the goats on Redonda") for "Which outlet
    ran the story about the goats on Redonda?"; ("", "") for a question about the news itself."""
    q = question.strip()
    for name, pattern in COVERAGE.items():
        if pattern.search(q):
            topic = COVERAGE_TOPIC.search(q)
            return name, topic.group(1) if topic else q
    return "", ""


def analyse(question: str, weights: TermWeights, as_of: date | None = None, recent_days: int = 0) -> Query:
    """Analyse a question once.

    Args:
        question: the question as searched.
        weights: term statistics of the collection (for stemming and the focus noun).
        as_of: the day it is asked (time words are read relative to it; default today).
        recent_days: without time words, the last this many days are the question's time (0: none).

    Returns:
        The Query every scorer reads.
    """
    coverage, topic = coverage_of(question)
    clause = asked(question)
    kind = "" if coverage else answer_type(question, clause)
    terms = tuple(weights.terms(question))
    return Query(
        text=question, kind=kind, terms=terms, pairs=frozenset(weights.bigrams(terms)),
        counted=_counted(question, weights), measured=kind == "number" and bool(MEASURED.search(question)),
        money=kind == "number" and bool(MONEY_QUESTION.search(question)),
        question_keys=entity_keys(question),
        entities=question_entities(question), years=years(question), editions=editions(question),
        negated=negated(question), focus="" if kind else _focus(question, weights),
        latest=bool(LATEST.search(question)),
        as_of=as_of.isoformat() if as_of and as_of != date.today() else "",
        period=period_of(question, as_of or date.today(), recent_days), coverage=coverage, topic=topic,
        yes_no=bool(YES_NO.match(clause)) and kind != SYNTHESIS_KIND, clause=clause)


def _counted(question: str, weights: TermWeights) -> str:
    """The noun a "how many" question counts: English noun phrases end in their head
    ("how many North Korean troops" counts troops)."""
    found = HOW_MANY.search(question)
    if not found:
        return ""
    phrase: list[str] = []
    for word in WORD.findall(found.group(1)):
        if word.lower() in STOP or word.lower() in PREPOSITIONS:
            break
        phrase.append(word)
    plural = [w for w in phrase if w.lower().endswith("s") or w.lower() in PLURALS]
    head = plural[-1] if plural else (phrase[0] if phrase else "")
    stems = weights.terms(head)
    return stems[0] if stems else ""


def _focus(question: str, weights: TermWeights) -> str:
    """The noun a what/which question is about: "Which airline flies..." -> airline,
    "What is the name of Kim's daughter?" -> daughter; "" when the next word is no noun ("What did...")."""
    # not from a question word left in place: what follows it there is often no noun phrase of its own
    found = FOCUS.match(asked(question, in_situ=False))
    word = found.group(1).lower() if found else ""
    if not word or word in STOP or word.endswith("ed") or word in VERBS_AFTER_WHAT:
        return ""
    stems = weights.terms(found.group(1))
    return stems[0] if stems else ""


def question_entities(question: str) -> tuple[str, ...]:
    """Capitalised words (past the first) and numbers of a question, as 5-letter lower-case prefixes.

    Prefixes let "Russia" match "Russian" and "criticise" never matters: only names and numbers count.
    """
    words = WORD.findall(question)
    found = []
    for i, word in enumerate(words):
        if (i > 0 and word[0].isupper() and word.lower() not in STOP) or any(ch.isdigit() for ch in word):
            found.append(entity_key(word))
    return tuple(dict.fromkeys(found))


def clean_question(question: str) -> str:
    """The question with whitespace squeezed; empty and oversized questions are errors."""
    question = " ".join((question or "").split())
    if not question:
        raise InputError('The question is empty: ask something, e.g. qa ask "Who invited Putin?"')
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(f"The question is too long ({len(question)} characters, limit {MAX_QUESTION_CHARS}): "
                         "ask about one thing at a time")
    return question
