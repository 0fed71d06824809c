"""build_app(pipeline) -> gr.Blocks: chat with streamed, sourced answers; the library; settings.
Layout and wiring only: handlers live in ui/chat.py and ui/library.py, HTML in ui/render.py."""
from __future__ import annotations

from functools import partial
from typing import Any

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


def build_app(pipeline: Any, title: str = "newsqa") -> Any:
    """The Gradio app around a NewsQA pipeline.

    Args:
        pipeline: a qa.pipeline.NewsQA.
        title: page title.

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
            articles = gr.Dataframe(headers=library.COLUMNS, value=lambda: library.table(pipeline),
                                    interactive=False, elem_id="library", wrap=True)
            with gr.Row():
                files = gr.File(file_count="multiple", file_types=list(library.ALLOWED), label="Add articles",
                                elem_id="upload")
                with gr.Column():
                    add = gr.Button("Add to library", elem_id="add", variant="primary")
                    chosen = gr.Dropdown(label="Article to remove", choices=[], elem_id="remove-id")
                    drop = gr.Button("Remove", elem_id="remove", variant="stop")
            status = gr.Markdown(elem_id="library-status")
        with gr.Tab("Settings"):
            answerer = gr.Dropdown(available_answerers(pipeline.settings), value=answerer_name(pipeline.settings),
                                   label="Answerer", elem_id="answerer")
            top_k = gr.Slider(1, 10, value=pipeline.settings.top_k, step=1, label="Passages to retrieve (top-k)")
            show = gr.Checkbox(False, label="Show retrieved passages under each answer", elem_id="show-passages")

        def ids() -> Any:
            return gr.update(choices=[row[1] for row in library.table(pipeline)], value=None)

        def adding(uploaded, progress=gr.Progress()):  # noqa: B008 (Gradio injects the tracker)
            return library.add_files(pipeline, uploaded, progress)

        box.submit(partial(chat.respond, pipeline), [bot, box, answers, answerer, top_k, show],
                   [bot, box, answers, picker], concurrency_limit=8)
        starters.click(lambda sample: sample[0], starters, box)
        picker.change(partial(chat.open_source, pipeline), [answers, picker], viewer).then(
            None, None, None, js=SCROLL_TO_MARK)
        add.click(adding, files, status).then(lambda: library.table(pipeline), None, articles).then(
            ids, None, chosen).then(examples, None, starters)
        drop.click(partial(library.remove, pipeline), chosen, status).then(
            lambda: library.table(pipeline), None, articles).then(ids, None, chosen).then(examples, None, starters)
        app.load(examples, None, starters).then(ids, None, chosen).then(
            lambda: library.table(pipeline), None, articles)
    return app
