"""`qa ui` as a user meets it: the real launcher, the real model, headless Chromium typing a question."""
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ARMS_QUESTION, CHOE_ARTICLE, free_port
from tests.servers import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def ui_url(seeded_dir, tmp_path):
    data = tmp_path / "index"
    shutil.copytree(seeded_dir, data)
    port = free_port()
    env = {**os.environ, "QA_DATA_DIR": str(data), "GRADIO_ANALYTICS_ENABLED": "False"}
    log = open(tmp_path / "ui.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "ui", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url, proc, timeout_s=120)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_chat_answers_with_sources_in_a_real_browser(ui_url, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make setup` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        page = browser.new_page()
        page.goto(ui_url)
        box = page.locator("#question textarea")
        box.fill(ARMS_QUESTION)
        box.press("Enter")
        bot = page.locator(".message.bot, [data-testid='bot']").last
        bot.wait_for(timeout=60_000)
        page.get_by_text(CHOE_ARTICLE).first.wait_for(timeout=60_000)
        content = page.content()
        assert "Security Council resolutions" in content and "Putin expresses readiness to visit North Korea" in content
        page.screenshot(path=str(tmp_path / "chat.png"))

        box.fill("How many people live in Vladivostok?")
        box.press("Enter")
        page.get_by_text("The articles don't say.").first.wait_for(timeout=60_000)
        browser.close()


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
