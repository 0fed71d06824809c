"""build_app(pipeline) -> gr.Blocks: the chat window. No retrieval or prompt logic here."""
from __future__ import annotations

from typing import Any

from qa.errors import QAError
from ui.render import answer_to_markdown

EXAMPLES = [
    "Why do Washington and its allies criticise the arms trade between Russia and North Korea?",
    "When did Putin last visit Pyongyang?",
    "Who gifted Kim Jong-un an Aurus limousine?",
]


def build_app(pipeline: Any, title: str = "newsqa") -> Any:
    """The Gradio chat app around a NewsQA pipeline.

    Args:
        pipeline: anything with ask(question) -> Answer.
        title: page title.

    Returns:
        A gr.Blocks ready to launch.
    """
    import gradio as gr

    def respond(message: str, history: list[Any]) -> str:
        try:
            return answer_to_markdown(pipeline.ask(message))
        except QAError as err:
            raise gr.Error(str(err)) from err

    with gr.Blocks(title=title) as app:
        gr.Markdown(f"# {title}\nAsk about the ingested news articles. Every answer cites its sources; "
                    "when the articles don't hold the answer, it says so.")
        gr.ChatInterface(respond, examples=EXAMPLES, run_examples_on_click=True, cache_examples=False,
                         chatbot=gr.Chatbot(height=520, label="Chat"),
                         textbox=gr.Textbox(placeholder="Ask a question about the articles…", elem_id="question"),
                         api_name="ask")
    return app
