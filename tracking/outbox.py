"""Outbox: replies the bot sends on its own, kept per conversation until a channel takes them.

The REST channel drains it through `GET /webhooks/rest/outbox`; the web chat drains it over
its socket. Items are JSON-able dicts (a `Reply.to_dict(...)` each), kept in order. `wait()`
lets a long-lived connection sleep until something arrives (in-process: asyncio conditions;
Redis: pub/sub), so an agent's reply reaches a shopper whichever worker holds the socket.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any, Protocol


class Outbox(Protocol):
    async def put(self, conversation_id: str, items: list[dict[str, Any]]) -> None: ...

    async def drain(self, conversation_id: str) -> list[dict[str, Any]]:
        """Return and remove every pending item, oldest first."""
        ...

    async def peek(self, conversation_id: str) -> list[dict[str, Any]]: ...

    async def wait(self, conversation_id: str, timeout: float) -> bool:
        """Wait until the conversation has pending items (True) or the timeout passes (False)."""
        ...


class InMemoryOutbox:
    """The in-process twin: one list per conversation and a condition to wake waiters."""

    def __init__(self) -> None:
        self._items: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._cond: asyncio.Condition | None = None

    def _condition(self) -> asyncio.Condition:
        if self._cond is None:
            self._cond = asyncio.Condition()
        return self._cond

    async def put(self, conversation_id: str, items: list[dict[str, Any]]) -> None:
        if not items:
            return
        cond = self._condition()
        async with cond:
            self._items[conversation_id].extend(items)
            cond.notify_all()

    async def drain(self, conversation_id: str) -> list[dict[str, Any]]:
        return self._items.pop(conversation_id, [])

    async def peek(self, conversation_id: str) -> list[dict[str, Any]]:
        return list(self._items.get(conversation_id, []))

    async def wait(self, conversation_id: str, timeout: float) -> bool:
        cond = self._condition()
        async with cond:
            try:
                await asyncio.wait_for(
                    cond.wait_for(lambda: bool(self._items.get(conversation_id))), timeout
                )
            except TimeoutError:
                return False
            return True
