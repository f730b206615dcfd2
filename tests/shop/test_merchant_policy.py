"""The demo stores' after-sales policy (shop/merchant_policy.py), as the shopper's tickets move:
refund before shipment approved, after shipment left to staff; return within 7 days of delivery
approved (with the return address), later rejected; repair accepted; complaint left to staff; a
returned parcel the carrier delivered back is confirmed and refunded; a merchant with its own key
is never answered for."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop.aftersales import TicketStatus
from shop.merchant_policy import DemoMerchantPolicy
from tests.orders_harness import build_world, paid_order


@pytest.fixture
async def w(sqlite_url):
    world = await build_world(sqlite_url, return_address_fallback=lambda m: f"杭州市文一西路 1 号 {m} 售后部")
    yield world
    await world.engine.dispose()


def policy(w, own_key: str = "other") -> DemoMerchantPolicy:
    async def answers_for(merchant: str) -> bool:
        return merchant != own_key

    return DemoMerchantPolicy(w.c.tickets, answers_for)


async def delivered_order(w, key: str):
    order = await paid_order(w, key=key)
    w.connector.set_status(order.id, "shipped", f"SF{7000000000 + ord(key)}")
    await w.c.shipments.sync_platform_orders()
    w.c.simulated_carrier.advance_all(10)
    await w.c.shipments.poll_shipments()
    return await w.orders.get(order.id)


async def status(w, ticket) -> TicketStatus:
    return (await w.c.tickets.get(ticket.id)).status


async def test_refunds_before_shipment_are_approved_and_after_it_go_to_staff(w):
    tickets = w.c.tickets
    unshipped = await paid_order(w, key="a")
    early = await tickets.open_ticket(unshipped.id, 0, "refund", "不想要了", "u1")
    delivered = await delivered_order(w, "b")
    late = await tickets.open_ticket(delivered.id, 0, "refund", "不想要了", "u1")
    complaint = await tickets.open_ticket(delivered.id, 0, "complaint", "客服态度差", "u1")
    assert await policy(w).run() == 1
    answered = await tickets.get(early.id)
    assert answered.status is TicketStatus.RESOLVED and answered.refund_amount == Decimal(unshipped.total)
    assert await status(w, late) is TicketStatus.OPEN and await status(w, complaint) is TicketStatus.OPEN


async def test_a_return_within_seven_days_is_approved_and_finished_later_ones_are_rejected(w):
    tickets = w.c.tickets
    order = await delivered_order(w, "c")
    recent = await tickets.open_ticket(order.id, 0, "return", "尺码不合适", "u1")
    repair = await tickets.open_ticket(order.id, 0, "repair", "开不了机", "u1")
    assert await policy(w).run() == 2
    approved = await tickets.get(recent.id)
    assert approved.status is TicketStatus.APPROVED and approved.return_address == "杭州市文一西路 1 号 jd-shop 售后部"
    assert await status(w, repair) is TicketStatus.APPROVED

    await tickets.add_return_shipment(recent.id, "u1", "SF", "SF5550000000001")
    assert await policy(w).run() == 0  # the parcel is not back yet
    w.c.simulated_carrier.advance("SF5550000000001", 10)
    await w.c.shipments.poll_shipments()
    assert await policy(w).run() == 1
    done = await tickets.get(recent.id)
    assert done.status is TicketStatus.RESOLVED and done.refund_amount == Decimal(order.total)

    w.clock.advance(days=8)
    late = await tickets.open_ticket((await delivered_order(w, "d")).id, 0, "return", "不喜欢", "u1")
    w.clock.advance(days=8)
    assert await policy(w).run() == 1
    rejected = await tickets.get(late.id)
    assert rejected.status is TicketStatus.REJECTED and "7" in rejected.resolution


async def test_a_merchant_with_its_own_key_answers_itself(w):
    order = await paid_order(w, key="e")
    ticket = await w.c.tickets.open_ticket(order.id, 0, "refund", "不想要了", "u1")
    assert await policy(w, own_key="jd-shop").run() == 0
    assert await status(w, ticket) is TicketStatus.OPEN
