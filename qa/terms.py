"""Content terms of text: stemmed, stopwords out, irregular verbs and acronyms unified, with idf weights."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from bm25s.stopwords import STOPWORDS_EN_PLUS

WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
# NLTK's English list (pronouns, auxiliaries) less "won", which is a verb here, plus question words
STOP = (frozenset(STOPWORDS_EN_PLUS) - {"won"}) | frozenset(
    "what which who whom whose when where why how many much does did do is are was were will would "
    "could should can has have had according article articles say said says tell told".split())
_ACRONYM = re.compile(r"\b(?:[A-Z]\.){2,}|\bUS\b")  # "U.S.", "U.N.", "US" (not the pronoun "us")

# Past forms the stemmer cannot bring back to their verb ("met" must match "meet").
_IRREGULAR = {past: base for base, forms in (
    ("meet", "met"), ("win", "won"), ("begin", "began begun"), ("buy", "bought"), ("bring", "brought"),
    ("build", "built"), ("choose", "chose chosen"), ("come", "came"), ("fight", "fought"), ("find", "found"),
    ("fly", "flew flown"), ("give", "gave given"), ("go", "went gone"), ("grow", "grew grown"),
    ("hold", "held"), ("keep", "kept"), ("know", "knew known"), ("lead", "led"), ("leave", "left"),
    ("lose", "lost"), ("make", "made"), ("pay", "paid"), ("run", "ran"), ("say", "said"), ("see", "saw seen"),
    ("sell", "sold"), ("send", "sent"), ("speak", "spoke spoken"), ("spend", "spent"), ("take", "took taken"),
    ("teach", "taught"), ("tell", "told"), ("think", "thought"), ("write", "wrote written"), ("rise", "rose risen"),
    ("fall", "fell fallen"), ("sing", "sang sung"), ("draw", "drew drawn"), ("drive", "drove driven"),
    ("eat", "ate eaten"), ("forget", "forgot forgotten"), ("sink", "sank sunk"), ("strike", "struck"),
    ("shoot", "shot"), ("seek", "sought"), ("catch", "caught"), ("stand", "stood"), ("understand", "understood"),
    ("become", "became"), ("freeze", "froze frozen"),
    ("hide", "hid hidden"), ("ride", "rode ridden"), ("steal", "stole stolen"), ("wear", "wore worn"),
) for past in forms.split()}

# "the eleventh season" is "season 11", "three ministers" are "3 ministers" ("one" and "first" say too much else)
_NUMERALS = {word: str(n) for n, words in enumerate((
    "", "", "two second", "three third", "four fourth", "five fifth", "six sixth", "seven seventh", "eight eighth",
    "nine ninth", "ten tenth", "eleven eleventh", "twelve twelfth", "thirteen thirteenth", "fourteen fourteenth",
    "fifteen fifteenth", "sixteen sixteenth", "seventeen seventeenth", "eighteen eighteenth", "nineteen nineteenth",
    "twenty twentieth")) for word in words.split()}


def numeral(word: str) -> str:
    """A lower-case number word or ordinal as digits ("eleventh", "11th" -> "11"); other words unchanged."""
    if word[-2:] in ("st", "nd", "rd", "th") and word[:-2].isdigit():
        return word[:-2]
    return _NUMERALS.get(word, word)


class TermWeights:
    """Stemmed content words with inverse document frequencies over a corpus of chunks."""

    def __init__(self, texts: Iterable[str]) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            df.update(set(self.terms(text)))
        # log(1 + n/df): gentle enough that topic words still count in a small, single-topic corpus
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._unseen = math.log(1 + 2 * max(n, 1))

    def terms(self, text: str) -> list[str]:
        """Stemmed, lower-cased content words of text, stopwords removed, irregular verbs at their base."""
        text = _ACRONYM.sub(_acronym, text)
        words = [w.lower().strip("'’-") for w in WORD.findall(text)]
        return self._stemmer.stemWords([numeral(_IRREGULAR.get(w, w)) for w in words if w and w not in STOP])

    def idf(self, term: str) -> float:
        """Inverse document frequency; a term never seen counts as rare."""
        return self._idf.get(term, self._unseen)

    @staticmethod
    def bigrams(terms: list[str] | tuple[str, ...]) -> set[tuple[str, str]]:
        """Adjacent pairs of content terms (a phrase signal: "last visit" vs "visit ... last week")."""
        return set(zip(terms, terms[1:]))

    def coverage(self, question_terms: Iterable[str], text_terms: set[str]) -> float:
        """Share of the question's idf mass that text_terms contain (0..1)."""
        unique = set(question_terms)
        total = sum(self.idf(t) for t in unique)
        return sum(self.idf(t) for t in unique if t in text_terms) / total if total else 0.0


def _acronym(match: re.Match) -> str:
    """ "U.S." and "US" -> "USA", "U.N." -> "UN": one term however it is written."""
    letters = match.group(0).replace(".", "")
    return "USA" if letters == "US" else letters
