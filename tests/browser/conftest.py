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
from typing import Any, Self

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
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


class ShopServer(ThreadServer):
    """A ThreadServer whose app is built once its URL is known, so links the app writes
    (pay links: `PUBLIC_URL/pay/...`) point at this very server, as in a deployment."""

    def __init__(self, make_app: Callable[[str], Any]) -> None:
        super().__init__(None)
        self._make_app = make_app

    def __enter__(self) -> Self:
        import asyncio
        import socket
        import threading
        import time

        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.app = self._make_app(self.url)
        self._server = server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="on"))
        ready = threading.Event()

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            ready.set()
            self.loop.run_until_complete(server.serve(sockets=[sock]))
            sock.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        deadline = time.monotonic() + 30
        while not server.started:  # bounded wait for a real server (the lifespan starts the app)
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("live shop server did not start")
            time.sleep(0.01)
        return self


@pytest.fixture
def live_shop(settings: Any) -> Iterator[ShopServer]:
    """The real app, `create_app(settings)` with PUBLIC_URL = its own address, on a live uvicorn
    server; `live_shop.app.state.runtime` is its container."""
    from bot.app import create_app
    from bot.settings import Settings

    def make_app(url: str) -> Any:
        return create_app(Settings(**{**settings.model_dump(), "public_url": url}))

    server = ShopServer(make_app).__enter__()
    yield server
    server.__exit__(None, None, None)


@pytest.fixture
def browser_page_en(chromium: Any) -> Iterator[Any]:
    """A fresh phone-sized page with an English browser locale."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="en-US",
                                   device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()
