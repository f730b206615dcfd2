"""Each merchant's record as a stored row (`merchant_stats`, migration 0020_merchant_stats),
updated in the same transaction as the event that changes it: a review saved, a complaint
ticket opened, a spot check failed, an order's first delivery shipment. Reading every
merchant's score is then one small query, not a scan of every order, shipment and ticket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Column, Integer, String, Table, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from integrations.db.base import metadata
from integrations.db.orders_tables import orders as orders_t
from integrations.db.orders_tables import shipments as shipments_t
from shop.clock import as_utc
from shop.reviews import MerchantRecord, RatingSummary

SHIP_WITHIN = timedelta(hours=48)  # shipped later than this after the order is late
COUNTS = ("ratings", "rating_stars", "complaints", "failed_checks", "shipped", "shipped_late")

merchant_stats = Table(
    "merchant_stats",
    metadata,
    Column("merchant", String(128), primary_key=True),
    *(Column(name, Integer, nullable=False, server_default="0") for name in COUNTS),
)


async def bump(conn: AsyncConnection, merchant: str, **deltas: int) -> None:
    """Add `deltas` (names of `COUNTS`) to the merchant's row, creating it when missing."""
    if not merchant or not any(deltas.values()):
        return
    values = {"merchant": merchant, **{name: deltas.get(name, 0) for name in COUNTS}}
    dialect = conn.dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(merchant_stats).values(**values)
    elif dialect == "sqlite":
        stmt = sqlite.insert(merchant_stats).values(**values)
    else:  # pragma: no cover - other dialects are not supported
        raise RuntimeError(f"unsupported dialect {dialect}")
    stmt = stmt.on_conflict_do_update(index_elements=[merchant_stats.c.merchant], set_={
        name: merchant_stats.c[name] + stmt.excluded[name] for name in deltas})
    await conn.execute(stmt)


async def count_delivery_shipment(conn: AsyncConnection, shipment_id: str, order_id: str,
                                  shipped_at: Any) -> None:
    """After inserting shipment `shipment_id`: when it is the order's first delivery shipment,
    the merchant has shipped one more order (late when more than `SHIP_WITHIN` after ordering)."""
    earlier = select(exists().where(shipments_t.c.order_id == order_id, shipments_t.c.kind == "delivery",
                                    shipments_t.c.id != shipment_id))
    if (await conn.execute(earlier)).scalar():
        return
    row = (await conn.execute(select(orders_t.c.merchant, orders_t.c.created_at)
                              .where(orders_t.c.id == order_id))).first()
    if row is None:
        return
    late = as_utc(shipped_at) - as_utc(row.created_at) > SHIP_WITHIN
    await bump(conn, row.merchant, shipped=1, shipped_late=int(late))


async def read_records(conn: AsyncConnection) -> dict[str, MerchantRecord]:
    """Every merchant's record, from the stored rows."""
    out: dict[str, MerchantRecord] = {}
    for r in (await conn.execute(select(merchant_stats))).all():
        ratings = RatingSummary(r.ratings, r.rating_stars / r.ratings) if r.ratings else RatingSummary()
        out[r.merchant] = MerchantRecord(ratings=ratings, complaints=r.complaints, failed_checks=r.failed_checks,
                                         shipped=r.shipped, shipped_late=r.shipped_late)
    return out


__all__ = ["COUNTS", "SHIP_WITHIN", "bump", "count_delivery_shipment", "merchant_stats", "read_records"]
