"""Answer -> text for the terminal and markdown for the chat, with numbered sources."""
from __future__ import annotations

import html
import re

from qa.models import Answer

_MARKER = re.compile(r"\[(\d+)\]")


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
    text = _MARKER.sub(lambda m: f"<sup>[{m.group(1)}](#source-{m.group(1)})</sup>", text)
    parts = [text, "", "**Sources**", ""]
    for c in answer.citations:
        quote = html.escape(c.quote, quote=False)
        parts.append(f"<a id=\"source-{c.number}\"></a>**[{c.number}] {html.escape(c.title, quote=False)}** "
                     f"· `{c.source}`\n> {quote}\n")
    for warning in answer.warnings:
        parts.append(f"⚠️ {html.escape(warning, quote=False)}")
    return "\n".join(parts)
