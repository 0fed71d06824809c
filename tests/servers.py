"""Start real local servers for tests (Chroma, an OpenAI-compatible llama.cpp server) on 127.0.0.1."""
from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.conftest import free_port


def wait_for(url: str, proc: subprocess.Popen, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout_s} s")


@contextlib.contextmanager
def running(cmd: list[str], ready_url: str, log: Path) -> Iterator[None]:
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_for(ready_url, proc)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """`chroma run` on a free port; yields its URL."""
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    with running([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                 f"http://127.0.0.1:{port}/api/v2/heartbeat", path.parent / "chroma-server.log"):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def openai_server(model: Path, log_dir: Path) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server with a GGUF; yields its /v1 base URL."""
    port = free_port()
    with running([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                  "--port", str(port), "--n_ctx", "4096"],
                 f"http://127.0.0.1:{port}/v1/models", log_dir / "openai-server.log"):
        yield f"http://127.0.0.1:{port}/v1"


def start_qa(command: str, data: Path, log_dir: Path, *extra: str, env_extra: dict | None = None):
    """`qa ui` or `qa serve` over a data dir on a free port: (process, its log file, its URL)."""
    import os

    port = free_port()
    env = {**os.environ, "QA_DATA_DIR": str(data), "GRADIO_ANALYTICS_ENABLED": "False", **(env_extra or {})}
    log = open(log_dir / f"{command}-{port}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", command, "--port", str(port), *extra], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    return proc, log, f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def qa_running(command: str, data: Path, log_dir: Path, *extra: str, env_extra: dict | None = None,
               ready: str = "") -> Iterator[str]:
    """start_qa, waiting until URL + ready answers; stopped on leaving. Yields the URL."""
    proc, log, url = start_qa(command, data, log_dir, *extra, env_extra=env_extra)
    try:
        wait_for(url + ready, proc, timeout_s=120)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


class _Site(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".rss": "application/rss+xml",
                      ".bin": "application/octet-stream"}

    def log_message(self, *args) -> None:   # quiet
        pass


@contextlib.contextmanager
def static_site(folder: Path) -> Iterator[str]:
    """A web server (Python's http.server, on a thread) serving folder's files on a free port; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Site, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
