"""Saved web pages -> their article's text and metadata."""
from __future__ import annotations

from index.pagemeta import clean_outlet, clean_title, headline, page_facts, published


def extract_html(markup: str) -> tuple[dict[str, str], str]:
    """A saved news page's main text and metadata (title, date, outlet, author, URL) with trafilatura: Open
    Graph and <meta> tags, JSON-LD NewsArticle, htmldate; navigation, comments and related links are left out.
    A page trafilatura finds no article in falls back to all of its text."""
    import trafilatura

    found = trafilatura.bare_extraction(markup, with_metadata=True, include_comments=False, include_tables=True)
    data = (found if isinstance(found, dict) else found.as_dict()) if found is not None else {}
    text = str(data.get("text") or "")
    if not text.strip():
        return {}, html_to_text(markup)
    facts = page_facts(markup)
    outlet = clean_outlet(str(data.get("sitename") or ""))
    title = headline(facts, str(data.get("title") or ""))
    meta = {"title": clean_title(title, outlet), "date": published(facts, title, str(data.get("date") or "")),
            "outlet": outlet, "author": data.get("author") or "", "url": data.get("url") or ""}
    return {k: str(v) for k, v in meta.items() if v}, text


def html_to_text(markup: str) -> str:
    """The readable text of an HTML page: one line per block, scripts and styles dropped, entities decoded."""
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        blocks = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "title", "article", "section", "tr"}

        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag in ("script", "style", "noscript"):
                self.skip += 1
            elif tag in self.blocks:
                self.parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style", "noscript"):
                self.skip = max(0, self.skip - 1)
            elif tag in self.blocks:
                self.parts.append("\n")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = _Text()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
