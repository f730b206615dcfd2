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
from tracking.sealing import EventCipher, dump_event, load_event, reseal_event
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
    Column("data", Text, nullable=False),  # the event as JSON, envelope-encrypted with a cipher
    Index("ix_tracker_events_conversation", "conversation_id", "id"),
)


class SQLTrackerStore(TrackerStoreBase):
    def __init__(self, engine: AsyncEngine, cipher: EventCipher | None = None) -> None:
        self._engine = engine
        self._cipher = cipher  # events encrypted at rest (tracking/sealing.py)

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
        return Tracker(conversation_id, [load_event(r, self._cipher) for r in rows])

    async def append(self, conversation_id: str, events: list[Event]) -> None:
        if not events:
            return
        rows = [
            {"conversation_id": conversation_id, "type": e.type, "timestamp": e.timestamp,
             "data": dump_event(e, self._cipher)}
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

    async def encrypt_all(self, batch: int = 500) -> int:
        """Encrypt events stored in plain text and re-wrap the others under the current master
        key (`shopbot keys rotate`); how many events changed."""
        cipher = self._cipher
        if cipher is None:
            return 0
        t = tracker_events.c
        changed, after = 0, -1
        while True:
            async with self._engine.begin() as conn:
                rows = (await conn.execute(select(t.id, t.data).where(t.id > after).order_by(t.id).limit(batch))).all()
                for row_id, data in rows:
                    new = reseal_event(data, cipher)
                    if new != data:
                        await conn.execute(tracker_events.update().where(t.id == row_id).values(data=new))
                        changed += 1
            if len(rows) < batch:
                return changed
            after = rows[-1][0]
