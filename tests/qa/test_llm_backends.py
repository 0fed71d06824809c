"""Contract tests over every LLM backend that can run here: llama.cpp in process and an
OpenAI-compatible server (llama-cpp-python's) on 127.0.0.1, both with the bundled SmolLM2 GGUF.
SmolLM2-135M is too weak to judge answers: these tests check the machinery, not quality."""
import pytest

from qa.errors import BackendError, ConfigError
from qa.llm.factory import make_llm
from qa.llm.gguf import bundled_smollm2
from qa.pipeline import NewsQA
from qa.settings import Settings
from tests.conftest import ARMS_QUESTION, free_port
from tests.servers import openai_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["llamacpp", "openai"])
def backend(request, tmp_path_factory):
    if request.param == "llamacpp":
        yield make_llm(Settings(llm="llamacpp", llm_model="smollm2", llm_max_tokens=64))
    else:
        with openai_server(bundled_smollm2(), tmp_path_factory.mktemp("srv")) as url:
            yield make_llm(Settings(llm="openai", llm_base_url=url, llm_max_tokens=64))


def test_complete_and_stream(backend):
    assert callable(backend.complete) and callable(backend.stream)
    text = backend.complete("Answer in one short sentence.", "What colour is the sky on a clear day?")
    assert isinstance(text, str) and text.strip()
    pieces = list(backend.stream("Answer in one short sentence.", "Say hello."))
    assert len(pieces) > 1 and "".join(pieces).strip()


def test_pipeline_answers_through_the_backend(backend, seeded_dir, embedder):
    pipeline = NewsQA(Settings(data_dir=seeded_dir, top_k=3, answerer="reader"), embedder=embedder, llm=backend)
    answer = pipeline.ask(ARMS_QUESTION)
    assert backend.name.split(":")[0] in ("llamacpp", "openai")
    # SmolLM2 may write a reply no source states ("[1] [2] [3] …"): then the reader quotes the evidence and says so
    assert answer.model in (backend.name, f"{backend.name}+extractive")
    assert answer.model == backend.name or any("quoting the best evidence" in w for w in answer.warnings)
    assert len(answer.passages) == 3
    retrieved = {p.source for p in answer.passages}
    assert {c.source for c in answer.citations} <= retrieved
    assert [c.number for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert answer.refused or answer.text.strip()


def test_unreachable_servers_are_backend_errors():
    dead = f"http://127.0.0.1:{free_port()}"
    for settings in (Settings(llm="ollama", llm_base_url=dead), Settings(llm="openai", llm_base_url=dead + "/v1")):
        with pytest.raises(BackendError):
            make_llm(settings).complete("system", "user")


def test_configuration_errors():
    with pytest.raises(ConfigError, match="QA_LLM_BASE_URL"):
        make_llm(Settings(llm="openai"))
    with pytest.raises(ConfigError, match="GGUF model not found"):
        make_llm(Settings(llm="llamacpp", llm_model="/no/model.gguf"))
    assert make_llm(Settings(llm="extractive")) is None


class _BadServer:
    """An HTTP server on 127.0.0.1 that answers every request too slowly or with garbage."""

    def __init__(self, mode: str) -> None:
        import http.server
        import threading
        import time

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self):
                if mode == "slow":
                    time.sleep(3)
                body = b"<html>certainly not what you asked for</html>" if mode == "garbage" else b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json" if mode == "slow" else "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting
                    pass

            do_GET = do_POST = _reply

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.mark.parametrize("mode", ["slow", "garbage"])
@pytest.mark.parametrize("llm", ["openai", "ollama"])
def test_slow_or_garbage_servers_are_backend_errors(mode, llm):
    import time

    server = _BadServer(mode)
    try:
        url = server.url + ("/v1" if llm == "openai" else "")
        client = make_llm(Settings(llm=llm, llm_base_url=url, timeout_s=0.5))
        started = time.perf_counter()
        with pytest.raises(BackendError, match=f"LLM {llm}"):
            client.complete("system", "user")
        assert time.perf_counter() - started < 2.5  # the settings' timeout, not the server's pace
    finally:
        server.close()
