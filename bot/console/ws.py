"""`/console/ws`: live console events (new waiting shoppers, their messages, takes, hand backs).

The socket needs the session cookie and a same-origin `Origin`; an agent only receives the
text of conversations that are waiting or theirs (a supervisor receives everything).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from bot.console.auth import COOKIE_NAME
from bot.console.masking import scrub_text
from shop.handoff import Role, StaffMember

PRIVATE_TYPES = {"message", "agent_message"}


def visible(member: StaffMember, event: dict[str, Any]) -> dict[str, Any] | None:
    """The event as this staff member may see it (None: not at all); phone numbers and e-mail
    addresses in a message's text are masked, as everywhere in the console."""
    if isinstance(event.get("text"), str):
        event = event | {"text": scrub_text(event["text"], {})}
    if member.role is Role.SUPERVISOR or event.get("type") not in PRIVATE_TYPES:
        return event
    holder = (event.get("handoff") or {}).get("agent_id")
    if holder in (None, member.username):
        return event
    return {k: v for k, v in event.items() if k != "text"}


def _same_origin(ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    if origin is None:  # not a browser: cookies are not sent cross-site without one
        return True
    return urlsplit(origin).netloc == ws.headers.get("host")


def add_websocket_route(router: APIRouter, parts: Any) -> None:
    @router.websocket("/console/ws")
    async def console_ws(ws: WebSocket) -> None:
        found = await parts.auth.resolve(ws.cookies.get(COOKIE_NAME))
        if found is None or not _same_origin(ws):
            await ws.close(code=4401 if found is None else 4403)
            return
        member, _session = found
        await ws.accept()
        async with parts.events.subscribe() as stream:

            async def pump() -> None:
                async for event in stream:
                    shown = visible(member, event)
                    if shown is not None:
                        await ws.send_json(shown)

            async def listen() -> None:
                with contextlib.suppress(WebSocketDisconnect):
                    while True:
                        await ws.receive_text()

            await ws.send_json({"type": "hello", "user": member.to_dict()})
            tasks = [asyncio.create_task(pump()), asyncio.create_task(listen())]
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                    await task
            for task in done:
                exc = task.exception()
                if exc is not None and not isinstance(exc, WebSocketDisconnect):
                    raise exc
