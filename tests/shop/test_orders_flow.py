"""Orders end to end on SQLite: creation, idempotency, payment, submission, cancel, state machine."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import event

from shop.orders import IllegalTransition, InvalidOrder, OrderLine, OrderStatus
from tests.orders_harness import build_world, paid_order, summary


@pytest.fixture
async def w(sqlite_url):
    world = await build_world(sqlite_url)
    yield world
    await world.engine.dispose()


async def test_a_retried_message_never_creates_a_second_order(w):
    first = await w.orders.create_from_summary(summary(), "msg-42")
    again = await w.orders.create_from_summary(summary(), "msg-42")
    assert again.id == first.id
    assert [o.id for o in await w.orders.list_for_shopper("u1")] == [first.id]


async def test_concurrent_retries_create_one_order(w):
    results = await asyncio.gather(*(w.orders.create_from_summary(summary(), "same") for _ in range(5)))
    assert len({o.id for o in results}) == 1
    assert len(await w.orders.list_for_shopper("u1")) == 1


async def test_order_id_shape_and_lines_round_trip(w):
    order = await w.orders.create_from_summary(summary(), "k")
    assert order.id.startswith("SO20260101") and len(order.id) == 15 and order.id[2:].isdigit()
    loaded = await w.orders.get(order.id)
    assert loaded.lines[0].variant == {"颜色": "灰"}
    assert loaded.total == Decimal("5999.00") and isinstance(loaded.total, Decimal)
    assert loaded.status is OrderStatus.CREATED


async def test_bad_summary_is_refused(w):
    with pytest.raises(InvalidOrder):
        await w.orders.create_from_summary(summary(lines=(OrderLine("p", "x", "t", 0, Decimal(1)),)), "a")
    with pytest.raises(InvalidOrder):
        await w.orders.create_from_summary(summary(total="7000.00"), "b")  # more than the lines


async def test_payment_marks_paid_and_submits_to_the_platform(w):
    order = await paid_order(w)
    assert order.status is OrderStatus.SUBMITTED
    assert order.platform_order_id == "JD-000001"
    assert w.connector.requests[0].order_id == order.id
    assert w.connector.requests[0].total == Decimal("5999.00")
    events = await w.orders.events(order.id)
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, OrderStatus.CREATED),
        (OrderStatus.CREATED, OrderStatus.PAID),
        (OrderStatus.PAID, OrderStatus.SUBMITTED),
    ]
    assert events[1].actor == "payment" and events[2].actor == "platform:jd"
    assert [e.order.status.value for e in w.notifier.orders] == ["paid", "submitted"]


async def test_platform_down_leaves_order_paid_then_reconcile_submits(w):
    w.connector.down = True
    order = await paid_order(w)
    assert order.status is OrderStatus.PAID
    w.connector.down = False
    assert (await w.orders.reconcile())["submitted"] == 1
    assert (await w.orders.get(order.id)).status is OrderStatus.SUBMITTED


async def test_illegal_transition_is_rejected_with_a_clear_message(w):
    order = await w.orders.create_from_summary(summary(), "k")
    with pytest.raises(IllegalTransition) as info:
        await w.orders.transition(order, OrderStatus.SHIPPED, "merchant:x")
    assert "cannot go from created to shipped" in str(info.value)
    assert "cancelled, paid" in str(info.value)
    assert (await w.orders.get(order.id)).status is OrderStatus.CREATED


async def test_cancel_unpaid_and_refund_paid(w):
    unpaid = await w.orders.create_from_summary(summary(), "a")
    cancelled = await w.orders.cancel(unpaid.id, "shopper:u1")
    assert cancelled.status is OrderStatus.CANCELLED
    w.connector.down = True  # keep the second order in `paid`
    paid = await paid_order(w, key="b")
    refunded = await w.orders.cancel(paid.id, "shopper:u1")
    assert refunded.status is OrderStatus.REFUNDED
    assert await w.orders.refunds.refunded_total(paid.payment_id) == Decimal("5999.00")
    with pytest.raises(IllegalTransition):
        await w.orders.cancel(paid.id, "shopper:u1")


async def test_cancel_after_submission_is_refused(w):
    order = await paid_order(w)
    with pytest.raises(IllegalTransition, match="submitted to cancelled"):
        await w.orders.cancel(order.id, "shopper:u1")


async def test_a_submitted_order_cancelled_before_shipment_is_refunded_and_never_ships(w):
    order = await paid_order(w)
    assert order.status is OrderStatus.SUBMITTED
    cancelled = await w.orders.cancel_before_shipment(order.id, "shopper:u1", "the screen is cracked")
    assert cancelled.status is OrderStatus.REFUNDED
    assert await w.orders.refunds.refunded_total(order.payment_id) == order.total
    with pytest.raises(IllegalTransition):
        await w.c.shipments.ship(order.id, "sf", "SF123", "merchant:m1")
    with pytest.raises(IllegalTransition):  # asking twice refunds once
        await w.orders.cancel_before_shipment(order.id, "shopper:u1")
    assert await w.orders.refunds.refunded_total(order.payment_id) == order.total


async def test_last_and_list_for_shopper(w):
    a = await w.orders.create_from_summary(summary(), "a")
    w.clock.advance(minutes=1)
    b = await w.orders.create_from_summary(summary(), "b")
    await w.orders.create_from_summary(summary("someone-else"), "c")
    assert (await w.orders.last_for_shopper("u1")).id == b.id
    assert [o.id for o in await w.orders.list_for_shopper("u1")] == [b.id, a.id]
    assert await w.orders.last_for_shopper("nobody") is None


async def test_start_payment_twice_reuses_the_pending_payment(w):
    order = await w.orders.create_from_summary(summary(), "a")
    one = await w.orders.start_payment(order.id)
    two = await w.orders.start_payment(order.id)
    assert one.payment_id == two.payment_id
    assert one.pay_url == f"http://testserver/pay/{one.payment_id}"
    stored = await w.orders.get(order.id)
    assert await w.orders.payment_url(stored) == one.pay_url and stored.total == Decimal("5999.00")


async def test_confirming_places_the_order_and_its_payment_without_reading_them_back(w):
    statements: list[str] = []
    listener = lambda *a: statements.append(a[2].split()[0].upper())
    event.listen(w.engine.sync_engine, "before_cursor_execute", listener)
    try:
        order, intent = await w.orders.place(summary(), "confirm-42", "wechat_pay")
    finally:
        event.remove(w.engine.sync_engine, "before_cursor_execute", listener)
    # the order (row, line, created event), then the payment stored on it, then the inbox read
    assert statements == ["INSERT", "INSERT", "INSERT", "INSERT", "UPDATE", "SELECT"]
    stored = await w.orders.get(order.id)
    assert stored.status is OrderStatus.CREATED and stored.payment_id == intent.payment_id
    assert [(e.from_status, e.to_status) for e in await w.orders.events(order.id)] == [(None, OrderStatus.CREATED)]
    assert await w.orders.payment_url(stored) == intent.pay_url

    again, same = await w.orders.place(summary(), "confirm-42", "wechat_pay")  # the message, retried
    assert again.id == order.id and same.payment_id == intent.payment_id
    assert len(await w.orders.list_for_shopper("u1")) == 1
