"""Ingest embeds the next batch while the caller writes this one (index.ingest.embed_ahead)."""
import threading
import time

import numpy as np
import pytest

import index.ingest as ingest


@pytest.fixture
def calls(monkeypatch):
    """embed_chunks replaced by one that records each batch it embeds (the chunks stand for themselves)."""
    seen: list[list[str]] = []

    def fake(embedder, chunks, late):
        seen.append(list(chunks))
        if "boom" in chunks:
            raise RuntimeError("the embedding model failed")
        return np.array([len(c) for c in chunks], dtype=float), [f"s:{c}" for c in chunks]

    monkeypatch.setattr(ingest, "embed_chunks", fake)
    return seen


def batches(*names):
    return [[("article", [name])] for name in names]


def settle(condition, seconds=2.0):
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        time.sleep(0.01)
    return condition()


def running():
    return [t for t in threading.enumerate() if t.name == "qa-embed-ahead"]


def test_batches_come_back_in_order_as_one_after_the_other_would_give_them(calls):
    got = list(ingest.embed_ahead(None, batches("a", "bb", "ccc"), late=True))
    assert [(i, v.tolist(), s) for i, v, s in got] == [(0, [1.0], ["s:a"]), (1, [2.0], ["s:bb"]),
                                                       (2, [3.0], ["s:ccc"])]
    assert calls == [["a"], ["bb"], ["ccc"]]
    assert settle(lambda: not running())


def test_the_next_batch_is_embedded_while_the_caller_holds_this_one_and_no_further(calls):
    taken = ingest.embed_ahead(None, batches("a", "b", "c", "d", "e"), late=True, ahead=1)
    assert next(taken)[0] == 0
    # the caller is writing batch 0: batch 1 is embedded meanwhile, batch 2 too (waiting for room), no more
    assert settle(lambda: len(calls) == 3)
    time.sleep(0.2)
    assert len(calls) == 3
    assert [i for i, _, _ in taken] == [1, 2, 3, 4]


def test_an_embedding_error_is_raised_in_the_caller_after_the_batches_before_it(calls):
    taken = ingest.embed_ahead(None, batches("a", "boom", "c"), late=True)
    assert next(taken)[0] == 0
    with pytest.raises(RuntimeError, match="the embedding model failed"):
        next(taken)
    assert calls == [["a"], ["boom"]]   # nothing after the failed batch
    assert settle(lambda: not running())


def test_closing_early_stops_the_thread_without_embedding_the_rest(calls):
    taken = ingest.embed_ahead(None, batches(*"abcdefghij"), late=True)
    next(taken)
    taken.close()   # what ingest_folder does when a write fails
    assert settle(lambda: not running())
    assert len(calls) <= 3
