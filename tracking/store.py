"""TrackerStore port and its in-process twin."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

from tracking.events import Event
from tracking.tracker import Tracker


class TrackerStore(Protocol):
    async def load(self, conversation_id: str) -> Tracker:
        """The conversation's tracker; an empty one for an unknown conversation."""
        ...

    async def append(self, conversation_id: str, events: list[Event]) -> None:
        """Append events to the log, in order (the log is never rewritten)."""
        ...

    async def conversation_ids(self) -> list[str]: ...

    async def save(self, tracker: Tracker) -> None:
        """Append the tracker's events added since it was loaded."""
        ...


class TrackerStoreBase(ABC):
    """Shared `save()`: every adapter appends only the events added since loading."""

    @abstractmethod
    async def append(self, conversation_id: str, events: list[Event]) -> None: ...

    async def save(self, tracker: Tracker) -> None:
        new = tracker.take_new_events()
        if new:
            await self.append(tracker.conversation_id, new)


class InMemoryTrackerStore(TrackerStoreBase):
    def __init__(self) -> None:
        self._logs: dict[str, list[str]] = {}

    async def load(self, conversation_id: str) -> Tracker:
        raw = self._logs.get(conversation_id, [])
        return Tracker(conversation_id, [Event.from_json(r) for r in raw])

    async def append(self, conversation_id: str, events: list[Event]) -> None:
        # Stored as JSON, like the other stores, so a value that cannot round-trip fails here too.
        self._logs.setdefault(conversation_id, []).extend(e.to_json() for e in events)

    async def conversation_ids(self) -> list[str]:
        return list(self._logs)
