"""The web chat channel: the page at `/`, `POST /webchat/messages`, pushes over `/webchat/ws`.

`WebChatChannel(handle, outbox, store=...)` exposes `router`:

- `GET /` serves `bot/static/webchat/index.html`; `GET /webchat/static/{app.js,style.css}`.
  Plain HTML/JS/CSS, no build step.
- `POST /webchat/messages` `{"sender", "text", "language"?}` runs one turn and answers
  `{"replies": [Reply.to_dict(sender), ...]}`.
  A button press (a `/intent{...}` payload) is answered in the page's language; typed words
  decide the language by themselves.
- `WS /webchat/ws?sender=<id>` delivers what the bot says on its own (the outbox of
  conversation `webchat:<id>`): `{"type": "push", "id", "reply"}`. The client answers
  `{"type": "ack", "ids": [...]}`. Drained items are kept as *pending* in the channel store
  until acknowledged, and every (re)connection first re-sends what is still pending, so a
  dropped connection or a reload loses nothing (the client ignores ids it already shows).
  With the Redis store the pending list survives a worker change.

The web chat registers no push sender: `PushRouter` puts "webchat" pushes in the outbox.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
import weakref
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from bot.channels.render import language_of
from bot.channels.store import ChannelStore, InMemoryChannelStore
from bot.turns import TurnHandler
from dialogue.messages import IncomingMessage, conversation_id, parse_intent_payload
from tracking.outbox import Outbox

CHANNEL = "webchat"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "webchat"
STATIC_FILES = {"app.js": "text/javascript", "style.css": "text/css"}
SENDER_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PENDING_LIMIT = 500
PENDING_TTL = 7 * 24 * 3600.0



class WebChatMessage(BaseModel):
    """One message typed (or a button pressed) on the page."""

    sender: str = Field(pattern=SENDER_RE.pattern)
    text: str = Field(min_length=1, max_length=2000)
    language: str | None = Field(default=None, max_length=16)
    name: str | None = Field(default=None, max_length=64)


class PendingPushes:
    """Pushed replies sent on a socket but not yet acknowledged, per conversation."""

    def __init__(self, store: ChannelStore) -> None:
        self._store = store

    @staticmethod
    def _key(conv: str) -> str:
        return f"webchat:pending:{conv}"

    async def load(self, conv: str) -> list[dict[str, Any]]:
        """Pending items `{"id", "reply"}`, oldest first."""
        raw = await self._store.get(self._key(conv))
        return list(json.loads(raw)) if raw else []

    async def add(self, conv: str, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Give each reply an id, keep it pending, and return the new items."""
        new = [{"id": uuid.uuid4().hex, "reply": r} for r in replies]
        items = (await self.load(conv) + new)[-PENDING_LIMIT:]
        await self._store.set(self._key(conv), json.dumps(items, ensure_ascii=False), PENDING_TTL)
        return new

    async def ack(self, conv: str, ids: set[str]) -> None:
        """Forget acknowledged items."""
        items = [i for i in await self.load(conv) if i["id"] not in ids]
        if items:
            await self._store.set(self._key(conv), json.dumps(items, ensure_ascii=False), PENDING_TTL)
        else:
            await self._store.delete(self._key(conv))


class WebChatChannel:
    """Routes of the web chat page; pushes come from the outbox."""

    def __init__(
        self,
        handle: TurnHandler,
        outbox: Outbox,
        store: ChannelStore | None = None,
        keepalive: float = 20.0,
    ) -> None:
        self._handle = handle
        self._outbox = outbox
        self.pending = PendingPushes(store or InMemoryChannelStore())
        self._keepalive = keepalive
        self._active: dict[str, object] = {}  # conversation → token of its newest socket here
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.router = self._build_router()

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Nothing to close: sockets end with the server."""

    def _lock(self, conv: str) -> asyncio.Lock:
        lock = self._locks.get(conv)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conv] = lock
        return lock

    def _build_router(self) -> APIRouter:
        router = APIRouter()

        @router.get("/", include_in_schema=False)
        async def page() -> FileResponse:
            return FileResponse(STATIC_DIR / "index.html", media_type="text/html",
                                headers={"Cache-Control": "no-cache"})

        @router.get("/webchat/static/{name}", include_in_schema=False)
        async def static(name: str) -> FileResponse:
            if name not in STATIC_FILES:
                raise HTTPException(404)
            return FileResponse(STATIC_DIR / name, media_type=STATIC_FILES[name],
                                headers={"Cache-Control": "no-cache"})

        @router.post("/webchat/messages")
        async def post_message(body: WebChatMessage) -> dict[str, Any]:
            text = body.text.strip()
            message = IncomingMessage(
                CHANNEL,
                body.sender,
                text,
                # A button press says nothing about the language: the page's language (the
                # browser's, or the one the shopper picked with the toggle) decides; typed
                # words decide by themselves.
                language_of(body.language) if body.language and parse_intent_payload(text) else None,
                {"channel": CHANNEL, "sender_id": body.sender, "display_name": body.name or "",
                 "ui_language": body.language},
            )
            replies = await self._handle(message)
            return {"replies": [r.to_dict(body.sender) for r in replies]}

        @router.websocket("/webchat/ws")
        async def socket(ws: WebSocket) -> None:
            sender = ws.query_params.get("sender", "")
            if not SENDER_RE.match(sender):
                await ws.close(code=1008)
                return
            await ws.accept()
            await self._serve_socket(ws, conversation_id(CHANNEL, sender))

        return router

    async def _serve_socket(self, ws: WebSocket, conv: str) -> None:
        token = object()
        async with self._lock(conv):
            self._active[conv] = token  # a reconnect takes over from a socket not yet seen closed
            for item in await self.pending.load(conv):
                await ws.send_json({"type": "push", **item})
        pump = asyncio.create_task(self._pump(ws, conv, token))
        try:
            while True:
                try:
                    data = await ws.receive_json()
                except (json.JSONDecodeError, KeyError, RecursionError):
                    continue
                if isinstance(data, dict) and data.get("type") == "ack":
                    ids = {str(i) for i in data.get("ids") or [] if isinstance(i, str)}
                    async with self._lock(conv):
                        await self.pending.ack(conv, ids)
        except WebSocketDisconnect:
            pass
        finally:
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)
            if self._active.get(conv) is token:
                del self._active[conv]

    async def _pump(self, ws: WebSocket, conv: str, token: object) -> None:
        while True:
            if not await self._outbox.wait(conv, self._keepalive):
                await ws.send_json({"type": "ping"})
                continue
            async with self._lock(conv):
                if self._active.get(conv) is not token:
                    return  # a newer socket of this conversation delivers from now on
                items = await self._outbox.drain(conv)
                if not items:
                    continue
                new = await self.pending.add(conv, items)
            for item in new:
                await ws.send_json({"type": "push", **item})
