"""SQL repository of refunds (SQLite and PostgreSQL).

`SqlRefundRepository` implements `shop.refunds.RefundRepository` over an `AsyncEngine`: one
short transaction per call, or the ambient unit of work's (integrations/db/uow.py).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.orders_tables import refunds
from integrations.db.statements import insert_ignore
from integrations.db.uow import begin, connect


class SqlRefundRepository:
    """`shop.refunds.RefundRepository` on SQLAlchemy Core."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add_refund(
        self, refund_id: str, payment_id: str, amount: Decimal, reason: str, at: datetime,
        order_id: str | None = None,
    ) -> bool:
        async with begin(self.engine) as conn:
            return await insert_ignore(
                conn,
                refunds,
                {
                    "refund_id": refund_id,
                    "payment_id": payment_id,
                    "amount": amount,
                    "status": "requested",
                    "reason": reason,
                    "created_at": at,
                    "order_id": order_id,
                },
            )

    async def refund_status(self, refund_id: str) -> str | None:
        async with connect(self.engine) as conn:
            row = (await conn.execute(select(refunds.c.status).where(refunds.c.refund_id == refund_id))).first()
        return None if row is None else str(row[0])

    async def refunds_with_status(self, status: str) -> list[tuple[str, str, Decimal, str]]:
        async with connect(self.engine) as conn:
            rows = await conn.execute(
                select(refunds.c.refund_id, refunds.c.payment_id, refunds.c.amount, refunds.c.reason)
                .where(refunds.c.status == status).order_by(refunds.c.created_at).limit(500)
            )
            return [(str(r[0]), str(r[1]), r[2], str(r[3] or "")) for r in rows]

    async def set_refund_status(self, refund_id: str, status: str) -> None:
        async with begin(self.engine) as conn:
            await conn.execute(update(refunds).where(refunds.c.refund_id == refund_id).values(status=status))

    async def refunded_total(self, payment_id: str, order_id: str | None = None) -> Decimal:
        stmt = select(refunds.c.amount).where(refunds.c.payment_id == payment_id, refunds.c.status != "failed")
        if order_id is not None:
            stmt = stmt.where(refunds.c.order_id == order_id)
        async with connect(self.engine) as conn:
            rows = await conn.execute(stmt)
            return sum((r[0] for r in rows), Decimal("0.00"))

    async def refund_order(self, refund_id: str) -> str | None:
        async with connect(self.engine) as conn:
            row = (await conn.execute(select(refunds.c.order_id).where(refunds.c.refund_id == refund_id))).first()
        return None if row is None or row[0] is None else str(row[0])
