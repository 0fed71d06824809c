"""build_app(pipeline) -> gr.Blocks: chat with streamed, sourced answers; the library; settings.
Layout and wiring only: handlers live in ui/chat.py and ui/library.py, HTML in ui/render.py."""
from __future__ import annotations

from functools import partial
from typing import Any

from qa.errors import QAError
from ui import chat, library
from ui.render import example_questions

CSS = """
.qa-sources ol { list-style: none; padding-left: 0; }
.qa-sources blockquote { margin: .2em 0 .6em 0; padding-left: .6em; border-left: 3px solid #bbb; }
mark { background: #ffe066; padding: 0 .1em; }
.qa-refusal em { color: #555; }
.qa-why table { font-size: 90%; } .qa-why summary { cursor: pointer; color: #2563eb; }
.qa-searched, .qa-warning { font-size: 90%; color: #555; }
#article { max-height: 560px; overflow-y: auto !important; }
"""
SCROLL_TO_MARK = "() => { setTimeout(() => { const m = document.querySelector('#article mark'); " \
                 "if (m) m.scrollIntoView({block: 'center'}); }, 300); }"


def build_app(pipeline: Any, title: str = "newsqa", *, login: bool = False) -> Any:
    """The Gradio app around a NewsQA pipeline.

    Args:
        pipeline: a qa.pipeline.NewsQA.
        title: page title.
        login: the app requires a login: only then are adding and removing articles offered over its API.

    Returns:
        A gr.Blocks ready to launch.
    """
    import gradio as gr

    from qa.answerers.factory import answerer_name, available_answerers

    def examples() -> Any:
        return gr.update(samples=[[q] for q in example_questions(pipeline.articles() if _has_index() else [])])

    def _has_index() -> bool:
        try:
            pipeline.stats()
            return True
        except Exception:  # no index yet: the chat says so when asked
            return False

    with gr.Blocks(title=title) as app:
        gr.Markdown(f"## {title}\nAsk about your news articles. Every sentence of an answer cites its source; "
                    "when the articles don't hold the answer, it says so.")
        answers = gr.State([])
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    bot = gr.Chatbot(height=540, label="Chat", elem_id="chat", sanitize_html=True)
                    box = gr.Textbox(placeholder="Ask a question about the articles…", elem_id="question",
                                     show_label=False, submit_btn=True)
                    starters = gr.Dataset(components=[box], samples=[], label="Try asking", elem_id="examples")
                with gr.Column(scale=2):
                    picker = gr.Radio(label="Sources of the last answer: open one", choices=[], visible=False,
                                      elem_id="source-pick")
                    viewer = gr.HTML(elem_id="article")
        with gr.Tab("Library"):
            articles = gr.Dataframe(headers=library.COLUMNS,  # filled on load (a callable value is an API)
                                    interactive=False, elem_id="library", wrap=True,
                                    column_widths=library.COLUMN_WIDTHS)
            # articles ingested elsewhere (`qa watch`, `qa ingest`, the API) appear without a restart
            gr.Timer(library.REFRESH_SECONDS).tick(library.refresher(pipeline), None, articles, **{
                "api_visibility": "private", "show_progress": "hidden"})
            with gr.Row():
                files = gr.File(file_count="multiple", file_types=list(library.ALLOWED), label="Add articles",
                                elem_id="upload")
                with gr.Column():
                    add = gr.Button("Add to library", elem_id="add", variant="primary")
                    address = gr.Textbox(label="Or the web address of a news page or feed", elem_id="add-url",
                                         placeholder="https://…")
                    fetch = gr.Button("Fetch and add", elem_id="fetch")
                    chosen = gr.Dropdown(label="Article to remove", choices=[], elem_id="remove-id")
                    drop = gr.Button("Remove", elem_id="remove", variant="stop")
            status = gr.Markdown(elem_id="library-status")
        with gr.Tab("Settings"):
            answerer = gr.Dropdown(available_answerers(pipeline.settings), value=answerer_name(pipeline.settings),
                                   label="Answerer", elem_id="answerer")
            top_k = gr.Slider(1, 10, value=pipeline.settings.top_k, step=1, label="Passages to retrieve (top-k)")
            show = gr.Checkbox(False, label="Show retrieved passages under each answer", elem_id="show-passages")
            with gr.Row():
                since = gr.Textbox(label="Published since (YYYY-MM-DD, or \"last week\", \"3 days ago\")",
                                   elem_id="since")
                until = gr.Textbox(label="Published until (YYYY-MM-DD, or \"yesterday\")", elem_id="until")
                outlets = gr.Textbox(label="Outlets (comma-separated)", elem_id="outlets")
                as_of = gr.Textbox(label="As of (YYYY-MM-DD: \"this week\" means the week before; default today)",
                                   elem_id="as-of")

        def ids() -> Any:
            return gr.update(choices=[row[1] for row in library.table(pipeline)], value=None)

        def adding(uploaded, progress=gr.Progress()):  # noqa: B008 (Gradio injects the tracker)
            return library.add_files(pipeline, uploaded, progress)

        # the UI's own handlers are not an API: programs get the named endpoints below
        hidden: dict[str, Any] = {"api_visibility": "private"}
        box.submit(partial(chat.respond, pipeline),
                   [bot, box, answers, answerer, top_k, show, since, until, outlets, as_of],
                   [bot, box, answers, picker], concurrency_limit=8, **hidden)
        starters.click(lambda sample: sample[0], starters, box, **hidden)
        picker.change(partial(chat.open_source, pipeline), [answers, picker], viewer, **hidden).then(
            None, None, None, js=SCROLL_TO_MARK, **hidden)

        def changed(event: Any) -> None:   # after a change of the library: its table, the ids, the starters
            event.then(lambda: library.table(pipeline), None, articles, **hidden).then(
                ids, None, chosen, **hidden).then(examples, None, starters, **hidden)

        changed(add.click(adding, files, status, **({"api_name": "add_articles"} if login else hidden)))
        changed(fetch.click(partial(library.add_url, pipeline), address, status, **hidden))
        changed(address.submit(partial(library.add_url, pipeline), address, status, **hidden))
        changed(drop.click(partial(library.remove, pipeline), chosen, status, **hidden))
        app.load(examples, None, starters, **hidden).then(ids, None, chosen, **hidden).then(
            lambda: library.table(pipeline), None, articles, **hidden)
        named_api(pipeline, login)
    return app


def named_api(pipeline: Any, login: bool) -> None:
    """What a program wants from the chat app, by name (gradio_client, the "Use via API" page): /ask returns the
    Answer as `qa ask --json` does, /articles the library; /remove_article (and /add_articles, on the Library
    tab's upload) only where the app requires a login."""
    import gradio as gr

    def ask(question: str, history: list[list[str]] | None = None, top_k: int = 0, answerer: str = "") -> dict:
        """Answer a question from the articles: the Answer as JSON (history: earlier [question, answer] turns)."""
        turns = [(str(q), str(a)) for q, a in (history or [])]
        try:
            return pipeline.chat(turns, question, top_k or None, answerer or None).to_dict()
        except QAError as err:
            raise gr.Error(str(err)) from None

    def articles() -> list[dict]:
        """The stored articles: id, title, chunks, date added, size."""
        return pipeline.articles()

    gr.api(ask, api_name="ask")
    gr.api(articles, api_name="articles")
    if login:
        def remove_article(article_id: str) -> dict:
            """Remove an article by id."""
            try:
                return {"id": article_id, "removed_chunks": pipeline.remove(article_id)}
            except QAError as err:
                raise gr.Error(str(err)) from None

        gr.api(remove_article, api_name="remove_article")
