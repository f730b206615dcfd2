"""Browser fixtures: Debian's Chromium driven by Playwright, and a live uvicorn server.

Reusable by any browser test:

    def test_x(live_server, browser_page):
        server = live_server(create_app(settings))       # a real server in a thread
        browser_page.goto(server.url + "/")
        server.call(outbox.put(...))                      # run a coroutine on the server loop
        save_screenshot(browser_page, "x-step1")

Chromium is `/usr/bin/chromium` (Debian package `chromium`); screenshots go to
`test-artifacts/` at the project root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.bot.channels.servers import ThreadServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def save_screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def live_server() -> Iterator[Callable[[Any], ThreadServer]]:
    """A factory: `live_server(app)` starts `app` on a real uvicorn server (stopped after the test)."""
    started: list[ThreadServer] = []

    def start(app: Any) -> ThreadServer:
        server = ThreadServer(app).__enter__()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.__exit__(None, None, None)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A fresh phone-sized page (own cookies and localStorage), Chinese locale."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                   device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
