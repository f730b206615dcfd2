"""The terminal channel (`shopbot chat`): a REPL that shows buttons as numbered choices and
prints pushed messages (shipment updates, alerts, an agent's reply) as they arrive."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.render import guess_language, numbered_buttons, pick_numbered
from bot.turns import TurnHandler
from dialogue.messages import IncomingMessage, Reply, conversation_id
from tracking.outbox import Outbox

CHANNEL = "terminal"


def render(reply: Reply, choices: list[str]) -> list[str]:
    """Lines for one reply; its buttons are numbered after `choices` and appended to it."""
    lines: list[str] = []
    if reply.text:
        lines.append(reply.text)
    if reply.image:
        lines.append(f"[image] {reply.image}")
    custom = reply.custom or {}
    if custom.get("type") == "order" and custom.get("payment_url"):
        lines.append(f"[pay] {custom['payment_url']}")
    return lines + numbered_buttons(reply, choices, guess_language(reply.text or "中"))


class TerminalChat:
    def __init__(self, handle: TurnHandler, outbox: Outbox, sender_id: str = "local",
                 write: Callable[[str], None] = print,
                 read: Callable[[], Awaitable[str | None]] | None = None) -> None:
        self._handle, self._outbox, self._sender = handle, outbox, sender_id
        self._write = write
        self._read = read or self._read_stdin
        self._choices: list[str] = []

    @staticmethod
    async def _read_stdin() -> str | None:
        try:
            return await asyncio.to_thread(input, "> ")
        except EOFError:
            return None

    def _show(self, replies: list[Reply]) -> None:
        self._choices = []
        for reply in replies:
            for line in render(reply, self._choices):
                self._write(line)

    def resolve(self, line: str) -> str:
        """A number picks the matching button of the last answer; anything else is sent as typed."""
        return pick_numbered(line, self._choices) or line

    async def _pushes(self) -> None:
        cid = conversation_id(CHANNEL, self._sender)
        while True:
            if await self._outbox.wait(cid, 30.0):
                items: list[dict[str, Any]] = await self._outbox.drain(cid)
                self._show([Reply.from_dict(i) for i in items])

    async def run(self) -> None:
        pusher = asyncio.create_task(self._pushes())
        try:
            while (line := await self._read()) is not None:
                if line.strip() in ("/quit", "/exit"):
                    break
                if not line.strip():
                    continue
                replies = await self._handle(IncomingMessage(CHANNEL, self._sender, self.resolve(line)))
                self._show(replies)
        finally:
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pusher
