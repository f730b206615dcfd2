"""Many shoppers at once on the embedded SQLite file: every write gets in, none starves past the
busy timeout ("database is locked") — the writers of a process queue instead of polling SQLite."""

from __future__ import annotations

import asyncio

from sqlalchemy import Column, Integer, MetaData, String, Table, event, select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db import SqliteEngine, _sqlite_pragmas

meta = MetaData()
notes = Table("notes", meta, Column("id", Integer, primary_key=True), Column("who", String(20)))


async def _write_a_lot(engine, writers: int = 32, each: int = 15) -> int:
    async with engine.begin() as conn:
        await conn.run_sync(meta.create_all)

    async def shopper(n: int) -> None:
        for _ in range(each):
            async with engine.begin() as conn:  # a turn saving its transcript
                await conn.execute(notes.insert(), [{"who": f"s{n}"}])
                await asyncio.sleep(0)  # the turn does other work inside its transaction

    await asyncio.gather(*(shopper(n) for n in range(writers)))
    async with engine.connect() as conn:
        return len((await conn.execute(select(notes.c.id))).all())


async def test_concurrent_writers_all_get_in_with_a_short_busy_timeout(tmp_path):
    # a 50 ms busy timeout: a writer that polls for the lock would give up; queued writers never do
    plain = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}", connect_args={"timeout": 0.05})
    event.listen(plain.sync_engine, "connect", _sqlite_pragmas)
    engine = SqliteEngine(plain.sync_engine)
    try:
        assert await _write_a_lot(engine) == 32 * 15
    finally:
        await engine.dispose()

