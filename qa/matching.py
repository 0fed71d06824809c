"""What a piece of text holds: names and numbers by key, editions, negation, dates, entities of a type.

Pure functions of text (and of the analysed Query); the query analyser and the evidence signals read them.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from qa.lexicon import (
    DATE,
    MONEY,
    MONTH_AFTER,
    MONTH_BEFORE,
    MONTH_DAY,
    MONTH_NAME,
    NEGATION,
    NUMBER,
    OPENERS,
    OPENING_NAME,
    ORDINAL,
    PROPER,
    QUARTER,
    STARTERS,
    STOP,
    UNITS,
    WORD,
    YEAR,
)
from qa.terms import numeral


class Query(Protocol):
    """What these functions read of an analysed question (qa.query.Query has it; this module never imports it:
    the query analyser imports this one)."""

    kind: str
    years: tuple[str, ...]
    editions: tuple[str, ...]
    entities: tuple[str, ...]
    counted: str
    measured: bool
    money: bool
    question_keys: frozenset[str]

    @property
    def synthesis(self) -> bool: ...


@lru_cache(maxsize=1 << 16)
def entity_key(word: str) -> str:
    """Lower-case 5-letter prefix without possessives, apostrophes or thousands commas ("1960's" -> "1960")."""
    return word_key(word)[:5]


def word_key(word: str) -> str:
    """The whole word as entity_key reads it: lower case, without possessives, apostrophes or thousands commas
    ("Colorado" stays "colorado", where entity_key meets "color" in it)."""
    return numeral(_unpossessed(word.lower()).replace("'", "").replace("’", "").replace(",", ""))


def _unpossessed(word: str) -> str:
    """The word without a possessive 's ("BBC's" -> "BBC")."""
    return re.sub(r"['’]s$", "", word)


def negated(text: str) -> bool:
    """Whether text says something did not happen ("not", "wasn't", "never", "failed to", "denied")."""
    return bool(NEGATION.search(text))


def editions(text: str) -> tuple[str, ...]:
    """Ordinals written in digits that are not days of a month ("92nd", "11th"; "March 4th" is a date),
    and quarters of a year however written ("Q2", "second quarter", "2nd-quarter" -> "q2")."""
    found = [m.group(0).lower() for m in ORDINAL.finditer(text)
             if not MONTH_BEFORE.search(text[max(0, m.start() - 12):m.start()])
             and not MONTH_AFTER.search(text[m.end():m.end() + 14])]
    # numeral() turns "second"/"2nd" into "2"; it leaves "first" alone (too common a word elsewhere)
    quarters = [f"q{m.group(1) or ('1' if m.group(2).lower() == 'first' else numeral(m.group(2).lower()))}"
                for m in QUARTER.finditer(text)]
    return tuple(dict.fromkeys(found + quarters))


def years(text: str) -> tuple[str, ...]:
    """The years text names, in order, once each."""
    return tuple(dict.fromkeys(YEAR.findall(text)))


def mentions_years(query: Query, text: str) -> bool:
    """Whether text names every year the question names."""
    return all(year in text for year in query.years)


def names_other_occasions(query: Query, text: str) -> bool:
    """Whether text names years but none of those the question asks about ("the 2019 final" for 2020),
    or editions but none of the question's ("the 93rd awards" for the 92nd, "the first quarter" for Q2)."""
    if query.years and (named := set(YEAR.findall(text))) and not named & set(query.years):
        return True
    return bool(query.editions) and bool(named := set(editions(text))) and not named & set(query.editions)


def entity_coverage(query: Query, window: str, also: frozenset[str] = frozenset()) -> float:
    """Share of the question's names and numbers that appear in window (by prefix), or in also (acronyms the
    window writes out)."""
    return entity_share(query, (entity_keys(window),), also)


def entity_share(query: Query, keys: Sequence[frozenset[str]], also: frozenset[str] = frozenset()) -> float:
    """Share of the question's names and numbers among any of these entity keys (the texts' entity_keys), or in
    also (acronyms the texts write out): a window's keys are its parts' keys together (a word never spans the
    space that joins them), so each part's are read once."""
    if not query.entities:
        return 1.0
    if also:
        keys = (*keys, frozenset(entity_key(w) for w in also))
    found = 0
    for entity in query.entities:
        for part in keys:
            if entity in part:
                found += 1
                break
    return found / len(query.entities)


@lru_cache(maxsize=1 << 12)
def entity_keys(text: str) -> frozenset[str]:
    """The entity keys of a text's words (a passage's are read for each of its sentences)."""
    return frozenset(map(entity_key, WORD.findall(text)))


def answer_type_score(query: Query, sentence: str, sentence_terms: set[str] | frozenset[str]) -> float:
    """1.0 when the sentence holds an entity of the asked type that the question lacks, else 0.0.

    For "how many X" a number without X scores 0.5: "91.3 males" may answer "how many men"; so does, for "how
    long" or "how far", a number without a unit of time or length.
    """
    if not query.kind or query.synthesis:
        return 1.0
    spans = typed_spans(query, sentence)
    if not spans:
        return 0.0
    if query.kind == "number" and ((query.counted and query.counted not in sentence_terms)
                                   or (query.money and not MONEY.search(sentence))
                                   or (query.measured and not UNITS.search(sentence))):
        return 0.5
    if query.kind == "date":
        return date_precision(sentence)
    return 1.0


def date_precision(sentence: str) -> float:
    """How exactly the sentence dates something: a day with its month and a year 1.0, a day with its month
    or a month with a year 0.9, a bare year 0.7, a month, weekday or "last year" alone 0.4."""
    text = sentence.lower()
    day = MONTH_DAY.search(text)
    year = YEAR.search(text)
    if day and year:
        return 1.0
    if day or (year and MONTH_NAME.search(text)):
        return 0.9
    return 0.7 if year else 0.4


def answer_candidates(query: Query, sentence: str) -> set[str]:
    """Lower-cased strings in the sentence that could be the answer: entities of the asked type
    (names for untyped questions) that the question does not already contain."""
    return {span.lower() for span in typed_spans(query, sentence) if len(span) > 1}


def typed_spans(query: Query, sentence: str) -> list[str]:
    """Spans of the asked type (names when untyped) in the sentence, minus those the question names."""
    if query.kind == "number":
        found = [m.group(0) for m in NUMBER.finditer(sentence) if not DATE.fullmatch(m.group(0).lower())]
    elif query.kind == "date":
        found = [m.group(0) for m in DATE.finditer(sentence.lower())]
    else:
        found = [m.group(0) for m in PROPER.finditer(sentence)]
        # "Mara Quell won..." (a lone capital opens any sentence), also as a quotation opens it
        opening = OPENING_NAME.match(sentence.lstrip(OPENERS))
        if opening and opening.group(1).lower() not in STOP and opening.group(1).lower() not in STARTERS:
            found = [opening.group(0)] + [f for f in found if f not in opening.group(0)]
    # "Olympics" adds nothing to a question about "the olympic games": compare by 5-letter prefix
    return [f for f in found if not entity_keys(f) <= query.question_keys]


def headline(sentence: str) -> bool:
    """Title Case ("Acme's New Chief Says Jobs Are Safe For Now"): its capitals name nobody."""
    words = [w for w in sentence.split() if len(w) > 3 and w[0].isalpha()]
    return len(words) >= 4 and len([w for w in words if w[0].isupper()]) / len(words) > 0.7


def unstated(claim: str, source: str) -> tuple[str, ...]:
    """The numbers, dates and names of a claim that the source does not state ("2023" against a source saying
    "2030"): numbers compare whole (thousands commas aside), names by 5-letter prefix ("Russian" ~ "Russia").

    A claim is checkable only when this is empty; a number written as a word ("four") counts as its digits, and
    "1 month" is stated by "a month"."""
    source_words = WORD.findall(source)
    said = {entity_key(w) for w in source_words}
    numbers = {_digits(w) for w in source_words if _digits(w)}
    lowered = [w.lower() for w in source_words]
    counted_once = {b for a, b in zip(lowered, lowered[1:]) if a in ("a", "an")}   # "a month": 1 month
    missing = []
    claim_words = WORD.findall(claim)
    for i, word in enumerate(claim_words):
        digits = _digits(word)
        if digits:
            after = claim_words[i + 1].lower() if i + 1 < len(claim_words) else ""
            if digits not in numbers and not (digits == "1" and after in counted_once):
                missing.append(word)
        elif word[0].isupper() and word.lower() not in STOP and word.lower() not in STARTERS \
                and entity_key(word) not in said:
            missing.append(word)
    missing += sorted(money_amounts(claim) - money_amounts(source))   # in a stable order (a set's is not)
    return tuple(dict.fromkeys(missing))


FIGURE = re.compile(r"\d[\d,.]*\d|\d")   # a number in digits, whole ("1,000.5")


def money_amounts(text: str) -> set[str]:
    """The numbers a text writes as money ("$8 million", "35 dollars": {"$8", "$35"}): a claim's money must be
    money in its source ("$8 million" is not "8 million Americans")."""
    return {"$" + _digits(m.group(1) or m.group(2)) for m in MONEY.finditer(text)}


def only_as_money(claim: str, source: str) -> bool:
    """Whether a number of the claim is written in the source as money alone ("1,000" for "fined £1,000")."""
    money, plain = money_amounts(source), {_digits(n) for n in FIGURE.findall(MONEY.sub(" ", source))}
    return any("$" + d in money and d not in plain for d in map(_digits, FIGURE.findall(claim)))


def _digits(word: str) -> str:
    """A number word's digits ("2,030" -> "2030", "four" -> "4", "11th" -> "11"); "" for other words."""
    word = numeral(_unpossessed(word.lower()).replace(",", ""))
    return word if word[:1].isdigit() else ""


def names_outlet(question: str, outlet: str) -> bool:
    """Whether the question names this outlet, as people write it: "the Guardian" names "The Guardian", "the BBC"
    names "BBC News", "Wired" names "WIRED"; capitalised, as a name is ("this week" does not name The Week)."""
    def words(text: str) -> list[str]:
        return [_unpossessed(w) for w in WORD.findall(text)]

    said = words(question)
    name = outlet.strip()
    name = name[4:] if name.lower().startswith("the ") else name
    for key in {tuple(words(name)), tuple(words(re.sub(r"(?i)\s+news$", "", name)))}:
        n = len(key)
        if n and any(all(a[:1].isupper() or a[:1].isdigit() for a in said[i:i + n])
                     and [a.lower() for a in said[i:i + n]] == [k.lower() for k in key]
                     for i in range(len(said) - n + 1)):
            return True
    return False
