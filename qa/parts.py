"""Multi-part questions: "Which film won the top prize, and who won best supporting actress?" asks two things.
Each part is answered, judged and cited on its own; one answer comes back, part by part, and a part the articles
don't answer says so while the others stand.

A question splits only where a new question starts: after "and" (or a comma, a semicolon, a question mark)
comes a question word. "Kim and Putin" never splits; neither does "when and where" (one event, one answer); nor
does a phrase that frames the question after it ("Before the war, how many patients…?", "According to the CBS
poll, what…?"): it asks nothing of its own.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from qa.lexicon import AUXILIARY, MARKER, MARKER_SPLIT, QUESTION_WORD
from qa.models import Answer, Citation
from qa.prompts import REFUSAL

SPLIT = re.compile(r"(?:,\s*(?:and\s+)?|;\s*(?:and\s+)?|\?\s+(?:and\s+)?|\s+and\s+)(?=" + QUESTION_WORD + r"\b)",
                   re.IGNORECASE)
MIN_WORDS = 3   # a part shorter than this is no question of its own ("when and where")
# how a piece that asks something of its own begins: a question word anywhere ("Tell me who…"), or a verb first
ASKS = re.compile(r"\b" + QUESTION_WORD + r"\b|^" + AUXILIARY + r"\b", re.IGNORECASE)


def parts_of(question: str) -> list[str]:
    """The questions a question asks, each ending in "?" ([question] when it asks one thing)."""
    text = question.strip()
    pieces = [p.strip(" ,;?") for p in SPLIT.split(text)]
    if len(pieces) >= 2 and not ASKS.search(pieces[0]):   # a framing phrase belongs to the question after it
        pieces = [text[:SPLIT.search(text).end()] + pieces[1].lstrip(), *pieces[2:]]
    if len(pieces) < 2 or any(len(p.split()) < MIN_WORDS for p in pieces):
        return [question]
    return [p[0].upper() + p[1:] + "?" for p in pieces]


def multi_part(question: str) -> list[tuple[str, str]]:
    """(part, context) for each part of a multi-part question, [] for a question that asks one thing (or a
    summary, which draws on several articles anyway)."""
    from qa.query import SYNTHESIS_KIND, answer_type, question_entities

    parts = parts_of(question)
    if len(parts) < 2 or answer_type(question) == SYNTHESIS_KIND:
        return []
    # a part that names its own subject stands alone ("Who is Kim Jong Un's sister?"); one that names nothing
    # leans on the first ("who won best supporting actress" at the awards the first part names)
    return [(part, "" if i == 0 or question_entities(part) else parts[0]) for i, part in enumerate(parts)]


def joined(question: str, answers: Sequence[tuple[str, Answer]]) -> Answer:
    """One answer from each part's: part by part, citations renumbered across them (a source cited by two parts
    keeps one number); a part refused says the articles don't say it."""
    lines: list[str] = []
    citations: list[Citation] = []
    number: dict[tuple[str, str], int] = {}
    for part, answer in answers:
        if answer.refused:
            lines.append(f"{part} The articles don't say {_asked(part)}.")
            continue
        mapping: dict[int, int] = {}
        for c in answer.citations:
            key = (c.source, c.quote)
            if key not in number:
                number[key] = len(citations) + 1
                citations.append(replace(c, number=number[key]))
            mapping[c.number] = number[key]
        text = MARKER.sub(lambda m: "[" + ", ".join(str(mapping.get(int(n), int(n)))
                                                    for n in MARKER_SPLIT.split(m.group(1))) + "]", answer.text)
        lines.append(f"{part} {text}")
    first = answers[0][1]
    passages = tuple(dict.fromkeys(p for _, a in answers for p in a.passages))
    refused = all(a.refused for _, a in answers)
    return Answer(question, REFUSAL if refused else "\n\n".join(lines), refused, first.model, tuple(citations),
                  passages, tuple(w for _, a in answers for w in a.warnings), explanation=first.explanation,
                  timings=first.timings, parts=tuple(part for part, _ in answers), kind="multi-part")


def _asked(part: str) -> str:
    """"Who won best supporting actress?" -> "who won best supporting actress"."""
    return part.rstrip("?").strip()[0].lower() + part.rstrip("?").strip()[1:]
