"""Answer -> text for the terminal and markdown for the chat, with numbered sources."""
from __future__ import annotations

import html

from qa.lexicon import MARKER
from qa.models import Answer


def answer_to_text(answer: Answer) -> str:
    """Plain-text answer with a numbered source list (for `qa ask`)."""
    lines = [answer.text]
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            lines.append(f"[{c.number}] {c.title} ({c.source})")
            lines.append(f"    “{c.quote}”")
    for warning in answer.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def answer_to_markdown(answer: Answer) -> str:
    """Markdown answer; markers link to the numbered sources listed under it (for the chat UI)."""
    text = html.escape(answer.text, quote=False)
    if answer.refused:
        return f"*{text}*"
    text = MARKER.sub(lambda m: f"<sup>[{m.group(1)}](#source-{m.group(1)})</sup>", text)
    parts = [text, "", "**Sources**", ""]
    for c in answer.citations:
        quote = html.escape(c.quote, quote=False)
        parts.append(f"<a id=\"source-{c.number}\"></a>**[{c.number}] {html.escape(c.title, quote=False)}** "
                     f"· `{c.source}`\n> {quote}\n")
    for warning in answer.warnings:
        parts.append(f"⚠️ {html.escape(warning, quote=False)}")
    return "\n".join(parts)


def explanation_to_text(answer: Answer) -> str:
    """Why the answer is what it is (for `qa ask --explain`): the best sentences, each signal's share, the threshold."""
    ex = answer.explanation
    if ex is None:
        return "(no explanation)"
    verdict = "below" if ex.best_score < ex.threshold else "at or above"
    lines = [f"searched: {ex.searched}",
             f"best evidence score {ex.best_score:.3f} is {verdict} the refusal threshold {ex.threshold:.3f}"]
    if ex.judge is not None:
        lines.append(f"reader's judgement P(yes) - P(no): {ex.judge:+.3f}")
    for rank, s in enumerate(ex.sentences, 1):
        passage = answer.passages[s.passage] if s.passage < len(answer.passages) else None
        where = f"{passage.source}, passage score {passage.score:.3f}" if passage else ""
        lines.append(f"{rank}. {s.score:.3f}  “{s.sentence}” ({where})")
        for sig in s.signals:
            lines.append(f"     {sig.name:<14} value {sig.value:6.3f}  contribution {sig.contribution:+.4f}")
    lines.extend(f"note: {note}" for note in ex.notes)
    return "\n".join(lines)
