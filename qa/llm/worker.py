"""The in-process model, out of process: llama.cpp runs in a worker process of its own, as Ollama, LM Studio
and llama.cpp's server do, and talks to the asking process over JSON lines on its stdin/stdout.

The worker starts on first use and is shared by every question of the pipeline (one request at a time:
one llama.cpp context). A native crash or a kill of the worker becomes one BackendError; the next question
starts a new worker, and the asking process (the UI, a notebook) lives on.

Run as `python -m qa.llm.worker MODEL.gguf CONTEXT MAX_TOKENS TEMPERATURE EXTRA_BUFFERS` (the client does), or
`python -m qa.llm.worker --check-amx MODEL.gguf` (qa.llm.amx's check), `python -m qa.llm.worker --time-repack
MODEL.gguf on|off` (qa.llm.repack's timing).
"""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qa.errors import BackendError, ConfigError

CRASHED = "the model process crashed"
START_TIMEOUT_S = 300.0   # joining is done before; this is loading 1.1 GB from a cold disk


def readable(fd: int, timeout_s: float) -> bool:
    """Whether fd has something to read (or has ended) within timeout_s. poll, not select: select fails on a
    descriptor numbered past 1024, which a long-running server holding many files and sockets reaches."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    return bool(poller.poll(max(0.0, timeout_s) * 1000))


class WorkerLLM:
    """Our LLM protocol over a llama.cpp worker process (started on first use, restarted after a crash)."""

    def __init__(self, path: Path, *, context_tokens: int = 4096, max_tokens: int = 256, temperature: float = 0.0,
                 timeout_s: float = 120.0, extra_buffers: str = "off", flash_attention: bool = True,
                 name: str | None = None) -> None:
        self.path = Path(path)
        self.name = name or f"llamacpp:{self.path.name}"
        self.timeout_s = timeout_s
        self._args = [str(self.path), str(context_tokens), str(max_tokens), repr(float(temperature)), extra_buffers,
                      "on" if flash_attention else "off"]
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self._ready = False
        self.loaded: dict[str, Any] = {}   # what the worker reported it loaded with (its "ready" message)
        self._lock = threading.RLock()   # one request at a time; held while a reply streams
        self.evaluated = 0   # prompt tokens the worker evaluated for the last judgement (the KV cache saves the rest)
        atexit.register(self.close)

    # -- the process --------------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The worker's process id while one runs (tests kill it)."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def start(self) -> None:
        """Start the worker now without waiting for the model to load (questions wait for it)."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = subprocess.Popen(
                    [sys.executable, "-m", "qa.llm.worker", *self._args], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=None, start_new_session=True)
                self._buffer, self._ready = b"", False

    def _started(self) -> subprocess.Popen[bytes]:
        self.start()
        assert self._proc is not None
        if not self._ready:
            message = self._read(START_TIMEOUT_S)
            if "error" in message:
                self.close()
                raise _error(message)
            self._ready, self.loaded = True, message
        return self._proc

    def close(self) -> None:
        """Stop the worker (at exit, and after a timeout)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)

    def _crashed(self, proc: subprocess.Popen[bytes]) -> BackendError:
        code = proc.wait()
        self._proc = None
        how = f"signal {-code} ({signal.Signals(-code).name})" if code < 0 else f"exit code {code}"
        return BackendError(f"{CRASHED} ({how}); the next question starts a new one")

    def _send(self, request: dict[str, Any]) -> None:
        proc = self._started()
        try:
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(request).encode() + b"\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._crashed(proc) from None

    def _read(self, timeout_s: float | None = None) -> dict[str, Any]:
        """The worker's next message; a crash or a worker silent for timeout_s is a BackendError."""
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        fd = proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                raise BackendError(f"the model process gave no answer within {timeout_s or self.timeout_s:.0f} s "
                                   "(QA_TIMEOUT_S); it was stopped")
            if readable(fd, left):
                block = os.read(fd, 65536)
                if not block:
                    raise self._crashed(proc)
                self._buffer += block
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    # -- the LLM protocol ---------------------------------------------------------------------------
    def judge(self, system: str, user: str) -> float:
        """P(yes) - P(no) of the first reply token (prompt evaluation only)."""
        return float(self._ask({"op": "judge", "system": system, "user": user}))

    def judge_many(self, system: str, users: list[str]) -> list[float]:
        """The judgement of each prompt; a prefix they share is evaluated once (self.evaluated: prompt tokens
        the worker evaluated for the last call)."""
        return self._ask({"op": "judge_many", "system": system, "users": users})

    def choose(self, system: str, user: str, options: int) -> list[float]:
        """P(the reply starts with n) for n = 0..options."""
        return self._ask({"op": "choose", "system": system, "user": user, "options": options})

    def _ask(self, request: dict[str, Any]) -> Any:
        with self._lock:
            self._send(request)
            message = self._read()
            if "error" in message:
                raise _error(message)
            self.evaluated = message.get("evaluated", 0)
            return message["result"]

    def stream(self, system: str, user: str, *, max_tokens: int | None = None) -> Iterator[str]:
        """The reply in pieces as the worker generates them."""
        with self._lock:
            self._send({"op": "stream", "system": system, "user": user, "max_tokens": max_tokens})
            ended = False
            try:
                while True:
                    message = self._read()
                    if "error" in message:
                        ended = True
                        raise _error(message)
                    if message.get("end"):
                        ended = True
                        return
                    yield message["piece"]
            finally:
                if not ended and self._proc is not None:
                    self._cancel()

    def _cancel(self) -> None:
        """The reader stopped listening mid-reply: tell the worker, and read up to the end of the reply."""
        with contextlib.suppress(BackendError, OSError):
            assert self._proc is not None and self._proc.stdin is not None
            self._proc.stdin.write(b'{"op": "cancel"}\n')
            self._proc.stdin.flush()
            while not self._read().get("end") and self._proc is not None:
                pass

    def complete(self, system: str, user: str) -> str:
        """The whole reply."""
        return "".join(self.stream(system, user))


def _error(message: dict[str, Any]) -> Exception:
    kind = ConfigError if message.get("type") == "config" else BackendError
    return kind(message["error"])


# -- the worker side ------------------------------------------------------------------------------------
CALLS = {   # requests answered with one message: {"result": ..., "evaluated": prompt tokens evaluated}
    "judge": lambda model, r: model.judge(r["system"], r["user"]),
    "judge_many": lambda model, r: model.judge_many(r["system"], r["users"]),
    "choose": lambda model, r: model.choose(r["system"], r["user"], int(r["options"])),
}


def serve(argv: list[str]) -> int:
    """The worker's loop: load the model, then answer one JSON request per line until stdin closes."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)   # anything llama.cpp prints goes to stderr, never into the protocol
    reader = os.fdopen(0, "rb", buffering=0)

    def send(message: dict[str, Any]) -> None:
        out.write(json.dumps(message) + "\n")

    try:
        from qa.llm.llamacpp import LlamaCppModel

        path, context, max_tokens, temperature, extra, flash = argv
        model = LlamaCppModel(Path(path), context_tokens=int(context), max_tokens=int(max_tokens),
                              temperature=float(temperature), extra_buffers=extra, flash_attention=flash == "on")
    except ConfigError as err:
        send({"error": str(err), "type": "config"})
        return 1
    send({"ready": True, "extra_buffers": model.extra_buffers, "flash_attention": model.flash_attention})
    pending = b""
    while True:
        while b"\n" not in pending:
            block = reader.read(65536)
            if not block:   # the asking process is gone
                model.close()
                return 0
            pending += block
        line, pending = pending.split(b"\n", 1)
        request = json.loads(line)
        try:
            if request["op"] in CALLS:
                before = model.evaluated
                result = CALLS[request["op"]](model, request)
                send({"result": result, "evaluated": model.evaluated - before})
            elif request["op"] == "stream":
                for piece in model.stream(request["system"], request["user"], request.get("max_tokens")):
                    send({"piece": piece})
                    if readable(reader, 0):   # a cancel (or the end of stdin) arrived
                        break
                send({"end": True})
            # a cancel that arrives after its reply ended needs no answer
        except (BackendError, ConfigError) as err:
            send({"error": str(err), "type": "config" if isinstance(err, ConfigError) else "backend"})


def check_amx(path: str) -> int:
    """The AMX check's child process (qa.llm.amx): exit 0 when llama.cpp's AMX kernels ran a judgement of a
    several-token prompt (a single token takes another path), 3 when the build has none; a faulting build dies."""
    import llama_cpp

    from qa.llm.llamacpp import LlamaCppModel

    if "AMX_INT8 = 1" not in llama_cpp.llama_print_system_info().decode():
        print("this llama.cpp build has no AMX kernels")
        return 3
    model = LlamaCppModel(Path(path), context_tokens=512, max_tokens=4, extra_buffers="on")
    model.judge("Reply with one word: yes or no.", "Is the harbour in Quellmoor open again since Monday?")
    model.close()
    return 0


def time_repack(path: str, setting: str) -> int:
    """The repack timing's child process (qa.llm.repack): prints the seconds of the best of two timed rounds of a
    judgement of seven candidates (a round before them warms up), each round its own question so that no round
    reuses another's prefix."""
    import json
    import time

    from qa.llm.llamacpp import LlamaCppModel
    from qa.llm.repack import TIMED_QUESTION, TIMED_SENTENCES
    from qa.prompts import SENTENCE_SYSTEM, build_sentence_prompt

    model = LlamaCppModel(Path(path), context_tokens=2048, max_tokens=4, extra_buffers=setting)
    rounds = []
    for round_ in range(3):
        question = f"{TIMED_QUESTION} ({round_ + 1})"
        started = time.perf_counter()
        model.judge_many(SENTENCE_SYSTEM, [build_sentence_prompt(question, s) for s in TIMED_SENTENCES])
        rounds.append(time.perf_counter() - started)
    model.close()
    print(json.dumps({"seconds": round(min(rounds[1:]), 3), "rounds": [round(r, 3) for r in rounds]}))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check-amx"]:
        sys.exit(check_amx(sys.argv[2]))
    if sys.argv[1:2] == ["--time-repack"]:
        sys.exit(time_repack(sys.argv[2], sys.argv[3]))
    sys.exit(serve(sys.argv[1:]))
