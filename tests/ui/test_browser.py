"""`qa ui` as a user meets it: the real launcher, the real model, headless Chromium (Debian's, driven by
Playwright). One sitting: ask, open a source, follow up, see a refusal and why, add an article and ask
about it, remove it, two pages at once; basic auth beyond loopback. Screenshots land in tmp_path and the
README's picture in docs/ui.png."""
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ARMS_QUESTION, CHOE_ARTICLE, REPO, free_port
from tests.servers import qa_running, start_qa, static_site, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
FESTIVAL = ("Zorblatt lantern festival returns to Quellmoor\n\nThe Zorblatt lantern festival will return to "
            "Quellmoor on 14 May, organisers said. About 12,000 visitors attended the last edition.\n"
            "<script>alert('x')</script> [a link](http://example.invalid)\n")


def serve(data: Path, tmp_path: Path, *extra: str, env_extra: dict | None = None):
    return start_qa("ui", data, tmp_path, *extra, env_extra=env_extra)


@pytest.fixture
def ui_url(seeded_dir, tmp_path):
    data = tmp_path / "index"
    shutil.copytree(seeded_dir, data)
    proc, log, url = serve(data, tmp_path)
    try:
        wait_for(url, proc, timeout_s=120)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make setup` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def ask(page, question: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")


def test_one_sitting_in_a_real_browser(ui_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(ui_url)
    # examples come from the ingested articles' titles
    page.locator("#examples").get_by_text("Putin expresses readiness").first.wait_for(timeout=60_000)

    ask(page, ARMS_QUESTION)
    bot = page.locator("#chat .qa-sources").last
    bot.wait_for(timeout=90_000)
    assert "Security Council resolutions" in page.locator("#chat .qa-answer").last.inner_text()
    assert CHOE_ARTICLE in bot.inner_text()
    assert "Security Council" in page.locator("#chat .qa-sources mark").first.inner_text()

    # open the source: the whole article, the cited sentence highlighted
    page.locator("#source-pick label").first.click()
    mark = page.locator("#article mark").first
    mark.wait_for(timeout=30_000)
    assert "Security Council resolutions" in mark.inner_text()
    assert "Putin expresses readiness to visit North Korea" in page.locator("#article").inner_text()
    page.screenshot(path=str(tmp_path / "source.png"))
    (REPO / "docs").mkdir(exist_ok=True)
    page.screenshot(path=str(REPO / "docs" / "ui.png"))

    # a follow-up is searched as a standalone question, shown under the answer
    ask(page, "When did Putin last visit Pyongyang?")
    page.locator("#chat .qa-answer").nth(1).wait_for(timeout=90_000)
    ask(page, "Whom did he meet there?")
    searched = page.locator("#chat .qa-searched").last
    searched.wait_for(timeout=90_000)
    assert "Putin" in searched.inner_text() and "Pyongyang" in searched.inner_text()
    assert "Kim Jong Il" in page.locator("#chat .qa-answer").last.inner_text()

    # a refusal is an answer, with its "why"
    ask(page, "How many people live in Vladivostok?")
    page.locator("#chat .qa-refusal").last.wait_for(timeout=90_000)
    page.locator("#chat .qa-why summary").last.click()
    why = page.locator("#chat .qa-why").last.inner_text()
    assert "refusal threshold" in why and "below" in why and "Retrieved passages" in why
    page.screenshot(path=str(tmp_path / "refusal.png"))

    # a multi-part question: answered part by part, the part the articles don't hold named
    ask(page, "When was Putin's inauguration, and how many people live in Vladivostok?")
    answer = page.locator("#chat .qa-answer").last
    answer.filter(has_text="people live in Vladivostok").wait_for(timeout=120_000)
    assert answer.locator(".qa-part").count() == 2 and "May 7" in answer.inner_text()
    assert "The articles don't say how many people live in Vladivostok" in answer.inner_text()
    page.screenshot(path=str(tmp_path / "multipart.png"))

    # add an article, ask about it; its markup shows as text
    page.get_by_role("tab", name="Library").click()
    upload = tmp_path / "upload"
    upload.mkdir()
    article = upload / "festival notes.txt"
    article.write_text(FESTIVAL)
    page.locator("#upload input[type=file]").set_input_files(str(article))
    page.locator("#add").click()
    page.get_by_text("Added 1 article").wait_for(timeout=120_000)
    page.locator("#library").get_by_text("festival_notes").first.wait_for(timeout=30_000)
    page.get_by_role("tab", name="Chat").click()
    ask(page, "How many visitors attended the Zorblatt lantern festival?")
    page.locator("#chat .qa-answer").last.filter(has_text="12,000").wait_for(timeout=90_000)
    assert "festival_notes" in page.locator("#chat .qa-sources").last.inner_text()
    assert page.locator("#chat script").count() == 0

    # remove it: no longer cited
    page.get_by_role("tab", name="Library").click()
    choose = page.locator("#remove-id input")
    choose.click()
    choose.fill("festival_notes")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator("#remove").click()
    page.get_by_text("Removed festival_notes").wait_for(timeout=60_000)
    page.get_by_role("tab", name="Chat").click()
    refusals = page.locator("#chat .qa-refusal").count()  # the earlier refusal must not stand in for this one
    ask(page, "How many visitors attended the Zorblatt lantern festival?")
    page.locator("#chat .qa-refusal").nth(refusals).wait_for(timeout=90_000)
    assert "festival_notes" not in page.locator("#chat .message").last.inner_text()

    # add a news page from a web address (a local web server), ask about it
    site = tmp_path / "site"
    site.mkdir()
    (site / "dam.html").write_text(
        "<html><head><title>Quellmoor dam opens</title></head><body><article><h1>Quellmoor dam opens</h1><p>The "
        "Quellmoor dam opened on Monday after four years of work, engineers said. It holds 40 million cubic metres "
        "of water.</p></article></body></html>")
    with static_site(site) as web:
        page.get_by_role("tab", name="Library").click()
        page.locator("#add-url textarea, #add-url input").first.fill(f"{web}/dam.html")
        page.locator("#fetch").click()
        page.get_by_text(f"Added 1 article(s) from {web}/dam.html").wait_for(timeout=120_000)
    page.locator("#library").get_by_text("127.0.0.1-dam").first.wait_for(timeout=30_000)
    page.screenshot(path=str(tmp_path / "library-fetched.png"))
    page.get_by_role("tab", name="Chat").click()
    ask(page, "How much water does the Quellmoor dam hold?")
    page.locator("#chat .qa-answer").last.filter(has_text="40 million").wait_for(timeout=90_000)
    assert "Quellmoor dam opens" in page.locator("#chat .qa-sources").last.inner_text()


def _words(text: str) -> str:
    return " ".join(re.sub(r"\[\d+\]", " ", text).split())


def test_sixteen_pages_asking_at_once_get_the_answers_asked_one_at_a_time(ui_url, browser, seeded_dir, tmp_path):
    from qa.pipeline import NewsQA
    from qa.settings import Settings

    rows = [json.loads(line) for line in (REPO / "evals" / "datasets" / "seeds.jsonl").read_text().splitlines()]
    questions = [r["question"] for r in rows if r["answerable"]][:8] * 2
    one_at_a_time = NewsQA(Settings(data_dir=seeded_dir))
    expected = [_words(one_at_a_time.ask(q).text) for q in questions]
    contexts = [browser.new_context() for _ in questions]  # sixteen sessions, as sixteen people
    pages = [c.new_page() for c in contexts]
    for page in pages:
        page.goto(ui_url)
        page.locator("#question textarea").wait_for(timeout=60_000)
    for page, question in zip(pages, questions):  # all sixteen asked before any answer is read
        ask(page, question)
    for page, question, want in zip(pages, questions, expected):
        answer = page.locator("#chat .qa-answer, #chat .qa-refusal").last  # the final answer's markup
        answer.wait_for(timeout=120_000)
        assert _words(answer.inner_text()) == want, question
        chat = page.locator("#chat").inner_text()
        assert all(other not in chat for other in set(questions) - {question})  # each session its own chat
    pages[1].screenshot(path=str(tmp_path / "second-page.png"))
    for c in contexts:
        c.close()


def _outside_address() -> str | None:
    """This machine's non-loopback IPv4 address, if it has one (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_ui_binds_to_loopback_only(ui_url):
    port = int(ui_url.rsplit(":", 1)[1])
    with urllib.request.urlopen(f"http://127.0.0.1:{port}", timeout=5) as response:
        assert response.status == 200
    outside = _outside_address()
    if outside is None:
        pytest.skip("this machine has no non-loopback address to probe")
    with pytest.raises(OSError):
        socket.create_connection((outside, port), timeout=3).close()


def test_beyond_loopback_needs_credentials(seeded_dir, tmp_path):
    refused = subprocess.run([sys.executable, "-m", "qa.cli", "ui", "--host", "0.0.0.0", "--port", str(free_port())],
                             env={**os.environ, "QA_DATA_DIR": str(seeded_dir)}, capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode == 2 and "QA_UI_USER" in refused.stderr and "Traceback" not in refused.stderr
    proc, log, url = serve(seeded_dir, tmp_path, "--host", "0.0.0.0",
                           env_extra={"QA_UI_USER": "reader", "QA_UI_PASSWORD": "s3cret"})
    try:
        port = url.rsplit(":", 1)[1]
        deadline_url = f"http://127.0.0.1:{port}/config"
        for _ in range(240):
            try:
                urllib.request.urlopen(deadline_url, timeout=2)
            except urllib.error.HTTPError:
                break  # up, and refusing us
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("the UI exited") from None
                import time

                time.sleep(0.5)
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=5)
        assert err.value.code in (401, 403)
        token = base64.b64encode(b"reader:s3cret").decode()
        login = urllib.request.Request(f"http://127.0.0.1:{port}/login", data=b"username=reader&password=s3cret",
                                       headers={"Authorization": f"Basic {token}"}, method="POST")
        with urllib.request.urlopen(login, timeout=10) as response:
            assert response.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_sources_article_and_library_show_outlet_and_date_and_the_filter_applies(browser, tmp_path):
    folder = tmp_path / "dump"
    folder.mkdir()
    records = [
        {"id": "a1", "title": "Harbour reopens in Quellmoor", "text": "Ada Brink cut the ribbon at the reopened "
         "Quellmoor harbour on Monday. About 300 people watched.", "published_at": "2024-06-13T09:00:00+09:00",
         "source": "Asia Brief"},
        {"id": "a2", "title": "Lantern festival returns", "text": "The Zorblatt lantern festival drew 12,000 "
         "visitors to Quellmoor.", "published_at": "2024-09-01", "source": "Daily Lantern"}]
    (folder / "wire.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    data = tmp_path / "index"
    subprocess.run([sys.executable, "-m", "qa.cli", "ingest", str(folder), "--data-dir", str(data), "--quiet"],
                   check=True, capture_output=True, env={**os.environ, "QA_LLM": "extractive"})
    with qa_running("ui", data, tmp_path) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.locator("#question textarea").wait_for(timeout=60_000)
        ask(page, "Who cut the ribbon at the Quellmoor harbour?")
        sources = page.locator("#chat .qa-sources").last
        sources.wait_for(timeout=90_000)
        assert "Asia Brief, 2024-06-13" in sources.locator(".qa-provenance").first.inner_text()
        page.locator("#source-pick label").first.click()
        page.locator("#article mark").first.wait_for(timeout=30_000)
        assert "Asia Brief, 2024-06-13" in page.locator("#article .qa-provenance").inner_text()
        page.screenshot(path=str(tmp_path / "provenance.png"))

        page.get_by_role("tab", name="Library").click()
        library = page.locator("#library")
        library.get_by_text("wire-a2").first.wait_for(state="attached", timeout=30_000)
        table = library.text_content()
        assert all(cell in table for cell in ("Daily Lantern", "2024-09-01", "Asia Brief", "2024-06-13"))

        # an article ingested by another process shows up without a restart
        late = tmp_path / "late"
        late.mkdir()
        (late / "ferry.md").write_text("---\ndate: 2024-10-02\noutlet: Coast Gazette\n---\nFerries back\n\n"
                                       "The Quellmoor ferry runs six crossings a day again, the operator said.")
        added = subprocess.run([sys.executable, "-m", "qa.cli", "ingest", str(late), "--data-dir", str(data),
                                "--quiet"], capture_output=True, text=True, env={**os.environ, "QA_LLM": "extractive"})
        assert added.returncode == 0, added.stdout + added.stderr
        library.get_by_text("Coast Gazette").first.wait_for(state="attached", timeout=30_000)

        # at 1280 px the short columns stay readable: one line each, not a letter per line
        narrow = browser.new_page(viewport={"width": 1280, "height": 900})
        narrow.goto(url)
        narrow.get_by_role("tab", name="Library").click()
        cell = narrow.locator("#library").get_by_text("Daily Lantern").first
        cell.wait_for(timeout=30_000)
        day = narrow.locator("#library").get_by_text("2024-09-01").first
        for shown in (cell, day):
            box = shown.bounding_box()
            assert box is not None and box["height"] < 30 and box["width"] > 60, box
        narrow.screenshot(path=str(tmp_path / "library-1280.png"))

        page.get_by_role("tab", name="Settings").click()
        page.locator("#outlets input, #outlets textarea").first.fill("Daily Lantern")
        page.get_by_role("tab", name="Chat").click()
        refusals = page.locator("#chat .qa-refusal").count()
        ask(page, "Who cut the ribbon at the Quellmoor harbour?")
        page.locator("#chat .qa-refusal, #chat .qa-answer").nth(1 + refusals).wait_for(timeout=90_000)
        last = page.locator("#chat .message").last.inner_text()
        assert "Asia Brief" not in last and "wire-a1" not in last   # outside the filter: never cited
