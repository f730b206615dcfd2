"""Merchants' return addresses (`shop.aftersales.ReturnAddressBook`) on SQLAlchemy Core.

A merchant sets its own (`PUT /merchant/return-address`); `fallback` gives one to a merchant
that has none (the demo platforms' stores: bot/demo_merchants.py), stored on first use so the
merchant API and every later ticket show the same one.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.orders_repo import insert_ignore
from integrations.db.orders_tables import merchant_return_addresses as table
from integrations.db.uow import begin, connect
from shop.clock import Clock


class SqlReturnAddressBook:
    def __init__(self, engine: AsyncEngine, clock: Clock, fallback: Callable[[str], str | None] | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.fallback = fallback

    async def return_address(self, merchant: str) -> str | None:
        """The merchant's return address; the fallback's (stored) when it has set none."""
        async with connect(self.engine) as conn:
            found = (await conn.execute(select(table.c.address).where(table.c.merchant == merchant))).scalar()
        if found is not None:
            return str(found)
        seeded = self.fallback(merchant) if self.fallback is not None else None
        if seeded is None:
            return None
        async with begin(self.engine) as conn:
            await insert_ignore(conn, table, {"merchant": merchant, "address": seeded, "updated_at": self.clock.now()})
            stored = (await conn.execute(select(table.c.address).where(table.c.merchant == merchant))).scalar()
        return str(stored) if stored is not None else seeded

    async def set_return_address(self, merchant: str, address: str) -> None:
        """Set or replace the merchant's return address."""
        now = self.clock.now()
        async with begin(self.engine) as conn:
            if not await insert_ignore(conn, table, {"merchant": merchant, "address": address, "updated_at": now}):
                await conn.execute(update(table).where(table.c.merchant == merchant)
                                   .values(address=address, updated_at=now))
