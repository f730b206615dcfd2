"""The orders, payments, callback-log, refunds, shipments and tickets repositories on SQLite and
PostgreSQL: round trips, idempotency, compare-and-set."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, inspect

from bot import db
from integrations.db.orders_logistics_repo import SqlShipmentRepository, SqlTicketRepository
from integrations.db.orders_repo import SqlOrderRepository
from integrations.db.orders_tables import orders as orders_table
from integrations.db.payments_repo import SqlPaymentCallbackLog, SqlPaymentRepository
from integrations.db.refunds_repo import SqlRefundRepository
from shop.aftersales import AfterSalesTicket, ServiceType, TicketEvent, TicketStatus
from shop.logistics import ShipmentStatus, TrackingEvent
from shop.orders import DuplicateOrder, Order, OrderEvent, OrderLine, OrderStatus
from shop.payments import Payment, PaymentNotification
from shop.shipments import Shipment
from tests.orders_harness import build_world, make_engine, summary

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BIG = Decimal("999999999999.99")  # 14 digits: a float would lose the cents


def order(oid="SO2026030100001", key="k1", total=BIG, shopper="u1", at=T0) -> Order:
    return Order(
        id=oid,
        idempotency_key=key,
        shopper_id=shopper,
        channel="telegram",
        recipient_id="42",
        language="en",
        platform="jd",
        merchant="jd-shop",
        lines=(
            OrderLine("p1", "jd-1", "笔记本", 1, BIG, {"colour": "grey"}),
            OrderLine("p2", "jd-2", "鼠标", 3, Decimal("0.10")),
        ),
        total=total,
        currency="CNY",
        savings="",
        receiver_name="Li",
        phone="1",
        address="A",
        status=OrderStatus.CREATED,
        created_at=at,
        updated_at=at,
    )


def created(o: Order) -> OrderEvent:
    return OrderEvent(o.id, o.created_at, None, OrderStatus.CREATED, "shopper:u1")


@pytest.fixture
async def engine(db_url):
    eng = await make_engine(db_url)
    yield eng
    await eng.dispose()


async def test_order_round_trip_keeps_money_exact(engine):
    repo = SqlOrderRepository(engine)
    await repo.add_order(order(), created(order()))
    got = await repo.get_order("SO2026030100001")
    assert got == order()
    assert got.total == BIG and got.lines[1].unit_price == Decimal("0.10")
    assert got.created_at == T0 and got.created_at.tzinfo is not None
    assert await repo.get_order_by_key("k1") == got
    assert await repo.get_order("nope") is None


async def test_duplicates_are_told_apart(engine):
    repo = SqlOrderRepository(engine)
    await repo.add_order(order(), created(order()))
    with pytest.raises(DuplicateOrder) as info:
        await repo.add_order(order(oid="SO2026030100002"), created(order()))
    assert info.value.field_name == "idempotency_key"
    with pytest.raises(DuplicateOrder) as info:
        await repo.add_order(order(key="k2"), created(order()))
    assert info.value.field_name == "id"
    assert await repo.get_order("SO2026030100002") is None  # nothing half-written


async def test_floats_cannot_be_stored_as_money(engine):
    with pytest.raises(Exception) as info:
        async with engine.begin() as conn:
            await conn.execute(
                insert(orders_table).values(
                    id="x",
                    idempotency_key="x",
                    shopper_id="u",
                    channel="c",
                    recipient_id="r",
                    language="zh",
                    platform="jd",
                    merchant="m",
                    total=5999.0,
                    currency="CNY",
                    savings="",
                    receiver_name="n",
                    phone="p",
                    address="a",
                    status="created",
                    created_at=T0,
                    updated_at=T0,
                )
            )
    assert "money must be Decimal" in str(info.value)


async def test_status_compare_and_set_and_events(engine):
    repo = SqlOrderRepository(engine)
    await repo.add_order(order(), created(order()))
    paid = OrderEvent(
        "SO2026030100001", T0 + timedelta(minutes=1), OrderStatus.CREATED, OrderStatus.PAID, "payment"
    )
    results = await asyncio.gather(
        *(
            repo.update_status("SO2026030100001", OrderStatus.CREATED, paid, {"payment_id": "pay1"})
            for _ in range(4)
        )
    )
    assert sorted(results) == [False, False, False, True]
    got = await repo.get_order("SO2026030100001")
    assert got.status is OrderStatus.PAID and got.payment_id == "pay1"
    assert [(e.from_status, e.to_status, e.actor) for e in await repo.events(got.id)] == [
        (None, OrderStatus.CREATED, "shopper:u1"),
        (OrderStatus.CREATED, OrderStatus.PAID, "payment"),
    ]


async def test_list_orders_newest_first_with_filters(engine):
    repo = SqlOrderRepository(engine)
    for i in range(3):
        o = order(oid=f"SO202603010000{i}", key=f"k{i}", at=T0 + timedelta(minutes=i))
        await repo.add_order(o, created(o))
    other = order(oid="SO2026030109999", key="o", shopper="u2")
    await repo.add_order(other, created(other))
    assert [o.id for o in await repo.list_orders(shopper_id="u1")] == [
        "SO2026030100002",
        "SO2026030100001",
        "SO2026030100000",
    ]
    assert [o.id for o in await repo.list_orders(shopper_id="u1", limit=1)] == ["SO2026030100002"]
    assert len(await repo.list_orders(merchant="jd-shop", statuses=[OrderStatus.CREATED])) == 4
    assert await repo.list_orders(statuses=[OrderStatus.PAID]) == []


async def test_payments_callbacks_and_refunds_are_idempotent(engine):
    await SqlOrderRepository(engine).add_order(order(), created(order()))
    payments, callbacks, refunds = SqlPaymentRepository(engine), SqlPaymentCallbackLog(engine), SqlRefundRepository(engine)
    await payments.add_payment(
        Payment("pay1", "SO2026030100001", "sandbox", BIG, pay_url="http://p", created_at=T0)
    )
    assert (await payments.pending_payment_for("SO2026030100001")).payment_id == "pay1"
    note = PaymentNotification("pay1", "TXN1", BIG, True, T0, "alipay")
    assert await callbacks.record_callback("sandbox", note, T0) is True
    assert await callbacks.record_callback("sandbox", note, T0) is False
    assert [n for _, n in await callbacks.callbacks_with_status("received")] == [note]
    assert await asyncio.gather(
        *(payments.mark_payment_paid("pay1", "TXN1", "alipay", T0) for _ in range(3))
    ) in ([True, False, False], [False, True, False], [False, False, True])
    paid = await payments.get_payment("pay1")
    assert (paid.status, paid.amount, paid.provider_txn_id, paid.paid_at) == ("paid", BIG, "TXN1", T0)
    assert await payments.pending_payment_for("SO2026030100001") is None
    assert await refunds.add_refund("r1", "pay1", Decimal("0.10"), "x", T0) is True
    assert await refunds.add_refund("r1", "pay1", Decimal("0.10"), "x", T0) is False
    await refunds.add_refund("r2", "pay1", Decimal("0.20"), "x", T0)
    await refunds.add_refund("r3", "pay1", Decimal("5.00"), "x", T0)
    await refunds.set_refund_status("r3", "failed")
    assert await refunds.refunded_total("pay1") == Decimal("0.30")


async def test_shipments_events_and_exactly_once_push_claims(engine):
    SqlOrderRepository(engine)
    await SqlOrderRepository(engine).add_order(order(), created(order()))
    repo = SqlShipmentRepository(engine)
    s = Shipment("SF:1", "SO2026030100001", "SF", "1", ShipmentStatus.CREATED, True, T0, T0)
    assert await repo.add_shipment(s) is True
    assert await repo.add_shipment(s) is False
    events = [
        TrackingEvent(T0, ShipmentStatus.COLLECTED, "上海", "揽收"),
        TrackingEvent(T0 + timedelta(hours=1), ShipmentStatus.IN_TRANSIT, "杭州", "运输"),
    ]
    await repo.save_events("SF:1", events[:1], ShipmentStatus.COLLECTED, True, T0)
    await repo.save_events("SF:1", events, ShipmentStatus.IN_TRANSIT, True, T0)
    got = await repo.for_order("SO2026030100001")
    assert got.events == tuple(events) and got.status is ShipmentStatus.IN_TRANSIT
    claims = await asyncio.gather(*(repo.claim_push("SF:1", ShipmentStatus.COLLECTED, T0) for _ in range(5)))
    assert claims.count(True) == 1
    await repo.release_push("SF:1", ShipmentStatus.COLLECTED)
    assert await repo.claim_push("SF:1", ShipmentStatus.COLLECTED, T0) is True
    await repo.save_events("SF:1", events, ShipmentStatus.DELIVERED, False, T0)
    assert await repo.list_open() == []


async def test_tickets_round_trip_and_due_query(engine):
    await SqlOrderRepository(engine).add_order(order(), created(order()))
    repo = SqlTicketRepository(engine)
    t = AfterSalesTicket(
        "AS2026030100001",
        "SO2026030100001",
        1,
        ServiceType.RETURN,
        "坏了",
        ("http://x/1.jpg",),
        TicketStatus.OPEN,
        "jd-shop",
        "u1",
        T0 + timedelta(hours=48),
        T0,
        T0,
        quantity=2,
    )
    assert await repo.add(t, TicketEvent(t.id, T0, None, TicketStatus.OPEN, "shopper:u1"), "key") is True
    assert await repo.add(t, TicketEvent(t.id, T0, None, TicketStatus.OPEN, "shopper:u1"), "key") is False
    assert await repo.get(t.id) == t and await repo.get_by_key("key") == t
    assert await repo.find(due_before=T0 + timedelta(hours=47)) == []
    assert [
        x.id for x in await repo.find(statuses=[TicketStatus.OPEN], due_before=T0 + timedelta(hours=49))
    ] == [t.id]
    ev = TicketEvent(t.id, T0, TicketStatus.OPEN, TicketStatus.MERCHANT_PROCESSING, "merchant:jd-shop")
    assert await repo.update_status(t.id, TicketStatus.OPEN, ev, {}) is True
    assert await repo.update_status(t.id, TicketStatus.OPEN, ev, {}) is False
    assert [e.to_status for e in await repo.events(t.id)] == [
        TicketStatus.OPEN,
        TicketStatus.MERCHANT_PROCESSING,
    ]


async def test_the_whole_flow_on_this_database(db_url):
    w = await build_world(db_url)
    o = await w.orders.create_from_summary(summary(total="5999.00"), "flow")
    intent = await w.orders.start_payment(o.id)
    headers, body = w.c.sandbox.pay(intent.payment_id, "alipay")
    outcomes = await asyncio.gather(
        *(w.orders.handle_payment_callback("sandbox", headers, body) for _ in range(5))
    )
    assert outcomes.count("applied") == 1
    assert (await w.orders.get(o.id)).status is OrderStatus.SUBMITTED
    await w.engine.dispose()


async def test_migration_0002_creates_the_tables_the_repositories_use(db_url):
    from sqlalchemy.ext.asyncio import create_async_engine

    eng = create_async_engine(db_url)
    await db.upgrade(eng)
    async with eng.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {
        "orders",
        "order_lines",
        "order_events",
        "payments",
        "payment_callbacks",
        "refunds",
        "shipments",
        "shipment_events",
        "shipment_pushes",
        "aftersales_tickets",
        "aftersales_ticket_events",
    } <= names
    repo = SqlOrderRepository(eng)
    await repo.add_order(order(), created(order()))
    assert (await repo.get_order(order().id)).total == BIG
    await eng.dispose()


async def test_migration_0002_matches_the_table_declarations(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import MetaData
    from sqlalchemy.ext.asyncio import create_async_engine

    from integrations.db import orders_tables

    mine = MetaData(naming_convention=orders_tables.metadata.naming_convention)
    for table in orders_tables.metadata.tables.values():
        if table.name in ORDER_TABLES:
            table.to_metadata(mine)
    eng = create_async_engine(db_url)
    await db.upgrade(eng)
    async with eng.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), mine))
    await eng.dispose()
    assert [d for d in diff if _table_of(d) in ORDER_TABLES] == []


ORDER_TABLES = {
    "orders",
    "order_lines",
    "order_events",
    "payments",
    "payment_callbacks",
    "refunds",
    "shipments",
    "shipment_events",
    "shipment_pushes",
    "aftersales_tickets",
    "aftersales_ticket_events",
}


def _table_of(diff) -> str | None:
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        name = getattr(part, "name", None) if not isinstance(part, str) else None
        table = getattr(part, "table", None)
        if table is not None:
            return table.name
        if name in ORDER_TABLES:
            return name
    return item[2] if len(item) > 2 and isinstance(item[2], str) else None
