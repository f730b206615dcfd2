"""The durable outbox of pushes (shipment updates, order changes, tickets, price alerts).

A push is a row before it is sent: `add` keeps it once per (channel, recipient, event), `claim`
takes due rows for a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so workers never take the
same row; SQLite: one writer at a time), `ack` marks one sent. A row claimed by a worker that
died is due again when its lease runs out: at least once, never twice for one event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.base import metadata
from integrations.db.statements import insert_ignore
from integrations.db.uow import begin

TS = DateTime(timezone=True)

push_outbox = Table(
    "push_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(32), nullable=False),
    Column("recipient_id", String(200), nullable=False),
    Column("event_key", String(200), nullable=False),
    Column("replies", Text, nullable=False),  # JSON list of channel-neutral reply dicts
    Column("status", String(16), nullable=False),  # pending, sent
    Column("attempts", Integer, nullable=False),
    Column("claimed_until", TS, nullable=True),
    Column("created_at", TS, nullable=False),
    Column("sent_at", TS, nullable=True),
    UniqueConstraint("channel", "recipient_id", "event_key", name="uq_push_outbox_event"),
    Index("ix_push_outbox_status_id", "status", "id"),
)


@dataclass(frozen=True)
class PendingPush:
    id: int
    channel: str
    recipient_id: str
    event_key: str
    replies: list[dict[str, Any]]


class SqlPushOutbox:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(self, channel: str, recipient_id: str, event_key: str, replies: list[dict[str, Any]],
                  at: datetime) -> bool:
        """Keep a push; False when this event was already kept for this recipient."""
        async with begin(self.engine) as conn:
            return await insert_ignore(conn, push_outbox, {
                "channel": channel, "recipient_id": recipient_id, "event_key": event_key[:200],
                "replies": json.dumps(replies, ensure_ascii=False), "status": "pending", "attempts": 0,
                "claimed_until": None, "created_at": at, "sent_at": None})

    async def claim(self, now: datetime, lease: timedelta, limit: int = 50) -> list[PendingPush]:
        """Take up to `limit` due pushes (pending, not claimed or lease run out) for `lease`."""
        c = push_outbox.c
        due = (select(c.id, c.channel, c.recipient_id, c.event_key, c.replies)
               .where(c.status == "pending", or_(c.claimed_until.is_(None), c.claimed_until < now))
               .order_by(c.id).limit(limit))
        async with begin(self.engine) as conn:
            if conn.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            rows = list(await conn.execute(due))
            taken: list[PendingPush] = []
            for row in rows:
                result = await conn.execute(
                    update(push_outbox)
                    .where(c.id == row.id, c.status == "pending",
                           or_(c.claimed_until.is_(None), c.claimed_until < now))
                    .values(claimed_until=now + lease, attempts=c.attempts + 1))
                if result.rowcount == 1:
                    taken.append(PendingPush(row.id, row.channel, row.recipient_id, row.event_key,
                                             json.loads(row.replies)))
        return taken

    async def ack(self, push_id: int, at: datetime) -> None:
        async with begin(self.engine) as conn:
            await conn.execute(update(push_outbox).where(push_outbox.c.id == push_id)
                               .values(status="sent", sent_at=at, claimed_until=None))

    async def pending_count(self) -> int:
        async with begin(self.engine) as conn:
            rows = await conn.execute(select(push_outbox.c.id).where(push_outbox.c.status == "pending"))
            return len(list(rows))
