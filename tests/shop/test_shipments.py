"""Shipments: platform sync, merchant shipping, polling the simulated carrier, exactly-once pushes."""

from __future__ import annotations

import asyncio

import pytest

from dialogue.presentation.orders import shipment_payload
from shop.logistics import ShipmentStatus
from shop.orders import IllegalTransition, OrderStatus
from tests.orders_harness import build_world, paid_order


@pytest.fixture
async def w(sqlite_url):
    world = await build_world(sqlite_url)
    yield world
    await world.engine.dispose()


def shipment_statuses(w):
    return [s.status.value for s in w.notifier.of_kind("shipment")]


async def test_the_platform_ships_and_the_shopper_hears_each_status_once(w):
    order = await paid_order(w)
    shipments = w.c.shipments
    assert await shipments.sync_platform_orders() == 0  # not shipped yet
    w.connector.set_status(order.id, "shipped", "SF1001")
    assert await shipments.sync_platform_orders() == 1
    assert (await w.orders.get(order.id)).status is OrderStatus.SHIPPED
    assert await shipments.sync_platform_orders() == 0  # the order is no longer submitted

    assert await shipments.poll_shipments() == 1
    assert shipment_statuses(w) == ["collected"]
    assert await shipments.poll_shipments() == 0  # nothing new: nothing pushed
    w.clock.advance(hours=6)
    await shipments.poll_shipments()
    w.clock.advance(hours=6)
    await shipments.poll_shipments()
    w.clock.advance(hours=6)
    await shipments.poll_shipments()
    assert shipment_statuses(w) == ["collected", "in_transit", "out_for_delivery", "delivered"]
    assert (await w.orders.get(order.id)).status is OrderStatus.DELIVERED
    last = shipment_payload(w.notifier.of_kind("shipment")[-1])
    assert last["order_id"] == order.id and last["carrier"] == "SF" and last["tracking_number"] == "SF1001"
    assert [e["status"] for e in last["events"]] == [
        "collected",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    assert set(last["events"][0]) == {"time", "status", "location", "description"}
    w.clock.advance(days=3)
    assert await shipments.poll_shipments() == 0  # closed parcels are not polled


async def test_several_statuses_between_two_polls_are_each_pushed_once(w):
    order = await paid_order(w)
    await w.c.shipments.ship(order.id, "YTO", "YT9", "merchant:jd-shop")
    w.c.simulated_carrier.advance("YT9", 2)
    assert await w.c.shipments.poll_shipments() == 3
    assert shipment_statuses(w) == ["collected", "in_transit", "out_for_delivery"]


async def test_concurrent_polls_push_each_status_exactly_once(w):
    order = await paid_order(w)
    await w.c.shipments.ship(order.id, "YTO", "YT1", "merchant:jd-shop")
    w.c.simulated_carrier.advance("YT1", 1)
    counts = await asyncio.gather(*(w.c.shipments.poll_shipments() for _ in range(4)))
    assert sum(counts) == 2
    assert sorted(shipment_statuses(w)) == ["collected", "in_transit"]


async def test_a_failed_push_is_retried_at_the_next_poll(w):
    order = await paid_order(w)
    await w.c.shipments.ship(order.id, "YTO", "YT2", "merchant:jd-shop")

    class Boom(Exception):
        pass

    real = w.notifier.shipment_changed

    async def failing(*args):
        raise Boom()

    w.notifier.shipment_changed = failing
    with pytest.raises(Boom):
        await w.c.shipments.poll_shipments()
    w.notifier.shipment_changed = real
    assert await w.c.shipments.poll_shipments() == 1
    assert shipment_statuses(w) == ["collected"]


async def test_exceptions_reach_the_shopper_and_lost_parcels_close(sqlite_url):
    from integrations.carriers.simulated import ExceptionRates

    w = await build_world(sqlite_url, carrier_rates=ExceptionRates(lost=1.0))
    order = await paid_order(w)
    await w.c.shipments.ship(order.id, "SF", "SF404", "merchant:jd-shop")
    w.clock.advance(hours=6)
    await w.c.shipments.poll_shipments()
    assert shipment_statuses(w) == ["collected", "lost"]
    assert (await w.c.shipments.shipment_for_order(order.id)).open is False
    assert (await w.orders.get(order.id)).status is OrderStatus.SHIPPED
    await w.engine.dispose()


async def test_shipping_twice_or_too_early(w):
    order = await w.orders.create_from_summary(
        __import__("tests.orders_harness").orders_harness.summary(), "x"
    )
    with pytest.raises(IllegalTransition):
        await w.c.shipments.ship(order.id, "SF", "SF1", "merchant:jd-shop")
    paid = await paid_order(w, key="y")
    first = await w.c.shipments.ship(paid.id, "SF", "SF2", "merchant:jd-shop")
    again = await w.c.shipments.ship(paid.id, "SF", "SF2", "merchant:jd-shop")
    assert again.id == first.id
    shipment = await w.c.shipments.shipment_for_order(paid.id)
    assert shipment_payload(shipment)["status"] == ShipmentStatus.CREATED.value


async def test_a_platform_cancellation_refunds_the_order(w):
    order = await paid_order(w)
    w.connector.set_status(order.id, "cancelled")
    assert await w.c.shipments.sync_platform_orders() == 1
    assert (await w.orders.get(order.id)).status is OrderStatus.REFUNDED


async def test_delivered_orders_complete_by_confirmation_or_after_a_week(w):
    a = await paid_order(w, key="a")
    b = await paid_order(w, key="b")
    for order, tn in ((a, "SFA"), (b, "SFB")):
        await w.c.shipments.ship(order.id, "SF", tn, "merchant:jd-shop")
        w.c.simulated_carrier.advance(tn, 3)
    await w.c.shipments.poll_shipments()
    assert (await w.orders.get(a.id)).status is OrderStatus.DELIVERED
    assert (await w.orders.complete(a.id, "shopper:u1")).status is OrderStatus.COMPLETED
    w.clock.advance(days=6)
    assert await w.orders.auto_complete() == 0
    w.clock.advance(days=1)
    assert await w.orders.auto_complete() == 1
    assert (await w.orders.get(b.id)).status is OrderStatus.COMPLETED
    assert (await w.orders.events(b.id))[-1].actor == "system"
