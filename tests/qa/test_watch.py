"""`qa watch DIR` as a user runs it: a real process, files dropped into the folder, kill -9 mid-ingest."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from qa.pipeline import NewsQA
from qa.settings import Settings

pytestmark = pytest.mark.slow

ARTICLE = ("Zorblatt lantern festival returns\n\nThe Zorblatt lantern festival returned to Quellmoor on 14 May, "
           "organisers said. About 12,000 visitors watched a parade of paper boats.")


def start_watch(folder, data, *extra):
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "watch", str(folder), "--data-dir", str(data), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ.copy())
    for line in proc.stdout:                 # the first ingest, then "Watching ..." (a folder), "Following ..." (a URL)
        if line.startswith(("Watching", "Following")):
            return proc
    raise AssertionError(f"qa watch did not start: exit {proc.wait()}")


def stored(data) -> set[str]:
    try:
        return {a["id"] for a in NewsQA(Settings(data_dir=data)).articles()}
    except Exception:   # noqa: BLE001 - the collection may not exist yet
        return set()


def wait_for(predicate, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")


def test_a_new_file_is_in_within_two_seconds(tmp_path):
    folder, data = tmp_path / "inbox", tmp_path / "data"
    folder.mkdir()
    (folder / "first.txt").write_text(ARTICLE.replace("Zorblatt", "Quorn"))
    proc = start_watch(folder, data)
    try:
        assert stored(data) == {"first"}
        (folder / "festival.txt").write_text(ARTICLE)
        (folder / ".festival.txt.swp").write_text("editor swap file")   # hidden: never an article
        took = wait_for(lambda: "festival" in stored(data), 10)
        assert took <= 2.0, f"took {took:.2f} s"
        answer = NewsQA(Settings(data_dir=data, llm="extractive")).ask("How many visitors watched the parade?")
        assert answer.citations and {c.source for c in answer.citations} <= {"festival", "first"}
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 0 and "Stopped watching" in out


def test_killed_mid_ingest_the_next_watch_finishes_the_job(tmp_path):
    folder, data = tmp_path / "inbox", tmp_path / "data"
    folder.mkdir()
    (folder / "first.txt").write_text(ARTICLE)
    proc = start_watch(folder, data)
    rows = [{"id": f"n{i}", "title": f"Harbour report {i}",
             "text": f"Report {i}: the Quellmoor harbour handled {i * 7} boats on day {i}, officials said. " * 12}
            for i in range(400)]
    (folder / "dump.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    time.sleep(1.5)                          # the dump's ingest is under way
    proc.kill()                              # kill -9
    proc.wait()
    proc = start_watch(folder, data)         # its first ingest finishes what was cut short
    try:
        pipeline = NewsQA(Settings(data_dir=data, llm="extractive"))
        assert pipeline.check() == []
        assert len(stored(data)) == 401
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=90)


FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Quellmoor Courier</title>
<item><guid>festival</guid><title>Lantern festival returns</title><pubDate>Tue, 14 May 2024 09:00:00 GMT</pubDate>
<description>The Zorblatt lantern festival returned to Quellmoor on 14 May. About 12,000 visitors watched the parade.
</description></item>{more}</channel></rss>"""
MORE = """<item><guid>ferry</guid><title>Ferries back</title><pubDate>Wed, 15 May 2024 09:00:00 GMT</pubDate>
<description>The Quellmoor ferry runs six crossings a day again, the harbour office said.</description></item>"""


def test_a_followed_feed_brings_its_new_entries_in_on_the_next_round(tmp_path):
    from tests.servers import static_site

    site, data = tmp_path / "site", tmp_path / "data"
    site.mkdir()
    (site / "feed.rss").write_text(FEED.format(more=""))
    with static_site(site) as web:
        proc = start_watch(f"{web}/feed.rss", data, "--every", "1s")
        try:
            assert stored(data) == {"127.0.0.1-feed-festival"}
            (site / "feed.rss").write_text(FEED.format(more=MORE))
            wait_for(lambda: "127.0.0.1-feed-ferry" in stored(data), 30)
            answer = NewsQA(Settings(data_dir=data, llm="extractive")).ask("How many crossings a day does the ferry "
                                                                            "run?")
            assert "six" in answer.text and answer.citations[0].source == "127.0.0.1-feed-ferry"
        finally:
            proc.send_signal(signal.SIGINT)
            out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 0 and "Stopped watching" in out and "Traceback" not in out
