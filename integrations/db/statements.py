"""Statements the SQL repositories share: compare-and-set status moves, insert-or-ignore, UTC times.

Each opens its connection with `integrations.db.uow.begin`, so it joins the ambient unit of work
when there is one. None of them raises a database error for a lost race (no IntegrityError,
which would abort a PostgreSQL transaction the unit of work still needs).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from integrations.db.uow import begin
from shop.clock import as_utc


def utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


async def guarded_transition(
    engine: AsyncEngine, table: Table, events: Table, row_id: str, expected: str, to_status: str,
    at: datetime, fields: Mapping[str, Any], event_row: Mapping[str, Any],
) -> bool:
    """Move a row from `expected` to `to_status` and record the event, in one transaction.

    False when the row was no longer in `expected` (another worker moved it first): the
    conditional UPDATE is what makes a state machine safe across workers.
    """
    async with begin(engine) as conn:
        result = await conn.execute(
            update(table)
            .where(table.c.id == row_id, table.c.status == expected)
            .values(status=to_status, updated_at=at, **fields)
        )
        if result.rowcount != 1:
            return False
        await conn.execute(insert(events).values(**event_row))
    return True


async def insert_ignore(conn: AsyncConnection, table: Table, values: Mapping[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either dialect; True when a row was inserted."""
    dialect = conn.dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(table).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - other dialects are not supported
        raise RuntimeError(f"unsupported dialect {dialect}")
    result = await conn.execute(stmt)
    return bool(result.rowcount)


