"""SQL repositories of payments and of the provider callback log (SQLite and PostgreSQL).

`SqlPaymentRepository` implements `shop.payments.PaymentRepository`, `SqlPaymentCallbackLog`
implements `shop.payments.PaymentCallbackLog`, each over an `AsyncEngine`: one short transaction
per call, or the ambient unit of work's (integrations/db/uow.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.orders_tables import orders, payment_callbacks, payments
from integrations.db.statements import insert_ignore, utc_or_none
from integrations.db.uow import begin, connect
from shop.orders import OrderStatus
from shop.payments import Payment, PaymentNotification


def _payment(row: Row[Any]) -> Payment:
    m = row._mapping
    return Payment(
        payment_id=m["payment_id"],
        order_id=m["order_id"],
        provider=m["provider"],
        amount=m["amount"],
        status=m["status"],
        pay_url=m["pay_url"],
        method=m["method"],
        provider_txn_id=m["provider_txn_id"],
        paid_at=utc_or_none(m["paid_at"]),
        created_at=utc_or_none(m["created_at"]),
    )


class SqlPaymentRepository:
    """`shop.payments.PaymentRepository` on SQLAlchemy Core."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add_payment(self, payment: Payment) -> None:
        async with begin(self.engine) as conn:
            await conn.execute(self._payment_insert(payment))

    @staticmethod
    def _payment_insert(payment: Payment) -> Any:
        return insert(payments).values(
            payment_id=payment.payment_id,
            order_id=payment.order_id,
            provider=payment.provider,
            amount=payment.amount,
            status=payment.status,
            pay_url=payment.pay_url,
            method=payment.method,
            created_at=payment.created_at,
        )

    async def get_payment(self, payment_id: str) -> Payment | None:
        async with connect(self.engine) as conn:
            row = (await conn.execute(select(payments).where(payments.c.payment_id == payment_id))).first()
        return _payment(row) if row else None

    async def pending_payment_for(self, order_id: str) -> Payment | None:
        async with connect(self.engine) as conn:
            row = (
                await conn.execute(
                    select(payments)
                    .where(payments.c.order_id == order_id, payments.c.status == "pending")
                    .order_by(payments.c.created_at.desc())
                )
            ).first()
        return _payment(row) if row else None

    async def mark_payment_paid(
        self, payment_id: str, provider_txn_id: str, method: str | None, paid_at: datetime
    ) -> bool:
        async with begin(self.engine) as conn:
            result = await conn.execute(
                update(payments)
                .where(payments.c.payment_id == payment_id, payments.c.status == "pending")
                .values(status="paid", provider_txn_id=provider_txn_id, method=method, paid_at=paid_at)
            )
        return result.rowcount == 1

    async def set_payment_status(self, payment_id: str, status: str) -> None:
        async with begin(self.engine) as conn:
            await conn.execute(
                update(payments).where(payments.c.payment_id == payment_id).values(status=status)
            )

    async def payments_with_status(self, status: str, created_after: datetime | None = None) -> list[Payment]:
        stmt = select(payments).where(payments.c.status == status)
        if created_after is not None:
            stmt = stmt.where(payments.c.created_at > created_after)
        async with connect(self.engine) as conn:
            rows = await conn.execute(stmt)
            return [_payment(r) for r in rows]

    async def paid_payments_of_unpaid_orders(self) -> list[Payment]:
        stmt = (
            select(payments)
            .join(orders, orders.c.id == payments.c.order_id)
            .where(payments.c.status == "paid", orders.c.status == OrderStatus.CREATED.value)
        )
        async with connect(self.engine) as conn:
            return [_payment(r) for r in await conn.execute(stmt)]

class SqlPaymentCallbackLog:
    """`shop.payments.PaymentCallbackLog` (the inbox) on SQLAlchemy Core."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record_callback(self, provider: str, note: PaymentNotification, at: datetime) -> bool:
        async with begin(self.engine) as conn:
            return await insert_ignore(
                conn,
                payment_callbacks,
                {
                    "provider": provider,
                    "payment_id": note.payment_id,
                    "provider_txn_id": note.provider_txn_id,
                    "amount": note.amount,
                    "paid": note.paid,
                    "method": note.method,
                    "paid_at": note.paid_at,
                    "status": "received",
                    "received_at": at,
                },
            )

    async def mark_callback(self, provider: str, note: PaymentNotification, status: str) -> None:
        c = payment_callbacks.c
        async with begin(self.engine) as conn:
            await conn.execute(
                update(payment_callbacks)
                .where(
                    c.provider == provider,
                    c.payment_id == note.payment_id,
                    c.provider_txn_id == note.provider_txn_id,
                )
                .values(status=status)
            )

    async def callbacks_with_status(
        self, status: str, payment_id: str | None = None
    ) -> list[tuple[str, PaymentNotification]]:
        stmt = select(payment_callbacks).where(payment_callbacks.c.status == status)
        if payment_id is not None:
            stmt = stmt.where(payment_callbacks.c.payment_id == payment_id)
        async with connect(self.engine) as conn:
            rows = await conn.execute(stmt.order_by(payment_callbacks.c.id))
            return [
                (
                    m["provider"],
                    PaymentNotification(
                        payment_id=m["payment_id"],
                        provider_txn_id=m["provider_txn_id"],
                        amount=m["amount"],
                        paid=bool(m["paid"]),
                        paid_at=utc_or_none(m["paid_at"]),
                        method=m["method"],
                    ),
                )
                for m in (r._mapping for r in rows)
            ]

