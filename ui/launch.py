"""`qa ui`: build the pipeline from settings and serve the chat on 127.0.0.1 by default."""
from __future__ import annotations

from qa.settings import Settings


def launch(settings: Settings) -> None:
    """Build everything and block serving the UI.

    Raises:
        QAError: nothing ingested, bad configuration.
    """
    from qa.pipeline import NewsQA
    from ui.app import build_app

    pipeline = NewsQA(settings)
    pipeline.stats()  # fail now, with a readable line, when nothing is ingested yet
    print(f"newsqa chat on http://{settings.host}:{settings.port} (Ctrl+C to stop)", flush=True)
    build_app(pipeline).launch(server_name=settings.host, server_port=settings.port, share=False,
                               show_error=True, quiet=True)
