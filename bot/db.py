"""Database engine and Alembic migrations (applied at start and by `shopbot db upgrade`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def create_engine(database_url: str) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(database_url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return SqliteEngine(engine.sync_engine)
    # hide_parameters: a failed statement's error (and so the log) never carries the row's values
    # (a shopper's name, phone and address)
    return create_async_engine(database_url, pool_size=10, max_overflow=20, pool_pre_ping=True,
                               hide_parameters=True)


_writing: ContextVar[bool] = ContextVar("shopbot_sqlite_writing", default=False)


class SqliteEngine(AsyncEngine):
    """SQLite lets one writer in at a time and its busy handler polls: with many concurrent writers
    (16 shoppers, each turn saving its transcript) one of them can starve past the 30 s busy timeout
    ("database is locked"). The writers of this process queue here instead, first come first served
    (an asyncio lock); readers are untouched (WAL). A transaction opened while this task already
    writes does not queue again."""

    def __init__(self, sync_engine: Any) -> None:
        super().__init__(sync_engine)
        self._writers = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        if _writing.get():
            async with super().begin() as conn:
                yield conn
            return
        async with self._writers:
            token = _writing.set(True)
            try:
                async with super().begin() as conn:
                    yield conn
            finally:
                _writing.reset(token)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL: readers never wait for the writer; synchronous=NORMAL: a commit survives a crash of
    the process (the WAL is on disk), only a power cut may lose the last transactions."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


async def upgrade(engine: AsyncEngine, cipher: Any = None) -> None:
    """Apply every migration not yet applied (all heads: each area adds its own branch).
    `cipher` (the accounts' EnvelopeCipher): data migrations that encrypt personal data written
    before use it; without one they leave it to `shopbot keys rotate`."""

    def _upgrade(connection: Connection) -> None:
        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = connection
        cfg.attributes["cipher"] = cipher
        command.upgrade(cfg, "heads")

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
