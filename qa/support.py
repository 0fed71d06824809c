"""What a question asks for (answer type, key terms, names, years) and which sentences hold it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.terms import STOP as _STOP
from qa.terms import WORD as _WORD
from qa.terms import TermWeights, numeral

_NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                 "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
                 "hundred hundreds thousand thousands million millions billion billions dozen dozens").split()
_NUMBER = re.compile(r"\b(?:\d[\d,.]*(?:bn|m|k)?|" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_MONTHS = ("january february march april may june july august september october november december "
           "monday tuesday wednesday thursday friday saturday sunday").split()
_DATE = re.compile(r"\b(?:1[5-9]\d\d|20\d\d|\d{1,2}(?:st|nd|rd|th)|(?:" + "|".join(_MONTHS) +
                   r")|(?:last|next|this) (?:year|week|month)|yesterday|today|tomorrow|decades?|centur(?:y|ies))\b")
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"  # a month, abbreviated or not
_MONTH_NAME = re.compile(r"\b" + _MON + r"[a-z]*\.?(?=\s|,|$)")
_MONTH_DAY = re.compile(  # "March 4", "Mar. 4th", "4 March", "4th of March"
    r"\b(?:" + _MON + r"[a-z]*\.?\s+(?:[12]?\d|3[01])(?:st|nd|rd|th)?\b"
    r"|(?:[12]?\d|3[01])(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r"[a-z]*)")
_YEAR = re.compile(r"\b(?:1[5-9]\d\d|20\d\d)\b")
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b(?![\s-]quarter\b)", re.IGNORECASE)
_QUARTER = re.compile(r"\bQ([1-4])\b|\b(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]quarter\b", re.IGNORECASE)
_MONTH_BEFORE = re.compile(_MON + r"[a-z]*\.?\s+$", re.IGNORECASE)  # "March 4th"
_MONTH_AFTER = re.compile(r"^\s+(?:of\s+)?" + _MON, re.IGNORECASE)    # "4th of March"
_OPENING_NAME = re.compile(r"([A-Z][a-zA-Z’'-]+)(?:\s+[A-Z][a-zA-Z’'-]+)+")
_STARTERS = frozenset("in on at after before during since while although though when as for from with by according "
                      "last next this that these those today yesterday earlier later meanwhile however".split())
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z’'-]+(?:\s+[A-Z][a-zA-Z’'-]+)*")

_PLURALS = frozenset("people men women children police staff personnel cattle sheep fish deer".split())

TYPED = {
    "number": re.compile(r"^(?:how (?:many|much|old|long|far|often|large|big|tall)|what (?:number|percentage|amount)"
                         r"|what (?:is|was|are|were) (?:the |\w+['’]s )(?:\w+ )?(?:price|cost|population|number|amount|"
                         r"size|value|percentage|age|height|length|area|budget|salary|score|revenue|sales|profit|income|"
                         r"earnings|worth|valuation|rate|total|distance|weight|capacity|attendance|turnout))\b"),
    "date": re.compile(r"^(?:when|what (?:year|date|month|day|time|decade|century)|in what year|which year"
                       r"|what (?:is|was|are|were) the (?:\w+ )?(?:date|year|day))\b"),
    "person": re.compile(r"^(?:who|whom|whose|(?:which|what) (?:\w+ )?(?:person|people|man|woman|actor|actress|"
                         r"director|player|singer|artist|author|writer|leader|president|ceo|founder|coach|candidate|"
                         r"politician|minister|official|spokesman|spokeswoman|spokesperson|winner|scientist))\b"),
    "place": re.compile(r"^(?:where|(?:in |to |from )?(?:what|which)(?: other)? (?:city|country|countries|place|town|"
                        r"region|state|nation|continent))\b"),
}


# a question about money is answered by an amount of money, not by a share price move or a date
_MONEY_Q = re.compile(r"\b(?:revenue|price|cost|budget|salary|sales|profit|income|earnings|worth|valuation|"
                      r"fee|fine|funding|wage|bonus|prize money|how much (?:money|\w+ )?(?:did|does|do|is|was|were|"
                      r"are|will) .*\b(?:cost|pay|paid|earn|spend|spent|raise|raised|sell|sold|charge|fund|worth)\w*)\b",
                      re.IGNORECASE)
_MONEY = re.compile(r"(?:[$€£¥₹]|\b(?:US\$|USD|EUR|GBP|Rs\.?)\s?)\s?\d|\b\d[\d,.]*\s?(?:million |billion |trillion )?"
                    r"(?:dollars|euros|pounds|yen|yuan|rupees|francs|won|rubles|roubles|pesos)\b", re.IGNORECASE)


def answer_type(question: str) -> str:
    """The entity type a question asks for: number, date, person, place, or "" for none."""
    q = question.strip().lower()
    for name, pattern in TYPED.items():
        if pattern.search(q):
            return name
    return ""


@dataclass(frozen=True, slots=True)
class Need:
    """What an answer to the question must contain."""

    kind: str            # number | date | person | place | ""
    terms: tuple[str, ...]
    counted: str = ""    # stem of the noun after "how many", which the answer must mention
    money: bool = False  # a number question about money ("what was Acme's revenue?"): the answer is an amount
    question_keys: frozenset[str] = frozenset()  # every question word as a 5-letter prefix
    entities: tuple[str, ...] = ()  # names and numbers in the question, lower-cased prefixes
    years: tuple[str, ...] = ()     # years the question names: an answer about another year is wrong
    editions: tuple[str, ...] = ()  # ordinals and quarters it names ("the 92nd awards", "Q2"), same rule as years
    negated: bool = False           # the question asks what did not happen
    focus: str = ""                 # stem of the thing a what/which question asks about ("which airline")


def analyse(question: str, weights: TermWeights) -> Need:
    """Content terms and expected answer type of a question."""
    kind = answer_type(question)
    counted = ""
    found = re.search(r"\bhow many\s+(.*)", question, re.IGNORECASE)
    if found:
        phrase: list[str] = []
        for word in _WORD.findall(found.group(1)):
            if word.lower() in _STOP or word.lower() in ("of", "in", "on", "at", "to", "for", "from", "by"):
                break
            phrase.append(word)
        # English noun phrases end in their head: "North Korean troops" counts troops.
        plural = [w for w in phrase if w.lower().endswith("s") or w.lower() in _PLURALS]
        head = plural[-1] if plural else (phrase[0] if phrase else "")
        stems = weights.terms(head)
        counted = stems[0] if stems else ""
    keys = frozenset(_entity_key(w) for w in _WORD.findall(question))
    years = tuple(dict.fromkeys(_YEAR.findall(question)))
    money = kind == "number" and bool(_MONEY_Q.search(question))
    return Need(kind, tuple(weights.terms(question)), counted, money, keys, question_entities(question), years,
                editions(question), negated(question), "" if kind else _focus(question, weights))


_VERBS_AFTER_WHAT = frozenset("happens causes makes means led made took became".split())
_FOCUS = re.compile(r"^(?:in |on |at |for |from |to |with |by )?(?:what|which)\s+(?:(?:is|was|are|were)\s+the\s+)?"
                    r"(?:(?:kind|type|sort|name|names)\s+of\s+)?(?:the\s+|a\s+|an\s+)?(?:[\w-]+(?:\s[\w-]+){0,2}['’]s\s+)?"
                    r"([A-Za-z][\w-]*)", re.IGNORECASE)


def _focus(question: str, weights: TermWeights) -> str:
    """The noun a what/which question is about: "Which airline flies..." -> airline,
    "What is the name of Kim's daughter?" -> daughter; "" when the next word is no noun ("What did...")."""
    found = _FOCUS.match(question.strip())
    word = found.group(1).lower() if found else ""
    if not word or word in _STOP or word.endswith("ed") or word in _VERBS_AFTER_WHAT:
        return ""
    stems = weights.terms(found.group(1))
    return stems[0] if stems else ""


def mentions_years(need: Need, text: str) -> bool:
    """Whether text names every year the question names."""
    return all(year in text for year in need.years)


_NEGATION = re.compile(r"\b(?:not|never|no longer|neither|nor|none|nobody|nothing|without|fail(?:ed|s)? to|"
                       r"\w+n['’]t|cannot|refused to|denied|denies|deny)\b", re.IGNORECASE)


def negated(text: str) -> bool:
    """Whether text says something did not happen ("not", "wasn't", "never", "failed to", "denied")."""
    return bool(_NEGATION.search(text))


def names_other_occasions(need: Need, text: str) -> bool:
    """Whether text names years but none of those the question asks about ("the 2019 final" for 2020),
    or editions but none of the question's ("the 93rd awards" for the 92nd, "the first quarter" for Q2)."""
    if need.years and (named := set(_YEAR.findall(text))) and not named & set(need.years):
        return True
    return bool(need.editions) and bool(named := set(editions(text))) and not named & set(need.editions)


def editions(text: str) -> tuple[str, ...]:
    """Ordinals written in digits that are not days of a month ("92nd", "11th"; "March 4th" is a date),
    and quarters of a year however written ("Q2", "second quarter", "2nd-quarter" -> "q2")."""
    found = [m.group(0).lower() for m in _ORDINAL.finditer(text)
             if not _MONTH_BEFORE.search(text[max(0, m.start() - 12):m.start()])
             and not _MONTH_AFTER.search(text[m.end():m.end() + 14])]
    # numeral() turns "second"/"2nd" into "2"; it leaves "first" alone (too common a word elsewhere)
    quarters = [f"q{m.group(1) or ('1' if m.group(2).lower() == 'first' else numeral(m.group(2).lower()))}"
                for m in _QUARTER.finditer(text)]
    return tuple(dict.fromkeys(found + quarters))


def question_entities(question: str) -> tuple[str, ...]:
    """Capitalised words (past the first) and numbers of a question, as 5-letter lower-case prefixes.

    Prefixes let "Russia" match "Russian" and "criticise" never matters: only names and numbers count.
    """
    words = _WORD.findall(question)
    found = []
    for i, word in enumerate(words):
        if (i > 0 and word[0].isupper() and word.lower() not in _STOP) or any(ch.isdigit() for ch in word):
            found.append(_entity_key(word))
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=1 << 16)
def _entity_key(word: str) -> str:
    """Lower-case 5-letter prefix without possessives, apostrophes or thousands commas ("1960's" -> "1960")."""
    word = re.sub(r"['’]s$", "", word.lower()).replace("'", "").replace("’", "").replace(",", "")
    return numeral(word)[:5]


def entity_coverage(need: Need, window: str) -> float:
    """Share of the question's names and numbers that appear in window (by prefix)."""
    if not need.entities:
        return 1.0
    tokens = {_entity_key(w) for w in _WORD.findall(window)}
    return sum(1 for e in need.entities if e in tokens) / len(need.entities)


def answer_type_score(need: Need, sentence: str, sentence_terms: set[str]) -> float:
    """1.0 when the sentence holds an entity of the asked type that the question lacks, else 0.0.

    For "how many X" a number without X scores 0.5: "91.3 males" may answer "how many men".
    """
    if not need.kind:
        return 1.0
    spans = _typed_spans(need, sentence)
    if not spans:
        return 0.0
    if need.kind == "number" and ((need.counted and need.counted not in sentence_terms)
                                  or (need.money and not _MONEY.search(sentence))):
        return 0.5
    if need.kind == "date":
        return date_precision(sentence)
    return 1.0


def date_precision(sentence: str) -> float:
    """How exactly the sentence dates something: a day with its month and a year 1.0, a day with its month
    or a month with a year 0.9, a bare year 0.7, a month, weekday or "last year" alone 0.4."""
    text = sentence.lower()
    day = _MONTH_DAY.search(text)
    year = _YEAR.search(text)
    if day and year:
        return 1.0
    if day or (year and _MONTH_NAME.search(text)):
        return 0.9
    return 0.7 if year else 0.4


def answer_candidates(need: Need, sentence: str) -> set[str]:
    """Lower-cased strings in the sentence that could be the answer: entities of the asked type
    (names for untyped questions) that the question does not already contain."""
    return {span.lower() for span in _typed_spans(need, sentence) if len(span) > 1}


def _typed_spans(need: Need, sentence: str) -> list[str]:
    """Spans of the asked type (names when untyped) in the sentence, minus those the question names."""
    if need.kind == "number":
        found = [m.group(0) for m in _NUMBER.finditer(sentence) if not _DATE.fullmatch(m.group(0).lower())]
    elif need.kind == "date":
        found = [m.group(0) for m in _DATE.finditer(sentence.lower())]
    else:
        found = [m.group(0) for m in _PROPER.finditer(sentence)]
        opening = _OPENING_NAME.match(sentence)  # "Mara Quell won..." (a lone capital opens any sentence)
        if opening and opening.group(1).lower() not in _STOP and opening.group(1).lower() not in _STARTERS:
            found = [opening.group(0)] + [f for f in found if f not in opening.group(0)]
    # "Olympics" adds nothing to a question about "the olympic games": compare by 5-letter prefix
    return [f for f in found if not {_entity_key(w) for w in _WORD.findall(f)} <= need.question_keys]
