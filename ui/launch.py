"""`qa ui`: build the pipeline and serve the chat; loopback by default, basic auth beyond it."""
from __future__ import annotations

from qa.errors import ConfigError
from qa.settings import Settings

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def auth_for(settings: Settings, no_auth: bool = False) -> tuple[str, str] | None:
    """Basic-auth credentials to require, or None on loopback (or with --no-auth).

    Raises:
        ConfigError: binding beyond loopback without QA_UI_USER/QA_UI_PASSWORD and without --no-auth.
    """
    password = settings.ui_password.get_secret_value()
    if settings.ui_user and password:
        return settings.ui_user, password
    if settings.host in LOOPBACK or no_auth:
        return None
    raise ConfigError(f"Refusing to serve on {settings.host} without a login: set QA_UI_USER and QA_UI_PASSWORD "
                      "(or pass --no-auth to serve it open)")


def launch(settings: Settings, *, no_auth: bool = False) -> None:
    """Build everything and block serving the UI.

    Raises:
        ConfigError: unsafe binding without credentials, bad configuration.
    """
    from qa.pipeline import NewsQA
    from ui.app import CSS, build_app

    auth = auth_for(settings, no_auth)
    pipeline = NewsQA(settings)
    print(f"newsqa chat on http://{settings.host}:{settings.port} (Ctrl+C to stop)", flush=True)
    build_app(pipeline, login=auth is not None).queue(default_concurrency_limit=8).launch(
        server_name=settings.host, server_port=settings.port, share=False, show_error=True, quiet=True,
        auth=auth, css=CSS)
