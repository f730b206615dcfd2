"""The SQL unit of work: several repository calls in one transaction.

`SqlUnitOfWork(engine)()` opens a transaction and makes it the ambient one for this task;
repositories open their connections with `begin(engine)` / `connect(engine)`, which join the
ambient transaction when there is one on the same engine (and open their own otherwise). So a
use case writes `async with uow(): ...` around the calls that must all happen or none.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

_ambient: ContextVar[tuple[AsyncEngine, AsyncConnection] | None] = ContextVar("shopbot_db_tx", default=None)


@contextlib.asynccontextmanager
async def begin(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction: the ambient unit of work's, or a new one committed at exit."""
    found = _ambient.get()
    if found is not None and found[0] is engine:
        yield found[1]
        return
    async with engine.begin() as conn:
        yield conn


@contextlib.asynccontextmanager
async def connect(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for reading: the ambient unit of work's (it sees its own writes), or a new one."""
    found = _ambient.get()
    if found is not None and found[0] is engine:
        yield found[1]
        return
    async with engine.connect() as conn:
        yield conn


class SqlUnitOfWork:
    """Implements `shop.ports.UnitOfWork` on one engine; a nested use joins the outer one."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        if _ambient.get() is not None:
            yield
            return
        async with self.engine.begin() as conn:
            token = _ambient.set((self.engine, conn))
            try:
                yield
            finally:
                _ambient.reset(token)
