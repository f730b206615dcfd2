"""In-process handoff queue storage and console events (tests; events: one process)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from typing import Any

from shop.handoff import (
    HandoffRequest,
    Note,
)


class InMemoryHandoffRepository:
    """The in-process twin (tests; an asyncio lock makes `take` atomic like the SQL one)."""

    def __init__(self) -> None:
        self._items: dict[str, HandoffRequest] = {}
        self._notes: list[Note] = []
        self._lock = asyncio.Lock()

    async def add(self, request: HandoffRequest) -> None:
        self._items[request.id] = request

    async def get(self, handoff_id: str) -> HandoffRequest | None:
        return self._items.get(handoff_id)

    async def open_for(self, conversation_id: str) -> HandoffRequest | None:
        return next((r for r in self._items.values() if r.open and r.conversation_id == conversation_id), None)

    async def list_open(self, agent_id: str | None = None) -> list[HandoffRequest]:
        rows = [r for r in self._items.values() if r.open and (agent_id is None or r.agent_id == agent_id)]
        return sorted(rows, key=lambda r: (r.requested_at, r.id))

    async def take(self, handoff_id: str, agent_id: str, at: datetime) -> bool:
        async with self._lock:
            r = self._items.get(handoff_id)
            if r is None or not r.waiting:
                return False
            self._items[handoff_id] = replace(r, agent_id=agent_id, assigned_at=r.assigned_at or at)
            return True

    async def transfer(self, handoff_id: str, from_agent: str | None, to_agent: str, at: datetime) -> bool:
        async with self._lock:
            r = self._items.get(handoff_id)
            if r is None or not r.open or (from_agent is not None and r.agent_id != from_agent):
                return False
            self._items[handoff_id] = replace(r, agent_id=to_agent, assigned_at=r.assigned_at or at)
            return True

    async def close(self, handoff_id: str, outcome: str, at: datetime, *, only_waiting: bool = False) -> bool:
        async with self._lock:
            r = self._items.get(handoff_id)
            if r is None or not r.open or (only_waiting and not r.waiting):
                return False
            self._items[handoff_id] = replace(r, closed_at=at, outcome=outcome)
            return True

    async def to_team(self, handoff_id: str, from_agent: str | None, team: str, at: datetime) -> bool:
        async with self._lock:
            r = self._items.get(handoff_id)
            if r is None or not r.open or (from_agent is not None and r.agent_id != from_agent):
                return False
            self._items[handoff_id] = replace(r, agent_id=None, team=team)
            return True

    async def responded(self, handoff_id: str, at: datetime) -> None:
        r = self._items.get(handoff_id)
        if r is not None and r.first_response_at is None:
            self._items[handoff_id] = replace(r, first_response_at=at)

    async def rate(self, handoff_id: str, score: int, comment: str | None) -> bool:
        r = self._items.get(handoff_id)
        if r is None:
            return False
        self._items[handoff_id] = replace(r, rating=score, rating_comment=comment or r.rating_comment)
        return True

    async def requested_since(self, since: datetime) -> list[HandoffRequest]:
        return sorted((r for r in self._items.values() if r.requested_at >= since), key=lambda r: (r.requested_at, r.id))

    async def closed_since(self, since: datetime) -> list[HandoffRequest]:
        return [r for r in self._items.values() if r.closed_at is not None and r.closed_at >= since]

    async def assigned_since(self, since: datetime) -> list[HandoffRequest]:
        return [r for r in self._items.values() if r.assigned_at is not None and r.assigned_at >= since]

    async def add_note(self, note: Note) -> None:
        self._notes.append(note)

    async def notes(self, handoff_id: str) -> list[Note]:
        return [n for n in self._notes if n.handoff_id == handoff_id]

    async def notes_for_conversation(self, conversation_id: str) -> list[Note]:
        return [n for n in self._notes if n.conversation_id == conversation_id]


class InProcessHandoffEvents:
    """The in-process twin: one asyncio queue per subscriber."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()

    async def publish(self, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._subscribers.add(queue)

        async def stream() -> AsyncIterator[dict[str, Any]]:
            while True:
                yield await queue.get()

        try:
            yield stream()
        finally:
            self._subscribers.discard(queue)
