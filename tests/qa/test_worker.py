"""llama.cpp in its worker process (with the tiny SmolLM2: machinery, not quality), and the
yes/no judgement read from servers' log-probabilities (scripted OpenAI and Ollama servers on 127.0.0.1)."""
import json
import math
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from qa.errors import BackendError, ConfigError
from qa.llm.base import yes_no_margin
from qa.llm.factory import make_llm
from qa.llm.gguf import bundled_smollm2
from qa.llm.worker import WorkerLLM, readable
from qa.settings import Settings
from tests.conftest import free_port


def test_the_worker_pipe_is_read_whatever_its_descriptor_number():
    """select() fails past descriptor 1024 (a long test run or a busy server holds that many files): poll reads it."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    high = 1500
    if hard != resource.RLIM_INFINITY and hard <= high:
        pytest.skip(f"the descriptor limit here is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, high + 1), hard))
    read, write = os.pipe()
    try:
        os.dup2(read, high)
        assert not readable(high, 0)
        os.write(write, b"{}\n")
        assert readable(high, 1)
        os.close(write)
        write = -1
        os.read(high, 16)
        assert readable(high, 0)   # the end of the pipe is something to read too: the worker's crash
    finally:
        for fd in (read, high, write):
            if fd >= 0:
                os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_yes_no_margin_from_top_logprobs():
    assert yes_no_margin([("Yes", math.log(0.7)), (" yes", math.log(0.1)), ("No", math.log(0.15))]) == \
        pytest.approx(0.8 - 0.15)
    assert yes_no_margin([("Maybe", -0.1)]) is None


class _Scripted:
    """An HTTP server on 127.0.0.1 answering every POST with one JSON body; records the requests."""

    def __init__(self, body: dict) -> None:
        requests = self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                requests.append((self.path, json.loads(self.rfile.read(length))))
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def _alternatives(yes: float, no: float) -> list[dict]:
    return [{"token": "Yes", "logprob": math.log(yes)}, {"token": "No", "logprob": math.log(no)}]


def test_the_judgement_from_an_openai_compatible_server():
    body = {"choices": [{"message": {"content": "Yes"}, "logprobs": {"content": [
        {"token": "Yes", "logprob": math.log(0.9), "top_logprobs": _alternatives(0.9, 0.05)}]}}]}
    with _Scripted(body) as server:
        llm = make_llm(Settings(llm="openai", llm_base_url=server.url + "/v1", llm_model="m", llm_api_key="k"))
        assert llm.judge("system", "user") == pytest.approx(0.85)
        path, sent = server.requests[0]
    assert path == "/v1/chat/completions" and sent["logprobs"] is True and sent["max_tokens"] == 1
    assert sent["top_logprobs"] > 1 and sent["model"] == "m"


def test_the_judgement_from_ollama():
    body = {"message": {"content": "No"}, "logprobs": [
        {"token": "No", "logprob": math.log(0.6), "top_logprobs": _alternatives(0.3, 0.6)}]}
    with _Scripted(body) as server:
        llm = make_llm(Settings(llm="ollama", llm_base_url=server.url, llm_model="qwen2.5"))
        assert llm.judge("system", "user") == pytest.approx(-0.3)
        path, sent = server.requests[0]
    assert path == "/api/chat" and sent["logprobs"] is True and sent["options"]["num_predict"] == 1


def test_a_server_without_logprobs_gives_no_judgement():
    with _Scripted({"choices": [{"message": {"content": "yes"}}]}) as server:
        assert make_llm(Settings(llm="openai", llm_base_url=server.url + "/v1")).judge("s", "u") is None


@pytest.fixture
def worker():
    llm = WorkerLLM(bundled_smollm2(), max_tokens=48, timeout_s=60)
    yield llm
    llm.close()


@pytest.mark.slow
def test_the_worker_streams_judges_and_survives_a_kill(worker):
    assert worker.pid is None   # starts on first use
    assert -1.0 <= worker.judge("Answer yes or no.", "Is the sky blue?") <= 1.0
    first = worker.pid
    pieces = list(worker.stream("Answer in one sentence.", "Say hello."))
    assert pieces and "".join(pieces).strip() and worker.pid == first   # shared by every request
    stream = worker.stream("Write a long story.", "Tell me about the sea, at length.")
    assert isinstance(next(stream), str)
    os.kill(first, signal.SIGKILL)
    with pytest.raises(BackendError, match="the model process crashed .signal 9"):
        list(stream)
    assert worker.complete("Answer in one sentence.", "Say hello.").strip()   # a new worker
    assert worker.pid not in (None, first)


@pytest.mark.slow
def test_a_reply_left_unread_is_cancelled_and_the_next_request_works(worker):
    stream = worker.stream("Write a long story.", "Tell me about the sea, at length.")
    next(stream)
    stream.close()   # the reader stopped listening (a closed chat tab)
    assert worker.complete("Answer in one sentence.", "Say hello.").strip()


@pytest.mark.slow
def test_flash_attention_judges_as_without_it(worker):
    """QA_LLM_FLASH_ATTENTION (on by default): llama.cpp's other attention kernel, the same judgements up to
    rounding, in a batch of candidates as one by one."""
    system = "You check whether a sentence answers a question. Reply yes or no."
    users = [f"Question: When did the ferry resume?\n\nSentence: {t}" for t in
             ("The ferry resumed on Monday.", "The harbour is busy.", "Tickets cost more this year.")]
    plain = WorkerLLM(bundled_smollm2(), max_tokens=8, timeout_s=60, flash_attention=False)
    try:
        without = plain.judge_many(system, users)
    finally:
        plain.close()
    assert worker.judge_many(system, users) == pytest.approx(without, abs=0.05)
    assert worker.loaded["flash_attention"] is True and plain.loaded["flash_attention"] is False
    assert [worker.judge(system, u) for u in users] == pytest.approx(without, abs=0.05)


@pytest.mark.slow
def test_a_model_that_does_not_load_is_a_config_error(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    llm = WorkerLLM(bad)
    with pytest.raises(ConfigError, match="Cannot load"):
        llm.judge("s", "u")


@pytest.mark.slow
def test_judging_candidates_evaluates_their_shared_prefix_once(worker):
    system = "You check whether a sentence answers a question. Reply yes or no. " * 8   # a long shared prefix
    question = "Question: By what year does Microsoft want to be carbon negative?\n\nSentence: "
    tails = ["Microsoft will create a $1 billion fund.", "It aims to be carbon negative by 2030.",
             "Its offices will run on renewable power."]
    worker.judge("Something else entirely.", "Hello.")   # nothing of the prefix is in the cache now
    alone = worker.judge_many(system, [question + tails[0]])
    whole = worker.evaluated   # the system prompt, the question and the first tail
    worker.judge("Something else entirely.", "Hello.")   # sequence 0 holds another prompt now
    scores = worker.judge_many(system, [question + t for t in tails])
    assert scores[0] == pytest.approx(alone[0], abs=0.05) and all(-1 <= s <= 1 for s in scores)
    # the system prompt (~130 tokens) was loaded from its saved state; the question and three tails evaluated
    assert 0 < worker.evaluated < whole - 60, (whole, worker.evaluated)
    again = worker.judge_many(system, [question + tails[2]])
    assert again[0] == pytest.approx(scores[2], abs=0.05)   # one sequence or a batch: the same up to rounding
    assert 0 < worker.evaluated < 40   # the system prompt stayed in the cache: the question and this candidate
    users = [question + t for t in tails]
    first = worker.judge_many(system, users)
    same = worker.judge_many(system, users)   # sequence 0 holds all of it
    worker.judge("Something else entirely.", "Hello.")
    assert first == same == worker.judge_many(system, users)   # loaded back: exactly the same, whatever came before
    reply = worker.complete("Answer in one short sentence.", "Say hello.")
    worker.judge(system, question + tails[1])   # another system prompt in sequence 0
    assert worker.complete("Answer in one short sentence.", "Say hello.") == reply   # from its saved state: the same
    probs = worker.choose("Reply with a number.", "Which is larger: 1. two 2. seven", 2)
    assert len(probs) == 3 and all(0 <= p <= 1 for p in probs) and sum(probs) <= 1.0 + 1e-6
