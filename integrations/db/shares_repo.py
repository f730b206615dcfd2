"""Shares and what they led to, in SQL (migration 0012_shares)."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.base import metadata
from shop.sharing import Share

shares = Table(
    "shares",
    metadata,
    Column("share_id", String(48), primary_key=True),
    Column("product_id", String(100), nullable=False),
    Column("shopper_id", String(200), nullable=False, index=True),
    Column("channel", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("opens", Integer, nullable=False, server_default="0"),
)

share_orders = Table(
    "share_orders",
    metadata,
    Column("share_id", String(48), ForeignKey("shares.share_id", ondelete="CASCADE"), primary_key=True),
    Column("order_id", String(20), primary_key=True),
)


class SqlShareRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, share: Share) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(shares.insert().values(
                share_id=share.share_id, product_id=share.product_id, shopper_id=share.shopper_id,
                channel=share.channel, created_at=share.created_at, opens=0))

    async def get(self, share_id: str) -> Share | None:
        orders = (select(func.count()).select_from(share_orders)
                  .where(share_orders.c.share_id == shares.c.share_id).scalar_subquery())
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(shares, orders.label("orders"))
                                      .where(shares.c.share_id == share_id))).first()
        if row is None:
            return None
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        return Share(row.share_id, row.product_id, row.shopper_id, row.channel, created, row.opens, row.orders)

    async def count_open(self, share_id: str) -> bool:
        async with self._engine.begin() as conn:
            result = await conn.execute(update(shares).where(shares.c.share_id == share_id)
                                        .values(opens=shares.c.opens + 1))
        return bool(result.rowcount)

    async def count_order(self, share_id: str, order_id: str) -> bool:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(share_orders.insert().values(share_id=share_id, order_id=order_id))
        except IntegrityError:
            return False
        return True
