"""[n] markers <-> passages: number quoted evidence, parse an LLM's markers, drop unknown ones."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from index.sentences import split_sentences
from qa.evidence import Evidence
from qa.lexicon import MARKER, MARKER_SPLIT, REPEATED_MARKER
from qa.matching import names_outlet
from qa.models import Citation, Passage


def cite_evidence(evidence: Sequence[Evidence], passages: Sequence[Passage],
                  dated: bool = False) -> tuple[str, tuple[Citation, ...]]:
    """Write selected sentences with [n] markers, one number per article, numbered by first appearance.

    A sentence already quoted (as the line before another one) is not quoted again, and two passages of one
    article share its number: the sources list each article once.

    Args:
        evidence: selected sentences, in answer order.
        passages: the retrieved passages the evidence indexes into.
        dated: say after each sentence who published it and when (articles that disagree).

    Returns:
        The answer text and its citations (numbered 1..m).
    """
    numbers: dict[str, int] = {}
    first: dict[str, int] = {}   # the article's first cited passage
    quotes: dict[str, list[str]] = {}
    scores: dict[str, float] = {}
    parts = []
    for ev in evidence:
        if any(ev.sentence in quoted for article in quotes.values() for quoted in article):
            continue
        source = passages[ev.passage].source
        n = numbers.setdefault(source, len(numbers) + 1)
        first.setdefault(source, ev.passage)
        quotes.setdefault(source, []).append(ev.quote)
        scores[source] = max(scores.get(source, 0.0), ev.support)
        when = ", ".join(x for x in (passages[ev.passage].outlet, passages[ev.passage].published[:10]) if x)
        parts.append(f"{ev.quote} [{n}]" + (f" ({when})" if dated and when else ""))
    citations = tuple(
        Citation.of(passages[first[s]], n, " … ".join(quotes[s]), round(scores[s], 4))
        for s, n in numbers.items())
    return " ".join(parts), citations


def renumber_markers(text: str, passages: Sequence[Passage],
                     best_quote: Callable[[str, Passage], str]) -> tuple[str, tuple[Citation, ...], tuple[str, ...]]:
    """Map an LLM's [n] markers (n = passage position, from 1) to citations numbered by first use, one per
    article (two passages of one article share its number).

    Unknown numbers are dropped with a warning; each citation quotes the passage sentence that
    best matches the answer sentence citing it.

    Args:
        text: the LLM's answer.
        passages: the passages in the order the prompt numbered them.
        best_quote: picks the supporting sentence of a passage for a claim.

    Returns:
        The rewritten text, its citations and warnings.
    """
    numbers: dict[str, int] = {}   # one number per article: two of its passages share it
    claims: dict[int, str] = {}
    warnings: list[str] = []

    def rewrite(sentence: str) -> str:
        def one(match: re.Match[str]) -> str:
            kept = []
            for raw in MARKER_SPLIT.split(match.group(1)):
                index = int(raw) - 1
                if not 0 <= index < len(passages):
                    warnings.append(f"dropped citation [{raw}]: there is no source {raw}")
                    continue
                marker = f"[{numbers.setdefault(passages[index].source, len(numbers) + 1)}]"
                claims.setdefault(index, _tidy(MARKER.sub("", sentence)))
                if marker not in kept:
                    kept.append(marker)
            return "".join(kept)
        return REPEATED_MARKER.sub(r"\1", MARKER.sub(one, sentence))   # "[3][1]", one article: "[1]"

    out = _tidy(" ".join(rewrite(s) for s in split_sentences(text)))
    by_article: dict[str, list[int]] = {}
    for i in claims:
        by_article.setdefault(passages[i].source, []).append(i)
    citations = tuple(
        Citation.of(passages[by_article[s][0]], n,
                    " … ".join(dict.fromkeys(best_quote(claims[i], passages[i]) for i in by_article[s])),
                    round(max(passages[i].score for i in by_article[s]), 4))
        for s, n in numbers.items())
    return out, citations, tuple(warnings)


def attribute_unmarked(text: str, passages: Sequence[Passage],
                       best_source: Callable[[str, Sequence[Passage]], int | None]) -> tuple[str, int]:
    """Give each sentence of an LLM answer that cites nothing the [n] of the passage that says it.

    Args:
        text: the LLM's answer, with [n] = passage position from 1.
        passages: the passages in prompt order.
        best_source: the index of the passage that clearly states a sentence, or None.

    Returns:
        The text with markers added, and how many were added.
    """
    added = 0
    parts = []
    for sentence in split_sentences(text):
        if not MARKER.search(sentence):
            index = best_source(sentence, passages)
            if index is not None:
                body = sentence.rstrip(".!?") or sentence  # the marker goes before the full stop
                sentence = f"{body} [{index + 1}]{sentence[len(body):]}"
                added += 1
        parts.append(sentence)
    return " ".join(parts), added


def check_claims(text: str, passages: Sequence[Passage], supports: Callable[[str, Passage], bool],
                 best_source: Callable[[str, Sequence[Passage]], int | None]) -> tuple[str, tuple[str, ...]]:
    """Keep only citations whose passage states the sentence citing it; drop sentences nothing supports.

    A sentence whose markers all fail (or that has none) gets the marker of a passage that states it
    nearly word for word, if one does; otherwise it is removed from the answer, with a warning.

    Args:
        text: an LLM answer with [n] = passage position from 1.
        passages: the passages in prompt order.
        supports: whether a passage states a claim (the claim without its markers).
        best_source: the index of a passage that clearly states a claim, or None.

    Returns:
        The checked text (markers still passage positions) and warnings.
    """
    warnings: list[str] = []
    kept_sentences: list[str] = []
    for sentence in split_sentences(text):
        claim = _tidy(MARKER.sub("", sentence))
        if not any(ch.isalnum() for ch in claim):   # a marker on a line of its own claims nothing: never checked
            continue
        numbers = [int(n) for m in MARKER.finditer(sentence) for n in MARKER_SPLIT.split(m.group(1))]
        # "The BBC reported that X": X is checked, and the BBC must be the outlet of the passage that states it
        who, said = reported(claim, [p.outlet for p in passages])

        def states(n: int) -> bool:
            return (0 < n <= len(passages) and supports(said, passages[n - 1])
                    and (not who or names_outlet(who, passages[n - 1].outlet)))
        good = [n for n in dict.fromkeys(numbers) if states(n)]
        for n in dict.fromkeys(numbers):
            if not 0 < n <= len(passages):
                warnings.append(f"dropped citation [{n}]: there is no source {n}")
            elif n not in good:
                warnings.append(f"removed citation [{n}]: source {n} does not state “{_short(claim)}”")
        if not good:
            index = best_source(said, passages)
            if index is not None and who and not names_outlet(who, passages[index].outlet):
                index = None
            if index is None:
                joined = _attributed_clauses(claim, passages, best_source)
                if joined:   # each clause of a sentence drawn from two sources states one of them
                    kept_sentences.append(joined)
                elif claim:
                    warnings.append(f"removed an unsupported sentence: “{_short(claim)}”")
                continue
            good = [index + 1]
        kept_sentences.append(_marked(claim, good))
    return " ".join(kept_sentences), tuple(warnings)


# "The BBC reported that …", "According to The Atlantic, …": who said it, then what was said
REPORTED = re.compile(
    r"^(?:(?P<who>(?:The |the )?[A-Z][\w.&'’-]*(?: [A-Z][\w.&'’-]*){0,4}) (?:reported|reports|said|says|noted|notes|"
    r"wrote|writes|stated|states|added|adds)(?: that)?,? |According to (?P<who2>(?:The |the )?[A-Z][\w.&'’-]*"
    r"(?: [A-Z][\w.&'’-]*){0,4}), )")
# who says it in the articles' own words, not an outlet ("The articles report that …")
GENERIC_SAYERS = {"articles", "article", "reports", "report", "sources", "source", "they", "it", "both",
                  "both articles", "the articles", "the article", "the reports", "the sources", "all articles"}


def reported(claim: str, outlets: Sequence[str]) -> tuple[str, str]:
    """(the outlet a sentence attributes itself to, or "", the claim without that attribution): the model's
    overview says "The BBC reported that New York has more cases …" where the article says "New York has more
    cases …". Only an outlet of these passages, or the articles themselves, counts: "Putin said he would visit"
    is a claim as it stands."""
    found = REPORTED.match(claim)
    if not found:
        return "", claim
    who = found.group("who") or found.group("who2") or ""
    generic = who.lower() in GENERIC_SAYERS
    if not generic and not any(outlet and names_outlet(who, outlet) for outlet in outlets):
        return "", claim
    rest = claim[found.end():]
    return ("" if generic else who), rest[:1].upper() + rest[1:]


# where a sentence drawn from two sources joins its clauses: ", and", ", while", ", but", "; "
CLAUSE_JOIN = re.compile(r"(,\s+(?:and|while|but|whereas)\s+|;\s+)")
CLAUSE_WORDS = 4   # a shorter piece is not a claim of its own


def _attributed_clauses(claim: str, passages: Sequence[Passage],
                        best_source: Callable[[str, Sequence[Passage]], int | None]) -> str:
    """The uncited sentence with a marker after each clause, when every clause is stated nearly word for word by
    a passage ("" when it has one clause, or one that no passage states)."""
    pieces = CLAUSE_JOIN.split(claim)
    clauses, joins = pieces[0::2], pieces[1::2]
    if len(clauses) < 2 or any(len(c.split()) < CLAUSE_WORDS for c in clauses):
        return ""
    marked = []
    for clause in clauses:
        index = best_source(clause, passages)
        if index is None:
            return ""
        marked.append(_marked(clause, [index + 1]))
    return "".join(part for pair in zip(marked, [*joins, ""]) for part in pair)


def _marked(claim: str, numbers: Sequence[int]) -> str:
    """The claim with its markers, before its full stop."""
    body = claim.rstrip(".!?") or claim
    return f"{body} {''.join(f'[{n}]' for n in numbers)}{claim[len(body):]}"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _tidy(text: str) -> str:
    """Squeeze the spaces a removed marker leaves behind."""
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()
