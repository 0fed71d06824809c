"""`qa serve`: one process serving the HTTP API, the OpenAI-compatible endpoint and the chat UI (mounted at
/ui) under uvicorn. Loopback by default; beyond it, a bearer token for the API and a login for the UI."""
from __future__ import annotations

from qa.errors import ConfigError
from qa.settings import Settings
from ui.launch import LOOPBACK, auth_for, check_bindable


def check_exposure(settings: Settings, no_auth: bool = False) -> None:
    """Refuse to serve beyond loopback without QA_API_TOKEN (and the UI's login, which auth_for checks).

    Raises:
        ConfigError: binding beyond loopback without a token and without --no-auth.
    """
    if settings.host not in LOOPBACK and not no_auth and not settings.api_token.get_secret_value():
        raise ConfigError(f"Refusing to serve the API on {settings.host} without a token: set QA_API_TOKEN (and "
                          "QA_UI_USER/QA_UI_PASSWORD for the chat), or pass --no-auth to serve it open")


def build_server(settings: Settings, *, no_auth: bool = False, pipeline=None):
    """The FastAPI app with the chat UI mounted at /ui (OpenAPI docs at /docs).

    Raises:
        ConfigError: unsafe binding without credentials, bad configuration.
    """
    import gradio as gr

    from qa.pipeline import NewsQA
    from ui.api import build_api
    from ui.app import CSS, build_app

    check_exposure(settings, no_auth)
    auth = auth_for(settings, no_auth)
    pipeline = pipeline or NewsQA(settings)
    app = build_api(pipeline)
    blocks = build_app(pipeline, login=auth is not None).queue(default_concurrency_limit=8)
    return gr.mount_gradio_app(app, blocks, path="/ui", auth=auth, css=CSS)


def serve(settings: Settings, *, no_auth: bool = False) -> None:
    """Build everything and block serving it with uvicorn."""
    import uvicorn

    check_bindable(settings.host, settings.port)
    app = build_server(settings, no_auth=no_auth)
    print(f"newsqa API on http://{settings.host}:{settings.port}/v1 (docs at /docs, chat at /ui; Ctrl+C to stop)",
          flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
