"""SQL tracker store (SQLite or PostgreSQL through SQLAlchemy 2 async): one row per event."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from tracking.errors import StoreUnavailable
from tracking.events import Event
from tracking.store import TrackerStoreBase
from tracking.tracker import Tracker

metadata = MetaData()

tracker_events = Table(
    "tracker_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("conversation_id", String(200), nullable=False),
    Column("type", String(40), nullable=False),
    Column("timestamp", Float, nullable=False),
    Column("data", Text, nullable=False),  # the event as JSON
    Index("ix_tracker_events_conversation", "conversation_id", "id"),
)


class SQLTrackerStore(TrackerStoreBase):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(self, conversation_id: str) -> Tracker:
        stmt = (
            select(tracker_events.c.data)
            .where(tracker_events.c.conversation_id == conversation_id)
            .order_by(tracker_events.c.id)
        )
        try:
            async with self._engine.connect() as conn:
                rows = (await conn.execute(stmt)).scalars().all()
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"database: {exc}") from exc
        return Tracker(conversation_id, [Event.from_json(r) for r in rows])

    async def append(self, conversation_id: str, events: list[Event]) -> None:
        if not events:
            return
        rows = [
            {"conversation_id": conversation_id, "type": e.type, "timestamp": e.timestamp,
             "data": e.to_json()}
            for e in events
        ]
        try:
            async with self._engine.begin() as conn:
                await conn.execute(tracker_events.insert(), rows)
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"database: {exc}") from exc

    async def conversation_ids(self) -> list[str]:
        stmt = select(tracker_events.c.conversation_id).distinct()
        async with self._engine.connect() as conn:
            return sorted((await conn.execute(stmt)).scalars().all())

    async def expire_idle(self, before: float) -> int:
        """Forget every conversation whose last event is older than `before` (epoch seconds):
        its events are deleted (TRACKER_RETENTION_DAYS, the `expire_transcripts` job); how many
        conversations went."""
        t = tracker_events.c
        idle = select(t.conversation_id).group_by(t.conversation_id).having(func.max(t.timestamp) < before)
        try:
            async with self._engine.begin() as conn:
                gone = (await conn.execute(idle)).scalars().all()
                for start in range(0, len(gone), 500):
                    await conn.execute(delete(tracker_events).where(t.conversation_id.in_(gone[start:start + 500])))
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"database: {exc}") from exc
        return len(gone)
