"""Follow-up questions: condense "Whom did he meet there?" into a standalone question before retrieval.

With an LLM loaded the model rewrites it; without one, a rule carries the previous questions' names
(capitalised words and numbers) into a follow-up that leans on them.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from qa.lexicon import STOP, WORD
from qa.prompts import CONDENSE_SYSTEM, build_condense_prompt

# words that point back at something said before
_REFERS = re.compile(r"\b(?:he|she|him|her|his|hers|it|its|they|them|their|there|then|that|those|these|this|"
                     r"the same|the (?:visit|meeting|deal|event|article|country|city|company|man|woman))\b",
                     re.IGNORECASE)
Turn = tuple[str, str]   # (question, answer text)


def needs_context(question: str) -> bool:
    """Whether a question leans on the conversation (a pronoun, "there", "the visit")."""
    return bool(_REFERS.search(question))


def names_in(text: str) -> list[str]:
    """Capitalised words past the first, and numbers, in order of appearance (once each)."""
    words = WORD.findall(text)
    found = [w for i, w in enumerate(words)
             if (i > 0 and w[0].isupper() and w.lower() not in STOP) or any(ch.isdigit() for ch in w)]
    return list(dict.fromkeys(found))


def condense_by_rule(history: Sequence[Turn], question: str) -> str:
    """The follow-up with the names of the previous question that it does not repeat, in parentheses."""
    if not history or not needs_context(question):
        return question
    previous = history[-1][0]
    own = {w.lower() for w in names_in(question)}
    carried = [n for n in names_in(previous) if n.lower() not in own]
    if not carried:
        return question
    return f"{question.rstrip()} ({', '.join(carried)})"


def condense(history: Sequence[Turn], question: str, llm=None) -> str:
    """A standalone version of question given the conversation so far.

    Args:
        history: earlier (question, answer) turns, oldest first.
        question: the new question.
        llm: an LLM (with complete(system, user)) to rewrite with; None uses the rule.

    Returns:
        The question to search; the question itself when it stands alone.
    """
    question = " ".join(question.split())
    if not history or not needs_context(question):
        return question
    if llm is None:
        return condense_by_rule(history, question)
    rewritten = " ".join(llm.complete(CONDENSE_SYSTEM, build_condense_prompt(history, question)).split())
    rewritten = rewritten.strip('"“”').splitlines()[0] if rewritten else ""
    # a rewrite that lost the question or rambles is worse than the rule
    if not rewritten or len(rewritten) > 3 * len(question) + 80 or not rewritten.endswith("?"):
        return condense_by_rule(history, question)
    return rewritten
