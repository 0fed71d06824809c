"""The direct answer: a few words that answer the question ("By 2030."; "Squid Game."), written by the model from
the chosen sentence and the line before it, then checked against them.

Every number, date and name the model writes must be in what it read, and most of its words too (it is asked
to copy); otherwise there is no direct answer and the quote stands alone. When the words come from the line
before the sentence ("the show" is named there), that line is quoted too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answerers.base import Findings
from qa.answerers.choice import trimmed
from qa.evidence import Evidence
from qa.lexicon import STOP, WORD
from qa.matching import entity_key, unstated
from qa.prompts import DIRECT_FOLLOW_UP, REFUSAL, SENTENCE_SYSTEM, SYSTEM, build_direct_prompt, build_sentence_prompt
from qa.query import Query

DIRECT_TOKENS = 16       # a few words: the generation is capped
MOST_WORDS = 12          # longer is not a direct answer
COPIED_SHARE = 0.75      # share of its content words the direct answer must take from what it read
DECLINES = re.compile(r"\b(?:not (?:stated|mentioned|given|specified)|does(?:n't| not) (?:say|state|mention)|"
                      r"unknown|no answer|cannot|can't)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Direct:
    """A checked direct answer, and whether it was taken from the line before the quoted sentence."""

    text: str
    before: str = ""     # the line before the sentence, when the words come from it (it is quoted too)
    stood: bool = True   # False: what the model wrote did not stand its check (kept for the explanation only)

    @property
    def from_before(self) -> bool:
        return bool(self.before)


def line_before(found: Findings, ev: Evidence) -> str:
    """The sentence before ev in its passage ("" for the first, or when ev already quotes it as context)."""
    if ev.context or ev.position == 0:
        return ""
    return next((e.sentence for e in found.evidence if e.passage == ev.passage and e.position == ev.position - 1), "")


def short_reply(llm, query: Query, sentence: str, before: str) -> str:
    """The model's few words: in process, the second turn of the chosen sentence's judgement (it said yes, then
    names the answer); elsewhere a reply to DIRECT_TASK over the sentence and the line before it (capped where the
    backend takes a cap)."""
    follow_up = getattr(llm, "follow_up", None)
    if follow_up is not None:
        return follow_up(SENTENCE_SYSTEM, build_sentence_prompt(query.text, sentence), "yes", DIRECT_FOLLOW_UP,
                         DIRECT_TOKENS)
    user = build_direct_prompt(query.text, sentence, before)
    try:
        pieces = llm.stream(SYSTEM, user, max_tokens=DIRECT_TOKENS)
    except TypeError:
        pieces = llm.stream(SYSTEM, user)
    return "".join(pieces)


def tidy(reply: str) -> str:
    """The reply's first line without quotes, "Answer:" or a full stop."""
    line = next((part for part in reply.strip().splitlines() if part.strip()), "")
    line = re.sub(r"^(?:answer|a)\s*:\s*", "", line.strip(), flags=re.IGNORECASE)
    return line.strip().rstrip(".").strip().strip("\"'“”*").rstrip(".").strip()


def content_keys(text: str) -> list[str]:
    return [entity_key(w) for w in WORD.findall(text) if w.lower() not in STOP]


def check(answer: str, query: Query, sentence: str, before: str) -> Direct | None:
    """The answer if it stands: short, not a refusal, its names and numbers and most of its words taken from
    what the model read, saying something the question does not already say."""
    words = content_keys(answer)
    if not answer or not words or len(answer.split()) > MOST_WORDS or DECLINES.search(answer) \
            or REFUSAL.lower().rstrip(".") in answer.lower():
        return None
    read = f"{before} {sentence}"
    if unstated(answer, read):
        return None
    read_keys = set(content_keys(read))
    if sum(1 for k in words if k in read_keys) < COPIED_SHARE * len(words):
        return None
    if set(words) <= query.question_keys:   # "the show": nothing the asker did not say
        return None
    in_sentence = set(content_keys(sentence))
    return Direct(answer, before=before if before and not set(words) <= in_sentence else "")


def direct_answer(llm, query: Query, found: Findings, ev: Evidence) -> Direct:
    """The model's few-word answer from the chosen sentence, checked (stood=False when it did not stand)."""
    before = line_before(found, ev)
    reply = tidy(short_reply(llm, query, trimmed(ev.quote), before))
    return check(reply, query, ev.quote, before) or Direct(reply, stood=False)
