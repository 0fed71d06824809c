"""Content terms of text: stemmed, stopwords out, irregular verbs and acronyms unified, with idf weights."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from qa.lexicon import ACRONYM, IRREGULAR, NUMERALS, STOP, WORD

__all__ = ["TermWeights", "numeral"]

CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:(?:of|for|and|on)\s+)?[A-Z][a-z]+)+\b")
WRITTEN_ACRONYM = re.compile(r"\b[A-Z]{3,6}\b")
ACRONYM_LETTERS = (3, 6)
_KNOWN_WORDS = 200_000   # words whose term is cached (cleared when full)
_KNOWN_QUESTIONS = 256   # questions whose terms' weights are cached


def numeral(word: str) -> str:
    """A lower-case number word or ordinal as digits ("eleventh", "11th" -> "11"); other words unchanged."""
    if word[-2:] in ("st", "nd", "rd", "th") and word[:-2].isdigit():
        return word[:-2]
    return NUMERALS.get(word, word)


class TermWeights:
    """Stemmed content words with inverse document frequencies over a corpus of chunks."""

    def __init__(self, texts: Iterable[str] = (), *, counts: tuple[dict[str, int], int] | None = None) -> None:
        """Count document frequencies over texts, or take them ready: counts=(df, n), df anything with a mapping's
        get (the lexical index reads them on demand)."""
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")
        self._terms: dict[str, str] = {}   # word as written -> its term ("" for a stopword), a cache
        self._weighed: dict[tuple[str, ...], tuple[tuple[tuple[str, float], ...], float]] = {}   # a cache
        if counts is None:
            df: Counter[str] = Counter()
            n = 0
            for text in texts:
                n += 1
                df.update(set(self.terms(text)))
            counts = (dict(df), n)
        self.df, self.n = counts
        self._idf: dict[str, float] = {}
        self._unseen = math.log(1 + 2 * max(self.n, 1))

    def terms(self, text: str) -> list[str]:
        """Stemmed, lower-cased content words of text, stopwords removed, irregular verbs at their base."""
        known = self._terms
        out = []
        for word in WORD.findall(ACRONYM.sub(_acronym, text)):
            term = known.get(word)
            if term is None:
                if len(known) >= _KNOWN_WORDS:
                    known.clear()
                term = known[word] = self._term(word)
            if term:
                out.append(term)
        return out

    def _term(self, word: str) -> str:
        """A word's term ("" for a stopword)."""
        word = word.lower().strip("'’-")
        return self._stemmer.stemWord(numeral(IRREGULAR.get(word, word))) if word and word not in STOP else ""

    def idf(self, term: str) -> float:
        """Inverse document frequency, log(1 + n/df): gentle enough that topic words still count in a small,
        single-topic corpus; a term never seen counts as rare."""
        found = self._idf.get(term)
        if found is None:
            count = self.df.get(term)
            found = self._idf[term] = math.log(1 + self.n / count) if count else self._unseen
        return found

    @staticmethod
    def bigrams(terms: list[str] | tuple[str, ...]) -> set[tuple[str, str]]:
        """Adjacent pairs of content terms (a phrase signal: "last visit" vs "visit ... last week")."""
        return set(zip(terms, terms[1:]))

    def spelled(self, text: str) -> dict[str, frozenset[str]]:
        """The acronyms a name written out stands for, each with the name's terms: "the California Independent
        System Operator" -> {"iso": {independ, system, oper}, "ciso": …}; runs of 3 to 6 capitalised words
        (joined by "of", "for", "and", "on"), as the term of the acronym written in capitals."""
        out: dict[str, frozenset[str]] = {}
        for run in CAPITALISED_RUN.finditer(text):
            words = [w for w in run.group(0).split() if w[0].isupper()]
            for start in range(len(words)):
                for end in range(start + ACRONYM_LETTERS[0], min(len(words), start + ACRONYM_LETTERS[1]) + 1):
                    key = self.terms("".join(w[0] for w in words[start:end]))
                    if key:
                        out.setdefault(key[0], frozenset(self.terms(" ".join(words[start:end]))))
        return out

    def acronyms(self, text: str) -> frozenset[str]:
        """The terms of the acronyms written in capitals in text ("ISO", "NYCHA"; 3 letters or more)."""
        return frozenset(t for word in WRITTEN_ACRONYM.findall(text) for t in self.terms(word))

    def coverage(self, question_terms: Iterable[str], text_terms: set[str] | frozenset[str]) -> float:
        """Share of the question's idf mass that text_terms contain (0..1)."""
        pairs, total = self.weighed(tuple(question_terms))
        return sum(w for t, w in pairs if t in text_terms) / total if total else 0.0

    def weighed(self, question_terms: tuple[str, ...]) -> tuple[tuple[tuple[str, float], ...], float]:
        """A question's distinct terms with their idf, and their sum: read once a question (a cache), not once a
        sentence."""
        found = self._weighed.get(question_terms)
        if found is None:
            pairs = tuple((t, self.idf(t)) for t in set(question_terms))
            found = (pairs, sum(w for _, w in pairs))
            if len(self._weighed) >= _KNOWN_QUESTIONS:
                self._weighed.clear()
            self._weighed[question_terms] = found
        return found


def _acronym(match: re.Match[str]) -> str:
    """ "U.S." and "US" -> "USA", "U.N." -> "UN": one term however it is written."""
    letters = match.group(0).replace(".", "")
    return "USA" if letters == "US" else letters
