"""Every orders use case that writes to more than one aggregate (orders, payments, the callback
log, refunds) is one unit of work: when its second write fails, its first is rolled back, and
the shopper's retry (or the job that retries for them) finishes it. On SQLite and PostgreSQL.

(Approving a ticket and recording its refund: tests/shop/test_refund_approval.py.)"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from shop.orders import OrderLine, OrderStatus
from shop.payments import PaymentStatus
from shop.ports import OrderRefused
from shop.refusals import OUT_OF_STOCK
from tests.orders_harness import build_app, build_world, summary


class Broken(RuntimeError):
    """The database failing one statement (a lost connection, a full disk)."""


class FailingOnce:
    """A repository whose `method` fails on its `nth` call (counting the calls `when` picks),
    then works again."""

    def __init__(self, inner, method: str, nth: int = 1, when=lambda *args: True) -> None:
        self.inner, self.method, self.nth, self.when, self.calls = inner, method, nth, when, 0

    def __getattr__(self, item):
        real = getattr(self.inner, item)
        if item != self.method:
            return real

        async def call(*args, **kwargs):
            if not self.when(*args):
                return await real(*args, **kwargs)
            self.calls += 1
            if self.calls == self.nth:
                raise Broken(f"{item} failed")
            return await real(*args, **kwargs)

        return call


@pytest.fixture
async def w(db_url):
    world = await build_world(db_url)
    yield world
    await world.engine.dispose()


def two_stores():
    a = replace(summary(total="5999.00"), merchant="store-a")
    b = replace(summary(total="180.00", lines=(OrderLine("p2", "jd-200", "罗技鼠标", 2, Decimal("99.00")),)),
                merchant="store-b")
    return [a, b]


async def pay(w, payment_id: str) -> str:
    headers, body = w.c.sandbox.pay(payment_id, "wechat_pay")
    return await w.orders.handle_payment_callback("sandbox", headers, body)


async def test_a_payment_whose_order_cannot_move_is_not_recorded_and_the_provider_retry_pays(w):
    order = await w.orders.create_from_summary(summary(), "k1")
    pid = (await w.orders.start_payment(order.id)).payment_id
    w.orders.orders = FailingOnce(w.orders.orders, "update_status")
    headers, body = w.c.sandbox.pay(pid, "alipay")
    with pytest.raises(Broken):  # the provider gets an error and calls back again
        await w.orders.handle_payment_callback("sandbox", headers, body)
    assert (await w.orders.payments.get_payment(pid)).status == PaymentStatus.PENDING  # rolled back
    assert (await w.orders.get(order.id)).status is OrderStatus.CREATED
    assert [n.payment_id for _, n in await w.orders.callbacks.callbacks_with_status("received")] == [pid]
    assert w.notifier.orders == []  # nobody was told it was paid
    assert await w.orders.handle_payment_callback("sandbox", headers, body) == "applied"
    assert (await w.orders.get(order.id)).status is OrderStatus.SUBMITTED
    assert (await w.orders.payments.get_payment(pid)).status == PaymentStatus.PAID


async def test_a_checkout_whose_payment_cannot_be_recorded_leaves_no_order(w):
    w.orders.payments = FailingOnce(w.orders.payments, "add_payment")
    with pytest.raises(Broken):
        await w.orders.place_checkout(two_stores(), "ck-1")
    assert await w.orders.list_for_shopper("u1") == []  # neither store's order was kept
    orders, intent = await w.orders.place_checkout(two_stores(), "ck-1")  # the shopper confirms again
    assert {o.payment_id for o in orders} == {intent.payment_id}
    assert sorted(o.id for o in await w.orders.list_for_shopper("u1")) == sorted(o.id for o in orders)
    assert await pay(w, intent.payment_id) == "applied"
    assert [(await w.orders.get(o.id)).status for o in orders] == [OrderStatus.SUBMITTED] * 2


async def test_confirming_one_order_whose_payment_cannot_be_recorded_leaves_no_order(w):
    w.orders.payments = FailingOnce(w.orders.payments, "add_payment")
    with pytest.raises(Broken):
        await w.orders.place(summary(), "buy-1")  # the chat's "confirm"
    assert await w.orders.list_for_shopper("u1") == []
    order, intent = await w.orders.place(summary(), "buy-1")  # the shopper confirms again
    assert (await w.orders.get(order.id)).payment_id == intent.payment_id
    assert await pay(w, intent.payment_id) == "applied"
    assert (await w.orders.get(order.id)).status is OrderStatus.SUBMITTED


async def test_a_second_store_order_that_cannot_point_at_the_payment_undoes_the_checkout(w):
    w.orders.orders = FailingOnce(w.orders.orders, "set_fields", nth=2)  # the 2nd order's payment_id
    with pytest.raises(Broken):
        await w.orders.place_checkout(two_stores(), "ck-2")
    assert await w.orders.list_for_shopper("u1") == []
    assert await w.orders.payments.payments_with_status(PaymentStatus.PENDING) == []


async def test_a_refund_whose_order_cannot_move_stays_requested_and_the_job_finishes_it(w):
    refuse = {"jd-200"}
    place = w.connector.place_order

    async def picky(request):
        if any(line.platform_product_id in refuse for line in request.lines):
            raise OrderRefused(OUT_OF_STOCK)
        return await place(request)

    w.connector.place_order = picky
    orders, intent = await w.orders.place_checkout(two_stores(), "ck-3")
    real_orders = w.orders.orders
    w.orders.orders = FailingOnce(real_orders, "update_status",  # the refused order's move to refunded
                                  when=lambda order_id, expected, event, fields: event.to_status is OrderStatus.REFUNDED)
    with pytest.raises(Broken):  # store b refuses: its part is given back, but its order cannot move
        await pay(w, intent.payment_id)
    kept, refused = (await w.orders.get(orders[0].id)), (await w.orders.get(orders[1].id))
    assert refused.status is OrderStatus.PAID
    assert await w.orders.refunds.refund_status(f"refused-{refused.id}") == "requested"  # the answer rolled back
    w.orders.orders = real_orders
    _, scheduler = build_app(w)
    assert await scheduler.run_now("retry_refunds") == 1
    assert (await w.orders.get(refused.id)).status is OrderStatus.REFUNDED
    assert await w.orders.refunds.refund_status(f"refused-{refused.id}") == "success"
    assert await w.orders.refunds.refunded_total(intent.payment_id) == Decimal("180.00")  # given back once
    await w.orders.reconcile()  # the other store's order goes ahead (at once, or here if it came second)
    assert (await w.orders.get(kept.id)).status is OrderStatus.SUBMITTED
    assert await w.orders.refunds.refunded_total(intent.payment_id) == Decimal("180.00")


async def test_a_full_refund_whose_payment_cannot_be_marked_stays_requested_and_the_job_finishes_it(w):
    order = await w.orders.create_from_summary(summary(), "k4")
    pid = (await w.orders.start_payment(order.id)).payment_id
    await pay(w, pid)
    w.orders.payments = FailingOnce(w.orders.payments, "set_payment_status")
    with pytest.raises(Broken):
        await w.orders.cancel_before_shipment(order.id, "shopper:u1", "changed my mind")
    assert (await w.orders.get(order.id)).status is OrderStatus.SUBMITTED
    assert (await w.orders.payments.get_payment(pid)).status == PaymentStatus.PAID
    assert await w.orders.refunds.refund_status(f"cancel-{order.id}") == "requested"
    _, scheduler = build_app(w)
    assert await scheduler.run_now("retry_refunds") == 1
    assert (await w.orders.get(order.id)).status is OrderStatus.REFUNDED
    assert (await w.orders.payments.get_payment(pid)).status == PaymentStatus.REFUNDED
    assert w.c.sandbox._payments[pid].refunds == {f"cancel-{order.id}": Decimal("5999.00")}


async def test_reconcile_moves_every_order_of_a_paid_checkout_or_none(w):
    orders, intent = await w.orders.place_checkout(two_stores(), "ck-5")
    # a payment recorded paid while its orders are not (left so by a worker before this change)
    await w.orders.payments.mark_payment_paid(intent.payment_id, "TXN-1", "card", w.clock.now())
    real_orders = w.orders.orders
    w.orders.orders = FailingOnce(real_orders, "update_status", nth=2)  # the second order's move
    with pytest.raises(Broken):
        await w.orders.reconcile()
    assert [(await w.orders.get(o.id)).status for o in orders] == [OrderStatus.CREATED] * 2
    w.orders.orders = real_orders
    counts = await w.orders.reconcile()
    assert counts["payments"] == 2 and counts["submitted"] == 2
    assert [(await w.orders.get(o.id)).status for o in orders] == [OrderStatus.SUBMITTED] * 2
    assert await w.orders.reconcile() == {"callbacks": 0, "payments": 0, "submitted": 0}
