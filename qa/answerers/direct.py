"""The direct answer: a few words that answer the question ("By 2030."; "Squid Game."), copied by the model from
the chosen sentence and the line before it, then checked against them.

Every number, date and name the model writes must be in what it read, and most of its words too (it is asked
to copy); otherwise there is no direct answer. When the words come from the line before the sentence ("the show"
is named there), that line is quoted too. A fact question whose answer the model cannot copy from any passing
candidate is refused (QA_REFUSE_UNNAMED): the sentence is about the question without answering it.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from qa.answerers.base import Findings
from qa.answerers.choice import trimmed
from qa.evidence import Evidence
from qa.lexicon import DATE, MONEY, MONTH_NAME, NAMES, NUMBER, NUMBER_WORDS, STOP, WORD
from qa.matching import entity_key, names_outlet, only_as_money, unstated, word_key
from qa.prompts import DIRECT_SYSTEM, REFUSAL, YES_NO_SYSTEM, build_direct_prompt, build_verify_prompt
from qa.query import Query

DIRECT_TOKENS = 16       # a few words: the generation is capped
MOST_WORDS = 12          # longer is not a direct answer
COPIED_SHARE = 0.75      # share of its content words the direct answer must take from what it read
WHEN_WORDS = re.compile(r"\b(?:years?|months?|weeks?|days?|ago|spring|summer|autumn|fall|winter|weekend|morning|"
                        r"evening|night|tonight|noon|midnight)\b", re.IGNORECASE)
YEAR = re.compile(r"1\d{3}|20\d{2}")
CURRENCY = re.compile(r"[$€£¥₹]|\b(?:dollars?|euros?|pounds?|yen|yuan|rupees?)\b", re.IGNORECASE)
# asks for a count, a length, an age or a share: an amount of money never answers ("How long will the talks
# last?" is not "95" of "a $95 million investment"; "How many were fined?" not "1,000" of "fined £1,000")
NOT_MONEY = re.compile(r"\bhow (?:many|long|old|far|tall|high|deep|often)\b|\b(?:percent(?:age)?|share|proportion)\b",
                       re.IGNORECASE)
# how often, said in one word ("Twice" for "two conversations")
TIMES = re.compile(r"\b(?:once|twice|thrice)\b", re.IGNORECASE)
TIMES_SAID = {"once": "one", "twice": "two", "thrice": "three"}
# words before a surname that are not a given name ("President Biden")
TITLES = frozenset("mr mrs ms miss dr sir dame lord lady president vice prime minister secretary senator sen rep "
                   "representative gov governor mayor judge justice chief general gen col colonel captain capt sgt "
                   "officer detective coach king queen prince princess pope rev father saint st chancellor premier "
                   "chairman chairwoman speaker leader former late professor prof".split())
# asks about a publication: then the article's own outlet may be the answer
PUBLICATION = re.compile(r"\b(?:newspapers?|papers?|outlets?|networks?|channels?|broadcasters?|magazines?|"
                         r"publications?|stations?|websites?|agency|tabloids?|daily|report(?:s|ed|ing)?|published|"
                         r"stor(?:y|ies)|broke|scoop|interview(?:s|ed)?|polls?|polled|surveys?|surveyed)\b",
                         re.IGNORECASE)
DECLINES = re.compile(r"\b(?:not (?:stated|mentioned|given|specified)|does(?:n't| not) (?:say|state|mention)|"
                      r"unknown|no answer|cannot|can't)\b|^none$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Direct:
    """A checked direct answer, and whether it was taken from the line before the quoted sentence."""

    text: str
    before: str = ""     # the line before the sentence, when the words come from it (it is quoted too)
    stood: bool = True   # False: what the model wrote did not stand its check (kept for the explanation only)
    confirmed: float | None = None   # the model's P(yes) - P(no) that the text says they answer (when asked)

    @property
    def from_before(self) -> bool:
        return bool(self.before)


def line_before(found: Findings, ev: Evidence) -> str:
    """The sentence before ev in its passage ("" for the first, or when ev already quotes it as context)."""
    if ev.context or ev.position == 0:
        return ""
    return line_at(found, ev, -1)


def line_at(found: Findings, ev: Evidence, step: int) -> str:
    """The sentence step places from ev in its passage ("" when it has none there)."""
    return next((e.sentence for e in found.evidence
                 if e.passage == ev.passage and e.position == ev.position + step), "")


def short_reply(llm, query: Query, sentence: str, before: str) -> str:
    """The model's few words copied from the sentence (or the line before it), or "none" (generation capped)."""
    user = build_direct_prompt(query.text, sentence, before)
    try:
        pieces = llm.stream(DIRECT_SYSTEM, user, max_tokens=DIRECT_TOKENS)
    except TypeError:
        pieces = llm.stream(DIRECT_SYSTEM, user)
    return "".join(pieces)


def tidy(reply: str) -> str:
    """The reply's first line without quotes, "Answer:" or a full stop."""
    line = next((part for part in reply.strip().splitlines() if part.strip()), "")
    line = re.sub(r"^(?:answer|a)\s*:\s*", "", line.strip(), flags=re.IGNORECASE)
    return line.strip().rstrip(".").strip().strip("\"'“”*").rstrip(".").strip()


def content_keys(text: str, key=entity_key) -> list[str]:
    """The key of each word of text that is not a stop word (entity_key's 5-letter prefix, or word_key's whole)."""
    return [key(w) for w in WORD.findall(text) if w.lower() not in STOP]


def of_the_kind(answer: str, query: Query, read: str) -> bool:
    """Whether the words are of the kind the question asks for: a number (an amount of money when it asks how
    much money, not how many), a date, or a name as the text writes it (capitalised, not the question's own)
    when it asks for a name ("What is the name of…", "Which company…"). Others take any words ("Who carries out
    the burials?": "Contractors")."""
    if query.kind == "number":
        money = query.money and not re.match(r"\s*how many\b", query.text, re.IGNORECASE)
        if NOT_MONEY.search(query.text) and (CURRENCY.search(answer) or only_as_money(answer, read)):
            return False
        return bool(re.search(r"\d", answer) or NUMBER.search(answer)) and (not money or bool(
            MONEY.search(answer) or CURRENCY.search(answer)))
    if query.kind == "date":
        if re.fullmatch(r"[\d,.]+", answer.strip()):   # a bare number is a year or no date ("25" of "its 25 shops")
            return bool(YEAR.fullmatch(answer.strip()))
        return bool(re.search(r"\d", answer) or DATE.search(answer.lower()) or MONTH_NAME.search(answer.lower())
                    or WHEN_WORDS.search(answer))
    if NAMES.search(query.clause):
        capitals = {entity_key(w) for w in WORD.findall(read) if w[:1].isupper()}
        return any(entity_key(w) in capitals and entity_key(w) not in query.question_keys
                   for w in WORD.findall(answer) if w.lower() not in STOP and w.lower() not in NUMBER_WORDS)
    return True


def check(answer: str, query: Query, sentence: str, before: str) -> Direct | None:
    """The answer if it stands: short, not a refusal, of the kind asked for, its names and numbers and most of
    its words taken from what the model read, saying something the question does not already say."""
    checked = TIMES.sub(lambda m: TIMES_SAID[m.group(0).lower()], answer)   # "Twice" is the sentence's "two"
    words = content_keys(checked)
    if not answer or not words or len(answer.split()) > MOST_WORDS or DECLINES.search(answer) \
            or REFUSAL.lower().rstrip(".") in answer.lower():
        return None
    read = f"{before} {sentence}"
    if unstated(checked, read) or not of_the_kind(checked, query, read):
        return None
    read_keys = set(content_keys(read))
    # its numbers are stated (unstated() read them, as words too: "a month" states 1 month)
    if sum(1 for k in words if k in read_keys or k[:1].isdigit()) < COPIED_SHARE * len(words):
        return None
    if set(words) <= query.question_keys or names_the_asked(answer, query):   # nothing the asker did not say
        return None
    return Direct(answer, before=before if before and from_before(checked, sentence, before) else "")


def from_before(answer: str, sentence: str, before: str) -> bool:
    """Whether some content word of the answer is the line before's, not the sentence's: a word is the sentence's
    when the sentence writes it, or a word it begins as its keys do (the 5-letter prefix of "lunches" in "lunch")
    and the line before does not write it whole ("Colorado" is the line before's, not "of color" of the
    sentence)."""
    said = {word_key(w) for w in WORD.findall(sentence)}
    prefixes = {k[:5] for k in said}
    written = {word_key(w) for w in WORD.findall(before)}
    return any(k not in said and (k[:5] not in prefixes or k in written) for k in content_keys(answer, word_key))


def names_the_asked(answer: str, query: Query) -> bool:
    """Whether the answer is a person the question names, in full ("Andrew Hartley" for "Which brand of boiler
    did Hartley install?"): capitalised words ending with a name the question writes, the rest given names
    ("Eastern Economic Forum" for "Which forum…?" ends with a word of the question, not a name it writes)."""
    names = WORD.findall(answer)
    return len(names) > 1 and all(w[:1].isupper() and w.lower() not in STOP for w in names) \
        and entity_key(names[-1]) in query.entities \
        and not any(entity_key(w) in query.question_keys for w in names[:-1])


def attribution(answer: str, query: Query, outlet: str) -> bool:
    """Whether the answer only names the article's own outlet ("Kaieteur News" of "Kaieteur News learnt that the
    two loggers …"): who reports, not what is asked, unless the question asks about a publication."""
    return bool(outlet) and names_outlet(answer, outlet) and not PUBLICATION.search(query.text) \
        and set(content_keys(answer)) <= set(content_keys(outlet))


def full_name(answer: str, query: Query, texts: Iterable[str]) -> str:
    """A person the sentence names by surname alone, as news does after the first mention ("Chapman"), named as
    the article writes them in full ("Tracy Chapman"): the commonest given name (or initial) before that surname
    in texts (the cited passage and its article's title), not a title ("President") or a stop word ("After").
    Other answers are returned as they are."""
    if query.kind != "person" or not re.fullmatch(r"[A-Z][a-z][\w'’-]*", answer) or answer.lower() in STOP:
        return answer
    before = re.compile(rf"\b([A-Z][a-z]+|[A-Z]\.)\s+{re.escape(answer)}\b")
    given = Counter(m.group(1) for text in texts for m in before.finditer(text)
                    if m.group(1).lower() not in STOP and m.group(1).lower().rstrip(".") not in TITLES)
    return f"{given.most_common(1)[0][0]} {answer}" if given else answer


def direct_answer(llm, query: Query, found: Findings, ev: Evidence) -> Direct:
    """The model's few-word answer from the chosen sentence, checked (stood=False when it did not stand)."""
    before = line_before(found, ev)
    reply = tidy(short_reply(llm, query, trimmed(ev.quote), before))
    got = check(reply, query, ev.quote, before)
    cited = found.passages[ev.passage]
    if got is None or attribution(got.text, query, cited.outlet):
        return Direct(reply, stood=False)
    return replace(got, text=full_name(got.text, query, (cited.title, cited.text)))


def confirmed(llm, query: Query, ev: Evidence, direct: Direct, bar: float) -> Direct:
    """Standing words, asked back of the text they were copied from: does it say they answer the question? Below
    bar they do not stand (stood=False, the verdict kept for the explanation); a backend without probabilities
    leaves them standing."""
    if not direct.stood or bar <= -1.0:
        return direct
    text = f"{direct.before} {trimmed(ev.quote)}" if direct.before else trimmed(ev.quote)
    verdict = llm.judge(YES_NO_SYSTEM, build_verify_prompt(query.text, text, direct.text))
    if verdict is None:
        return direct
    return replace(direct, confirmed=verdict, stood=verdict >= bar)
