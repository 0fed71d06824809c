"""Throughput of `qa serve` with 1, 4 and 16 concurrent clients, beside `qa.ask()` in process over the same
index (threads sharing one pipeline), on the same questions.

Run: python -m evals.serve_load [--dataset squad2] [--questions 100] [--clients 1,4,16] [--answerer extractive]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from evals.corpus import ingest_dataset
from evals.datasets import load_dataset
from qa.settings import Settings


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, timeout_s: float = 120.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"qa serve exited with {proc.returncode}")
        try:
            httpx.get(f"{url}/healthz", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit("qa serve did not start")


def rate(ask, questions: list[str], clients: int) -> float:
    """Questions per second with `clients` askers at once."""
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(ask, questions))
    return round(len(questions) / (time.perf_counter() - started), 1)


def main() -> None:
    import httpx

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", default="squad2")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--answerer", default="extractive")
    args = parser.parse_args()
    settings = Settings(answerer=args.answerer)
    dataset = load_dataset(args.dataset)
    with tempfile.TemporaryDirectory() as scratch:
        pipeline, _, _ = ingest_dataset(settings, dataset, Path(scratch))
        questions = [q.question for q in dataset.questions[: args.questions]]
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "QA_ANSWERER": args.answerer, "QA_COLLECTION": pipeline.settings.collection,
               "QA_DATA_DIR": str(pipeline.settings.data_dir)}
        proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "serve", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait(url, proc)
            client = httpx.Client(timeout=300, limits=httpx.Limits(max_connections=32))
            client.post(f"{url}/v1/ask", json={"question": questions[0]})   # warm: the model loads once
            pipeline.ask(questions[0])
            print(f"{args.dataset}, {len(questions)} questions, answerer {args.answerer}, "
                  f"{len(os.sched_getaffinity(0))} cores")
            for n in (int(c) for c in args.clients.split(",")):
                served = rate(lambda q: client.post(f"{url}/v1/ask", json={"question": q}).raise_for_status(),
                              questions, n)
                local = rate(pipeline.ask, questions, n)
                print(f"  {n:>2} clients: qa serve {served} questions/s, qa.ask() in process {local} questions/s")
        finally:
            proc.terminate()
            proc.wait(20)


if __name__ == "__main__":
    main()
