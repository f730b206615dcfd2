"""One checkout, several stores: one payment, one order per store (OrderService.place_checkout),
each shipped, cancelled or refunded on its own; never charged twice."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from shop.catalog import Offer, Product
from shop.orders import OrderLine, OrderStatus
from shop.payments import PaymentError, PaymentStatus
from shop.ports import OrderRefused
from shop.refusals import OUT_OF_STOCK, PRICE_MOVED, offer_check
from tests.orders_harness import build_world, summary


@pytest.fixture
async def w(sqlite_url):
    world = await build_world(sqlite_url)
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


async def test_one_payment_of_the_sum_and_one_order_per_store_a_retry_returns_the_same(w):
    orders, intent = await w.orders.place_checkout(two_stores(), "ck-1")
    assert [o.merchant for o in orders] == ["store-a", "store-b"]
    assert {o.payment_id for o in orders} == {intent.payment_id}
    payment = await w.orders.payments.get_payment(intent.payment_id)
    assert payment.amount == Decimal("6179.00")
    again, same = await w.orders.place_checkout(two_stores(), "ck-1")
    assert [o.id for o in again] == [o.id for o in orders] and same.payment_id == intent.payment_id
    # paying from the second order's card reuses the checkout's payment: no second charge
    assert (await w.orders.start_payment(orders[1].id)).payment_id == intent.payment_id


async def test_paying_once_submits_every_order_and_a_repeated_callback_changes_nothing(w):
    orders, intent = await w.orders.place_checkout(two_stores(), "ck-2")
    assert await pay(w, intent.payment_id) == "applied"
    assert await pay(w, intent.payment_id) == "duplicate"
    for order in orders:
        assert (await w.orders.get(order.id)).status is OrderStatus.SUBMITTED
    assert sorted(r.order_id for r in w.connector.requests) == sorted(o.id for o in orders)


async def test_refunding_one_order_gives_back_its_part_only(w):
    orders, intent = await w.orders.place_checkout(two_stores(), "ck-3")
    await pay(w, intent.payment_id)
    small = await w.orders.get(orders[1].id)
    with pytest.raises(PaymentError):  # more than that order cost
        await w.orders.refund(small, Decimal("180.01"), "too-much", "shopper", "no")
    refunded = await w.orders.cancel_before_shipment(small.id, "shopper", "changed my mind")
    assert refunded.status is OrderStatus.REFUNDED
    assert await w.orders.refunds.refunded_total(intent.payment_id) == Decimal("180.00")
    assert (await w.orders.get(orders[0].id)).status is OrderStatus.SUBMITTED
    assert (await w.orders.payments.get_payment(intent.payment_id)).status == PaymentStatus.PAID
    # the other order refunded too: now the whole payment is given back
    await w.orders.cancel_before_shipment(orders[0].id, "shopper", "")
    assert (await w.orders.payments.get_payment(intent.payment_id)).status == PaymentStatus.REFUNDED
    assert await w.orders.refunds.refunded_total(intent.payment_id) == Decimal("6179.00")


async def test_an_order_cancelled_before_the_payment_came_gets_its_part_back_automatically(w):
    orders, intent = await w.orders.place_checkout(two_stores(), "ck-4")
    await w.orders.cancel(orders[1].id, "shopper", "not this one")
    assert await pay(w, intent.payment_id) == "applied"
    assert (await w.orders.get(orders[0].id)).status is OrderStatus.SUBMITTED
    assert (await w.orders.get(orders[1].id)).status is OrderStatus.CANCELLED
    assert await w.orders.refunds.refunded_total(intent.payment_id) == Decimal("180.00")
    assert await pay(w, intent.payment_id) == "duplicate"
    assert await w.orders.refunds.refunded_total(intent.payment_id) == Decimal("180.00")  # given back once


async def test_a_platform_refusing_one_order_refunds_its_part_and_the_rest_goes_ahead(w):
    refuse = {"jd-200"}
    place = w.connector.place_order

    async def picky(request):
        if any(line.platform_product_id in refuse for line in request.lines):
            raise OrderRefused(OUT_OF_STOCK)
        return await place(request)

    w.connector.place_order = picky
    orders, intent = await w.orders.place_checkout(two_stores(), "ck-5")
    assert await pay(w, intent.payment_id) == "applied"
    kept, refused = (await w.orders.get(orders[0].id)), (await w.orders.get(orders[1].id))
    assert kept.status is OrderStatus.SUBMITTED and refused.status is OrderStatus.REFUNDED
    assert await w.orders.refunds.refunded_total(intent.payment_id) == Decimal("180.00")
    told = [e for e in w.notifier.orders if e.order.id == refused.id and e.refusal]
    assert [e.refusal for e in told] == [OUT_OF_STOCK]  # the shopper is told why, once
    assert await pay(w, intent.payment_id) == "duplicate"
    await w.orders.reconcile()  # a restart does not place or refund it again
    assert await w.orders.refunds.refunded_total(intent.payment_id) == Decimal("180.00")
    assert (await w.orders.get(refused.id)).status is OrderStatus.REFUNDED


async def test_a_price_that_moved_beyond_the_tolerance_is_refused_before_placement(sqlite_url):
    prices = {"p1": Decimal("6299.00"), "p2": Decimal("99.00") * Decimal("1.06")}  # +6 %: beyond 5 %

    class Lookup:
        async def get_product(self, product_id):
            return Product(product_id, "t", "t", "b", "c", offers=[
                Offer("jd", "x", prices[product_id], prices[product_id], stock=50)])

    world = await build_world(sqlite_url, offer_check=offer_check(Lookup(), Decimal(5)))
    try:
        orders, intent = await world.orders.place_checkout(two_stores(), "ck-6")
        await pay(world, intent.payment_id)
        assert (await world.orders.get(orders[0].id)).status is OrderStatus.SUBMITTED
        refused = await world.orders.get(orders[1].id)
        assert refused.status is OrderStatus.REFUNDED
        assert [r.order_id for r in world.connector.requests] == [orders[0].id]  # never sent to the platform
        assert [e.refusal for e in world.notifier.orders if e.order.id == refused.id and e.refusal] == [PRICE_MOVED]
        prices["p2"] = Decimal("99.00") * Decimal("1.05")  # within the tolerance: placed
        assert await offer_check(Lookup(), Decimal(5))(refused) is None
    finally:
        await world.engine.dispose()


async def test_after_sales_on_one_item_of_one_order_gives_back_that_share_only(w):
    orders, intent = await w.orders.place_checkout(two_stores(), "ck-7")
    await pay(w, intent.payment_id)
    small = await w.orders.get(orders[1].id)  # two mice, ¥180.00 of the ¥6,179.00 payment
    assert await w.orders.reserve_refund(small, Decimal("90.00"), "ticket-T1", "after-sales T1")
    small = await w.orders.refund(small, Decimal("90.00"), "ticket-T1", "merchant", "after-sales T1")
    assert small.status is OrderStatus.SUBMITTED  # one of the two back: the order goes on
    with pytest.raises(PaymentError):  # more than is left of this order, though the payment holds more
        await w.orders.reserve_refund(small, Decimal("90.01"), "ticket-T2", "after-sales T2")
    assert await w.orders.refunds.refunded_total(intent.payment_id) == Decimal("90.00")
    assert (await w.orders.get(orders[0].id)).status is OrderStatus.SUBMITTED
