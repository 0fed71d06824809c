"""Answer -> text for the terminal, HTML for the chat (sources with the cited sentence highlighted, the
"why" disclosure), and an article with its cited passage highlighted. Article text is always escaped."""
from __future__ import annotations

import html

from qa.lexicon import MARKER
from qa.models import Answer, Citation, Explanation, Match, Passage

_QUOTE_GAP = " … "


def provenance(c: Citation | Passage) -> str:
    """Who published a cited (or found) article and when ("Asia Brief, 2024-06-13"), as far as it is known, and
    where else the same wire copy ran ("; also in: AP, Reuters")."""
    said = ", ".join(part for part in (c.outlet, c.published[:10]) if part)
    return "; ".join(part for part in (said, f"also in: {', '.join(c.also_in)}" if c.also_in else "") if part)


def answer_to_text(answer: Answer) -> str:
    """Plain-text answer with a numbered source list (for `qa ask`)."""
    lines = [answer.text]
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            lines.append(f"[{c.number}] {c.title} ({c.source})" + (f" — {provenance(c)}" if provenance(c) else ""))
            lines.append(f"    “{c.quote}”")
    for warning in answer.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def matches_to_text(found: tuple[Match, ...]) -> str:
    """Plain-text search results (for `qa search`): each passage's article, provenance and best sentence."""
    if not found:
        return "Nothing found."
    lines, last = [], None
    for m in found:
        p = m.passage
        said = m.sentence or " ".join(p.text.split()[:40])   # no sentence scored: how the passage starts
        if p.source == last:   # another passage of the article just shown
            lines += [f"[{m.rank}] (the same article)", f"    “{said}”"]
        else:
            lines.append(f"[{m.rank}] {p.title} ({p.source})" + (f" — {provenance(p)}" if provenance(p) else ""))
            lines.append(f"    “{said}”" + (f"\n    {p.url}" if p.url else ""))
        last = p.source
    return "\n".join(lines)


def explanation_to_text(answer: Answer) -> str:
    """Why the answer is what it is (for `qa ask --explain`): the best sentences, each signal's share, the threshold."""
    ex = answer.explanation
    if ex is None:
        return "(no explanation)"
    lines = [f"searched: {ex.searched}", verdict(ex)]
    if ex.time:
        lines.append(f"time: {ex.time}")
    if ex.judge is not None:
        lines.append(f"the model's judgement P(yes) - P(no): {ex.judge:+.3f}")
    for rank, s in enumerate(ex.sentences, 1):
        passage = answer.passages[s.passage] if s.passage < len(answer.passages) else None
        where = f"{passage.source}, passage score {passage.score:.3f}" if passage else ""
        lines.append(f"{rank}. {s.score:.3f}  “{s.sentence}” ({where})")
        for sig in s.signals:
            lines.append(f"     {sig.name:<14} value {sig.value:6.3f}  contribution {sig.contribution:+.4f}")
    lines.extend(f"note: {note}" for note in ex.notes)
    return "\n".join(lines)


def verdict(ex: Explanation) -> str:
    """Where the best sentence fell: "best evidence score 0.210 is below the refusal threshold 0.340"."""
    side = "below" if ex.best_score < ex.threshold else "at or above"
    return f"best evidence score {ex.best_score:.3f} is {side} the refusal threshold {ex.threshold:.3f}"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def highlight(text: str, quotes: list[str]) -> str:
    """Escaped text with every occurrence of the quoted sentences wrapped in <mark>."""
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        for part in quote.split(_QUOTE_GAP):
            part = part.strip()
            at = text.find(part) if part else -1
            if at >= 0:
                spans.append((at, at + len(part)))
    out, cursor = [], 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        out += [_e(text[cursor:start]), f"<mark>{_e(text[start:end])}</mark>"]
        cursor = end
    out.append(_e(text[cursor:]))
    return "".join(out)


def cited_passage(answer: Answer, citation: Citation) -> Passage | None:
    """The retrieved passage a citation quotes (the first of its article holding the quote)."""
    first = citation.quote.split(_QUOTE_GAP)[0].strip()
    same = [p for p in answer.passages if p.source == citation.source]
    return next((p for p in same if first and first in p.text), same[0] if same else None)


def cited_passages(answer: Answer, citation: Citation) -> list[Passage]:
    """Every retrieved passage of the article that holds a sentence the citation quotes (an article's number is
    shared by its passages), else the one cited_passage gives."""
    parts = [part.strip() for part in citation.quote.split(_QUOTE_GAP) if part.strip()]
    holding = [p for p in answer.passages if p.source == citation.source and any(q in p.text for q in parts)]
    first = cited_passage(answer, citation)
    return list(dict.fromkeys(holding)) or ([first] if first else [])


def answer_to_html(answer: Answer, *, show_passages: bool = False) -> str:
    """The chat message: the answer, its numbered sources (cited sentence highlighted), and a "why" disclosure."""
    text = _e(answer.text)
    if answer.refused:
        parts = [f'<p class="qa-refusal"><em>{text}</em></p>']
    else:
        marked = MARKER.sub(lambda m: f"<sup>[{m.group(1)}]</sup>", text)
        for part in answer.parts:   # a multi-part answer: each part's question leads its lines
            marked = marked.replace(_e(part), f'<strong class="qa-part">{_e(part)}</strong>', 1)
        parts = [f'<p class="qa-answer">{marked.replace(chr(10), "<br>")}</p>']   # a digest: one line per article
    if answer.standalone and answer.standalone != answer.question:
        parts.append(f'<p class="qa-searched">Searched: <em>{_e(answer.standalone)}</em></p>')
    if answer.citations:
        parts.append('<div class="qa-sources"><strong>Sources</strong><ol>')
        for c in answer.citations:
            shown = cited_passages(answer, c)
            body = " … ".join(highlight(p.text, [c.quote]) for p in shown) if shown else f"<mark>{_e(c.quote)}</mark>"
            where = f' · <span class="qa-provenance">{_e(provenance(c))}</span>' if provenance(c) else ""
            parts.append(f'<li value="{c.number}" class="qa-source" data-source="{_e(c.source)}">'
                         f"<strong>[{c.number}] {_e(c.title)}</strong> · <code>{_e(c.source)}</code>{where}"
                         f'<blockquote>{body}</blockquote></li>')
        parts.append("</ol></div>")
    parts += [f'<p class="qa-warning">⚠ {_e(w)}</p>' for w in answer.warnings]
    if show_passages and answer.passages:
        parts.append(passages_to_html(answer.passages))
    parts.append(why_to_html(answer))
    return "\n".join(parts)


def passages_to_html(passages: tuple[Passage, ...]) -> str:
    """The retrieved passages with their scores."""
    rows = "".join(f"<li><code>{_e(p.source)}</code> score {p.score:.3f}: {_e(p.text[:300])}"
                   f"{'…' if len(p.text) > 300 else ''}</li>" for p in passages)
    return f'<div class="qa-passages"><strong>Retrieved passages</strong><ol>{rows}</ol></div>'


def why_to_html(answer: Answer) -> str:
    """The "why" disclosure: question searched, threshold, the best sentence's evidence breakdown, passages."""
    ex = answer.explanation
    if ex is None:
        return ""
    lines = [f"<p>Searched: <em>{_e(ex.searched)}</em></p>", f"<p>{_e(verdict(ex).capitalize())}.</p>"]
    if ex.judge is not None:
        lines.append(f"<p>The model’s judgement that the passages answer it, P(yes) − P(no): {ex.judge:+.3f}</p>")
    if ex.sentences:
        best = ex.sentences[0]
        rows = "".join(f"<tr><td>{_e(s.name)}</td><td>{s.value:.3f}</td><td>{s.contribution:+.4f}</td></tr>"
                       for s in best.signals)
        lines.append(f"<p>Best sentence: “{_e(best.sentence)}”</p><table class='qa-signals'>"
                     f"<tr><th>signal</th><th>value</th><th>adds</th></tr>{rows}"
                     f"<tr><td><strong>score</strong></td><td></td><td><strong>{best.score:.4f}</strong></td></tr>"
                     "</table>")
    lines += [f"<p>{_e(n)}</p>" for n in ex.notes]
    lines.append(passages_to_html(answer.passages) if answer.passages else "<p>Nothing was retrieved.</p>")
    return f'<details class="qa-why"><summary>Why this answer?</summary>{"".join(lines)}</details>'


def article_to_html(article_id: str, title: str, body: str, quotes: list[str], byline: str = "") -> str:
    """A whole article with the cited passage highlighted (the viewer scrolls to the first <mark>); byline says
    who published it and when."""
    paragraphs = "".join(f"<p>{highlight(line, quotes)}</p>" for line in body.split("\n") if line.strip())
    where = f' · <span class="qa-provenance">{_e(byline)}</span>' if byline else ""
    return (f'<div class="qa-article"><h3>{_e(title)}</h3><p><code>{_e(article_id)}</code>{where}</p>'
            f"{paragraphs}</div>")


def example_questions(articles: list[dict], n: int = 3) -> list[str]:
    """Questions to start with, drawn from the ingested articles' titles (newest first)."""
    newest = sorted(articles, key=lambda a: (a.get("added") or "", a["id"]), reverse=True)
    out = []
    for article in newest[:n]:
        title = " ".join(str(article.get("title", "")).split()).rstrip(".…")
        if title:
            out.append(f"What do the articles say about “{title}”?")
    return out
