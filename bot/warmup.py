"""Warm-up: the server answers at once while the NLU model loads (or trains) in the background.

`shopbot serve` opens its port before the model is ready. Until it is, `Warmup` tells the
routes what to do: `/healthz` says ``warming_up`` with the training progress, the web chat page
(`GET /`) is a bilingual "warming up" page that refreshes itself, and every chat endpoint (REST,
web chat, Telegram and WeChat webhooks, `/model/parse`) answers 503 with ``Retry-After`` (the
web chat socket closes with 1013, "try again later"). `run` logs the progress at least every
`heartbeat` seconds (a training epoch can be longer than that) and ends with the URL to open.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

log = logging.getLogger("shopbot.warmup")

Progress = Callable[[str, int, int], None]
RETRY_AFTER_SECONDS = 10

PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>shopbot — 正在准备 / warming up</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:36em;margin:4em auto;padding:0 1em;
color:#333}}h1{{font-size:1.4em}}.progress{{color:#666}}</style></head>
<body id="warming-up">
<h1>shopbot 正在准备中…</h1>
<p>第一次启动需要先训练语言模型,大约一两分钟。这个页面会自动刷新,准备好后就可以开始聊天。</p>
<h1 lang="en">shopbot is warming up…</h1>
<p lang="en">The first start trains the language model, which takes a minute or two. This page refreshes
by itself and becomes the chat as soon as it is ready.</p>
<p class="progress">{progress}</p>
</body></html>
"""


class Warmup:
    """The warm-up state: ``warming_up`` → ``ready`` (or ``failed``), with training progress."""

    def __init__(self, *, ready: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        self.state = "ready" if ready else "warming_up"
        self.error: str | None = None
        self._clock = clock
        self._started = clock()
        self._progress: dict[str, tuple[int, int]] = {}

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    def report(self, language: str, done: int, total: int) -> None:
        """A training progress callback (called from the training thread)."""
        self._progress[language] = (done, total)

    def describe(self) -> str:
        """One line: what is happening and for how long ("NLU training: en 5/14 epochs, ...")."""
        elapsed = self._clock() - self._started
        if self.state == "failed":
            return f"NLU model failed to load: {self.error}"
        if not self._progress:
            return f"loading the NLU model ({elapsed:.0f} s)"
        parts = ", ".join(f"{lang} {done}/{total} epochs" for lang, (done, total) in sorted(self._progress.items()))
        return f"NLU training: {parts} ({elapsed:.0f} s)"

    def health(self) -> dict[str, str]:
        if self.ready:
            return {"status": "ok"}
        return {"status": self.state, "detail": self.describe()}

    async def run(
        self,
        load: Callable[[Progress], Awaitable[Any]],
        *,
        url: str,
        then: Callable[[], Awaitable[Any]] | None = None,
        heartbeat: float = 10.0,
    ) -> None:
        """Run ``load`` (the model), logging progress every ``heartbeat`` s at most; then ``then``."""
        self._started = self._clock()
        log.info("warming up: the NLU model loads or trains in the background; %s answers meanwhile", url)
        task = asyncio.ensure_future(load(self.report))
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=heartbeat * 0.8)
                if done:
                    break
                log.info("warming up: %s", self.describe())
            task.result()
            if then is not None:
                await then()
        except asyncio.CancelledError:
            task.cancel()
            raise
        except Exception as exc:
            self.state, self.error = "failed", f"{type(exc).__name__}: {exc}"
            log.exception("warm-up failed: chat stays unavailable (503); see the error above")
            return
        self.state = "ready"
        log.info("shopbot is ready (warm-up took %.0f s): open %s", self._clock() - self._started, url)


class WarmupGate:
    """ASGI middleware: while warming up, chat endpoints answer 503 and `/` is the warming-up page."""

    def __init__(self, app: Any, warmup: Warmup, chat_paths: Iterable[str]) -> None:
        self.app = app
        self.warmup = warmup
        self.chat_paths = frozenset(chat_paths)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.warmup.ready or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if scope["type"] == "websocket":
            if path in self.chat_paths:
                await send({"type": "websocket.close", "code": 1013, "reason": "warming up"})
                return
        elif scope.get("method") == "GET" and path == "/":
            page = PAGE.format(progress=html.escape(self.warmup.describe())).encode()
            await _answer(send, 503, page, "text/html; charset=utf-8")
            return
        elif path in self.chat_paths:
            body = json.dumps({"error": "warming up", **self.warmup.health()}).encode()
            await _answer(send, 503, body, "application/json")
            return
        await self.app(scope, receive, send)


async def _answer(send: Any, status: int, body: bytes, content_type: str) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()), (b"cache-control", b"no-cache")]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
