"""SQL repository of orders, payments, payment callbacks and refunds (SQLite and PostgreSQL).

Implements `shop.orders.OrderRepository` over an `AsyncEngine`; one short transaction per
call. Status changes are compare-and-set (`UPDATE … WHERE status = :expected`) and insert the
event in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from integrations.accounts.crypto import EnvelopeCipher, reseal, seal, unseal
from integrations.db.orders_tables import (
    order_events,
    order_lines,
    orders,
    payment_callbacks,
    payments,
    refunds,
)
from integrations.db.uow import begin, connect
from shop.clock import as_utc
from shop.orders import DuplicateOrder, Order, OrderEvent, OrderLine, OrderStatus
from shop.payments import Payment, PaymentNotification


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


def _line_row(order_id: str, no: int, line: OrderLine) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "line_no": no,
        "product_id": line.product_id,
        "platform_product_id": line.platform_product_id,
        "title": line.title,
        "variant": json.dumps(dict(line.variant), ensure_ascii=False, sort_keys=True),
        "quantity": line.quantity,
        "unit_price": line.unit_price,
    }


def _order(row: Row[Any], lines: list[OrderLine]) -> Order:
    m = row._mapping
    return Order(
        id=m["id"],
        idempotency_key=m["idempotency_key"],
        shopper_id=m["shopper_id"],
        channel=m["channel"],
        recipient_id=m["recipient_id"],
        language=m["language"],
        platform=m["platform"],
        merchant=m["merchant"],
        lines=tuple(lines),
        total=m["total"],
        currency=m["currency"],
        savings=m["savings"],
        receiver_name=m["receiver_name"],
        phone=m["phone"],
        address=m["address"],
        status=OrderStatus(m["status"]),
        created_at=as_utc(m["created_at"]),
        updated_at=as_utc(m["updated_at"]),
        payment_id=m["payment_id"],
        platform_order_id=m["platform_order_id"],
        accepted_at=utc_or_none(m["accepted_at"]),
        checkout_id=m["checkout_id"],
    )


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


PERSONAL = ("receiver_name", "phone", "address")  # encrypted at rest (migration 0018_pii_lookup)


class SqlOrderRepository:
    """`OrderRepository` on SQLAlchemy Core. With a cipher (the bootstrap always gives one) the
    receiver's name, phone and address are stored envelope-encrypted; rows written before read as
    they are (migration 0018 and `shopbot keys rotate` encrypt them)."""

    def __init__(self, engine: AsyncEngine, cipher: EnvelopeCipher | None = None) -> None:
        self.engine = engine
        self._cipher = cipher

    async def encrypt_all(self, batch: int = 500) -> int:
        """Encrypt the personal fields still in plain text and re-wrap the others under the
        current master key (`shopbot keys rotate`); the rows changed."""
        cipher = self._cipher
        if cipher is None:
            return 0
        changed, after = 0, ""
        cols = [orders.c[f] for f in PERSONAL]
        while True:
            async with begin(self.engine) as conn:
                rows = (await conn.execute(select(orders.c.id, *cols).where(orders.c.id > after)
                                           .order_by(orders.c.id).limit(batch))).mappings().all()
                for row in rows:
                    values = {f: reseal(cipher, row[f]) for f in PERSONAL}
                    if any(values[f] != row[f] for f in PERSONAL):
                        await conn.execute(update(orders).where(orders.c.id == row["id"]).values(**values))
                        changed += 1
            if len(rows) < batch:
                return changed
            after = rows[-1]["id"]

    async def add_order(self, order: Order, event: OrderEvent) -> None:
        values = {
            "id": order.id,
            "idempotency_key": order.idempotency_key,
            "shopper_id": order.shopper_id,
            "channel": order.channel,
            "recipient_id": order.recipient_id,
            "language": order.language,
            "platform": order.platform,
            "merchant": order.merchant,
            "total": order.total,
            "currency": order.currency,
            "savings": order.savings,
            "receiver_name": seal(self._cipher, order.receiver_name),
            "phone": seal(self._cipher, order.phone),
            "address": seal(self._cipher, order.address),
            "status": order.status.value,
            "payment_id": order.payment_id,
            "platform_order_id": order.platform_order_id,
            "checkout_id": order.checkout_id,
            "created_at": order.created_at,
            "updated_at": order.updated_at,
        }
        try:
            async with begin(self.engine) as conn:
                await conn.execute(insert(orders).values(**values))
                await conn.execute(
                    insert(order_lines), [_line_row(order.id, i, ln) for i, ln in enumerate(order.lines)]
                )
                await conn.execute(insert(order_events).values(**self._event_row(event)))
        except IntegrityError as exc:
            taken = await self.get_order_by_key(order.idempotency_key)
            raise DuplicateOrder("idempotency_key" if taken else "id") from exc

    @staticmethod
    def _event_row(event: OrderEvent) -> dict[str, Any]:
        return {
            "order_id": event.order_id,
            "at": event.at,
            "from_status": event.from_status.value if event.from_status else None,
            "to_status": event.to_status.value,
            "actor": event.actor,
            "note": event.note,
        }

    async def _load(self, conn: AsyncConnection, rows: Sequence[Row[Any]]) -> list[Order]:
        if not rows:
            return []
        ids = [r._mapping["id"] for r in rows]
        line_rows = await conn.execute(
            select(order_lines).where(order_lines.c.order_id.in_(ids)).order_by(order_lines.c.line_no)
        )
        by_order: dict[str, list[OrderLine]] = {i: [] for i in ids}
        for lr in line_rows:
            m = lr._mapping
            by_order[m["order_id"]].append(
                OrderLine(
                    m["product_id"],
                    m["platform_product_id"],
                    m["title"],
                    m["quantity"],
                    m["unit_price"],
                    json.loads(m["variant"]),
                )
            )
        loaded = [_order(r, by_order[r._mapping["id"]]) for r in rows]
        if self._cipher is None:
            return loaded
        return [replace(o, **{f: unseal(self._cipher, getattr(o, f)) for f in PERSONAL}) for o in loaded]

    async def _one(self, where: Any) -> Order | None:
        async with connect(self.engine) as conn:
            rows = (await conn.execute(select(orders).where(where))).all()
            loaded = await self._load(conn, rows)
        return loaded[0] if loaded else None

    async def get_order(self, order_id: str) -> Order | None:
        return await self._one(orders.c.id == order_id)

    async def get_order_by_key(self, idempotency_key: str) -> Order | None:
        return await self._one(orders.c.idempotency_key == idempotency_key)

    async def orders_of_checkout(self, checkout_id: str) -> list[Order]:
        async with connect(self.engine) as conn:
            rows = (await conn.execute(select(orders).where(orders.c.checkout_id == checkout_id)
                                       .order_by(orders.c.created_at, orders.c.id))).all()
            return await self._load(conn, rows)

    async def update_status(
        self, order_id: str, expected: OrderStatus, event: OrderEvent, fields: Mapping[str, Any]
    ) -> bool:
        return await guarded_transition(self.engine, orders, order_events, order_id, expected.value,
                                        event.to_status.value, event.at, self._sealed(fields),
                                        self._event_row(event))

    def _sealed(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        return {k: seal(self._cipher, v) if k in PERSONAL else v for k, v in fields.items()}

    async def set_fields(self, order_id: str, fields: Mapping[str, Any]) -> None:
        async with begin(self.engine) as conn:
            await conn.execute(update(orders).where(orders.c.id == order_id).values(**self._sealed(fields)))

    async def list_orders(
        self,
        *,
        shopper_id: str | None = None,
        merchant: str | None = None,
        statuses: Sequence[OrderStatus] | None = None,
        limit: int = 20,
    ) -> list[Order]:
        stmt = select(orders)
        if shopper_id is not None:
            stmt = stmt.where(orders.c.shopper_id == shopper_id)
        if merchant is not None:
            stmt = stmt.where(orders.c.merchant == merchant)
        if statuses:
            stmt = stmt.where(orders.c.status.in_([s.value for s in statuses]))
        stmt = stmt.order_by(orders.c.created_at.desc(), orders.c.id.desc()).limit(limit)
        async with connect(self.engine) as conn:
            return await self._load(conn, (await conn.execute(stmt)).all())

    async def events(self, order_id: str) -> list[OrderEvent]:
        async with connect(self.engine) as conn:
            rows = await conn.execute(
                select(order_events).where(order_events.c.order_id == order_id).order_by(order_events.c.id)
            )
            return [
                OrderEvent(
                    m["order_id"],
                    as_utc(m["at"]),
                    OrderStatus(m["from_status"]) if m["from_status"] else None,
                    OrderStatus(m["to_status"]),
                    m["actor"],
                    m["note"],
                )
                for m in (r._mapping for r in rows)
            ]

    # -- payments ------------------------------------------------------------------------------

    async def add_payment(self, payment: Payment) -> None:
        async with begin(self.engine) as conn:
            await conn.execute(self._payment_insert(payment))

    async def attach_payment(self, payment: Payment) -> None:
        async with begin(self.engine) as conn:
            await conn.execute(self._payment_insert(payment))
            await conn.execute(
                update(orders).where(orders.c.id == payment.order_id).values(payment_id=payment.payment_id)
            )

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

    # -- callbacks (the inbox) -----------------------------------------------------------------

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

    # -- refunds -------------------------------------------------------------------------------

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
