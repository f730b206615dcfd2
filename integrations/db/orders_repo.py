"""SQL repository of orders and their events (SQLite and PostgreSQL).

Implements `shop.orders.OrderRepository` over an `AsyncEngine`; one short transaction per call,
or the ambient unit of work's (integrations/db/uow.py). Status changes are compare-and-set
(`UPDATE … WHERE status = :expected`) and insert the event in the same transaction. Payments,
callbacks and refunds: integrations/db/payments_repo.py, integrations/db/refunds_repo.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from integrations.accounts.crypto import EnvelopeCipher, reseal, seal, unseal
from integrations.db.orders_tables import order_events, order_lines, orders
from integrations.db.statements import guarded_transition, insert_ignore, utc_or_none
from integrations.db.uow import begin, connect
from shop.clock import as_utc
from shop.orders import DuplicateOrder, Order, OrderEvent, OrderLine, OrderStatus


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


PERSONAL = ("receiver_name", "phone", "address")  # encrypted at rest (migration 0018_pii_lookup)


class SqlOrderRepository:
    """`shop.orders.OrderRepository` on SQLAlchemy Core. With a cipher (the bootstrap always gives one) the
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
        # Insert-or-ignore, not an IntegrityError: inside a unit of work on PostgreSQL an error
        # would abort the whole transaction, and a taken key is the usual retry, not a failure.
        async with begin(self.engine) as conn:
            if not await insert_ignore(conn, orders, values):
                taken = await self._one_in(conn, orders.c.idempotency_key == order.idempotency_key)
                raise DuplicateOrder("idempotency_key" if taken else "id")
            await conn.execute(
                insert(order_lines), [_line_row(order.id, i, ln) for i, ln in enumerate(order.lines)]
            )
            await conn.execute(insert(order_events).values(**self._event_row(event)))

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

    async def _one_in(self, conn: AsyncConnection, where: Any) -> Order | None:
        loaded = await self._load(conn, (await conn.execute(select(orders).where(where))).all())
        return loaded[0] if loaded else None

    async def _one(self, where: Any) -> Order | None:
        async with connect(self.engine) as conn:
            return await self._one_in(conn, where)

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
