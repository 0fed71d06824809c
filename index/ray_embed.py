"""Bulk ingest on Ray: the chunks of an ingest are embedded by a pool of Ray actors (one embedding model each, on
this machine or a cluster), while this process stays the one writer: it commits each batch to Chroma, the
manifest and the lexical index's journal as it comes back, so a killed bulk ingest is as safe as any other.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import BackendError

Batch = Sequence[tuple[Any, Sequence[Any]]]   # (article, its chunks) pairs


def _reachable(address: str) -> None:
    """A cluster address that takes no connection fails at once (Ray itself would retry for minutes)."""
    import socket
    from urllib.parse import urlparse

    if address in ("local", "auto"):
        return
    parsed = urlparse(address if "://" in address else f"ray://{address}")
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 10001), timeout=5).close()
    except OSError as err:
        raise BackendError(f"Cannot reach Ray at {address!r}: {err}") from err


class _Worker:
    """One embedding model in a Ray actor (a single ONNX session: Ray spreads the actors over the cores)."""

    def __init__(self, backend: str, model: str | None, batch_size: int, models_dir: str, late: bool) -> None:
        from index.embedder import load_embedder

        self.embedder = load_embedder(backend, model, batch_size, Path(models_dir), sessions=1)
        self.late = late

    def embed(self, index: int, chunks: Sequence[Any]) -> tuple[int, np.ndarray, list[str]]:
        from index.ingest import embed_chunks

        vectors, sentences = embed_chunks(self.embedder, list(chunks), self.late)
        return index, vectors, sentences


def ray_embedding(address: str, workers: int, backend: str, model: str | None, batch_size: int,
                  models_dir: Path) -> Callable[[Sequence[Batch], bool], Iterator[tuple[int, np.ndarray, list[str]]]]:
    """Start (or join, at address) Ray with a pool of embedding actors; returns embed(batches, late), which yields
    (batch index, chunk vectors, packed sentence vectors) as each batch is done, in any order.

    Args:
        address: "local" starts Ray on this machine; otherwise a cluster's address (ray://host:10001, auto).
        workers: actors (0: one per CPU Ray offers).

    Raises:
        BackendError: Ray is not installed or the cluster cannot be reached.
    """
    try:
        import ray
        from ray.util import ActorPool
    except ImportError as err:
        raise BackendError("--ray needs Ray: pip install 'newsqa[ray]'") from err
    if not ray.is_initialized():
        _reachable(address)
        try:
            ray.init(address=None if address == "local" else address, include_dashboard=False,
                     logging_level=logging.WARNING, log_to_driver=False, configure_logging=False)
        except Exception as err:   # ray raises ConnectionError, RuntimeError... by version
            raise BackendError(f"Cannot start or reach Ray at {address!r}: {err}") from err
    count = workers or max(int(ray.cluster_resources().get("CPU", 1)), 1)

    def embed(batches: Sequence[Batch], late: bool) -> Iterator[tuple[int, np.ndarray, list[str]]]:
        actor = ray.remote(num_cpus=1)(_Worker)
        pool = ActorPool([actor.remote(backend, model, batch_size, str(models_dir), late)
                          for _ in range(min(count, max(len(batches), 1)))])
        jobs = [(i, [c for _, chunks in batch for c in chunks]) for i, batch in enumerate(batches)]
        yield from pool.map_unordered(lambda a, job: a.embed.remote(*job), jobs)

    return embed
