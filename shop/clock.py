"""Clocks: every service that cares about time takes one, so tests move time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SandboxClock:
    """The wall clock moved forward on request (`POST /sandbox/clock/advance`, SANDBOX on): the
    demo's hours pass in a moment, and whatever runs on the clock (the simulated carrier's parcels)
    acts on them as it would have."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._ahead = timedelta(0)

    def now(self) -> datetime:
        return self._base.now() + self._ahead

    def advance(self, by: timedelta) -> datetime:
        """Move forward by `by` (never back); the new now."""
        if by < timedelta(0):
            raise ValueError("the clock only moves forward")
        self._ahead += by
        return self.now()



def as_utc(value: datetime) -> datetime:
    """Attach UTC to a naive datetime read back from a database (SQLite drops the zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
