"""`qa ui`: build the pipeline and serve the chat; loopback by default, basic auth beyond it."""
from __future__ import annotations

import errno
import socket

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


def check_bindable(host: str, port: int, reuse: bool = True) -> None:
    """Fail before loading anything when the address cannot be served: a port in use, a host that is not one of
    this machine's (the servers would otherwise print a traceback, or an error after the banner). reuse: bind as
    uvicorn does (SO_REUSEADDR: a port whose last connections linger in TIME_WAIT is free); Gradio's own server
    binds without it.

    Raises:
        ConfigError: the address cannot be bound.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise ConfigError(f"Cannot serve on {host}: {err.strerror} (set --host or QA_HOST)") from err
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        if reuse:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            hint = "pick another with --port or QA_PORT" if err.errno == errno.EADDRINUSE else \
                "set --host or QA_HOST to an address of this machine"
            raise ConfigError(f"Cannot serve on {host}:{port}: {err.strerror} ({hint})") from err


def launch(settings: Settings, *, no_auth: bool = False) -> None:
    """Build everything and block serving the UI.

    Raises:
        ConfigError: unsafe binding without credentials, bad configuration.
    """
    from qa.pipeline import NewsQA
    from ui.app import CSS, build_app

    auth = auth_for(settings, no_auth)
    check_bindable(settings.host, settings.port, reuse=False)
    pipeline = NewsQA(settings)
    print(f"newsqa chat on http://{settings.host}:{settings.port} (Ctrl+C to stop)", flush=True)
    try:
        build_app(pipeline, login=auth is not None).queue(default_concurrency_limit=8).launch(
            server_name=settings.host, server_port=settings.port, share=False, show_error=True, quiet=True,
            auth=auth, css=CSS)
    except OSError as err:   # the port taken between the check and the launch
        raise ConfigError(f"Cannot serve on {settings.host}:{settings.port}: the port was taken (pick another "
                          "with --port or QA_PORT)") from err
