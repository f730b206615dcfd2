"""After-sales tickets: lifecycle, refunds through the provider, deadlines, arbitration, pushes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dialogue.presentation.orders import ticket_payload
from shop.aftersales import IllegalTicketTransition, InvalidTicket, TicketStatus
from shop.orders import OrderLine, OrderStatus
from tests.orders_harness import build_world, paid_order, summary


@pytest.fixture
async def w(sqlite_url):
    world = await build_world(sqlite_url, ticket_deadline=__import__("datetime").timedelta(hours=48))
    yield world
    await world.engine.dispose()


def ticket_statuses(w):
    return [t.status.value for t in w.notifier.of_kind("ticket")]


async def test_refund_ticket_approved_refunds_through_the_provider(w):
    order = await paid_order(w)
    t = await w.c.tickets.open_ticket(order.id, 0, "refund", "不想要了", "u1", photos=["http://x/1.jpg"])
    assert t.id.startswith("AS20260101") and t.status is TicketStatus.OPEN
    done = await w.c.tickets.answer(t.id, "jd-shop", approve=True, note="同意退款")
    assert done.status is TicketStatus.RESOLVED and done.refund_amount == Decimal("5999.00")
    assert (await w.orders.get(order.id)).status is OrderStatus.REFUNDED
    assert w.c.sandbox._payments[order.payment_id].refunds == {f"ticket-{t.id}": Decimal("5999.00")}
    assert ticket_statuses(w) == ["open", "merchant_processing", "approved", "resolved"]
    assert ticket_payload(w.notifier.of_kind("ticket")[0]) == {
        "type": "ticket",
        "ticket_id": t.id,
        "order_id": order.id,
        "service_type": "refund",
        "status": "open",
    }
    events = await w.c.tickets.events(t.id)
    assert [e.actor for e in events] == [
        "shopper:u1",
        "merchant:jd-shop",
        "merchant:jd-shop",
        "merchant:jd-shop",
    ]
    stored = await w.c.tickets.get(t.id)
    assert stored.photos == ("http://x/1.jpg",) and stored.refund_amount == Decimal("5999.00")


async def test_return_waits_for_the_parcel_then_refunds_the_lines_share(w):
    lines = (
        OrderLine("a", "jd-a", "鼠标", 1, Decimal("100.00")),
        OrderLine("b", "jd-b", "键盘", 2, Decimal("150.00")),
    )
    order = await w.orders.create_from_summary(summary(total="360.00", lines=lines), "multi")
    intent = await w.orders.start_payment(order.id)
    await w.orders.handle_payment_callback("sandbox", *w.c.sandbox.pay(intent.payment_id, "alipay"))
    t = await w.c.tickets.open_ticket(order.id, 1, "return", "键盘有坏键", "u1")
    t = await w.c.tickets.answer(t.id, "jd-shop", approve=True)
    assert t.status is TicketStatus.APPROVED
    t = await w.c.tickets.add_return_shipment(t.id, "u1", "SF", "SF1000000000001")
    assert t.status is TicketStatus.RETURN_SHIPPING
    assert (await w.c.shipments.repo.get_by_parcel("SF", "SF1000000000001")).kind == "return"
    t = await w.c.tickets.confirm_return_received(t.id, "jd-shop")
    # 300 of 400 list price, of 360 paid → 270.00
    assert t.status is TicketStatus.RESOLVED and t.refund_amount == Decimal("270.00")
    assert await w.orders.refunds.refunded_total(intent.payment_id) == Decimal("270.00")
    assert (await w.orders.get(order.id)).status is OrderStatus.SUBMITTED  # partly refunded only


async def test_rejected_ticket_escalates_to_arbitration_and_the_platform_decides(w):
    order = await paid_order(w)
    t = await w.c.tickets.open_ticket(order.id, 0, "complaint", "发货太慢", "u1")
    t = await w.c.tickets.answer(t.id, "jd-shop", approve=False, note="已按时发货")
    assert t.status is TicketStatus.REJECTED and t.resolution == "已按时发货"
    t = await w.c.tickets.escalate(t.id, "u1", "不同意")
    assert t.status is TicketStatus.ARBITRATION
    t = await w.c.tickets.arbitrate(t.id, approve=True, note="商家补偿")
    assert t.status is TicketStatus.RESOLVED
    assert ticket_statuses(w) == [
        "open",
        "merchant_processing",
        "rejected",
        "arbitration",
        "approved",
        "resolved",
    ]


async def test_overdue_tickets_go_to_arbitration_once(w):
    order = await paid_order(w)
    t = await w.c.tickets.open_ticket(order.id, 0, "repair", "屏幕闪烁", "u1")
    w.clock.advance(hours=47)
    assert await w.c.tickets.escalate_overdue_tickets() == 0
    w.clock.advance(hours=2)
    assert await w.c.tickets.escalate_overdue_tickets() == 1
    assert await w.c.tickets.escalate_overdue_tickets() == 0
    assert (await w.c.tickets.get(t.id)).status is TicketStatus.ARBITRATION
    assert (await w.c.tickets.events(t.id))[-1].actor == "system"


async def test_a_return_of_one_of_two_items_refunds_that_items_share(w):
    lines = (
        OrderLine("a", "jd-a", "鼠标", 1, Decimal("100.00")),
        OrderLine("b", "jd-b", "键盘", 2, Decimal("150.00")),
    )
    order = await w.orders.create_from_summary(summary(total="360.00", lines=lines), "multi-1")
    intent = await w.orders.start_payment(order.id)
    await w.orders.handle_payment_callback("sandbox", *w.c.sandbox.pay(intent.payment_id, "alipay"))
    with pytest.raises(InvalidTicket, match="2 item"):
        await w.c.tickets.open_ticket(order.id, 1, "return", "键盘有坏键", "u1", quantity=3)
    t = await w.c.tickets.open_ticket(order.id, 1, "return", "键盘有坏键", "u1", quantity=1)
    assert (await w.c.tickets.get(t.id)).quantity == 1
    t = await w.c.tickets.answer(t.id, "jd-shop", approve=True)
    t = await w.c.tickets.add_return_shipment(t.id, "u1", "SF", "SF1000000000002")
    t = await w.c.tickets.confirm_return_received(t.id, "jd-shop")
    # one keyboard: 150 of 400 list price, of 360 paid → 135.00
    assert t.status is TicketStatus.RESOLVED and t.refund_amount == Decimal("135.00")


async def test_illegal_moves_and_bad_requests(w):
    order = await paid_order(w)
    with pytest.raises(InvalidTicket):
        await w.c.tickets.open_ticket(order.id, 0, "refund", "x", "someone-else")
    with pytest.raises(InvalidTicket):
        await w.c.tickets.open_ticket(order.id, 5, "refund", "x", "u1")
    unpaid = await w.orders.create_from_summary(summary(), "unpaid")
    with pytest.raises(InvalidTicket):
        await w.c.tickets.open_ticket(unpaid.id, 0, "refund", "x", "u1")
    t = await w.c.tickets.open_ticket(order.id, 0, "refund", "x", "u1")
    with pytest.raises(IllegalTicketTransition, match="cannot go from open to resolved"):
        await w.c.tickets.confirm_return_received(t.id, "jd-shop")
    with pytest.raises(InvalidTicket):
        await w.c.tickets.add_return_shipment(t.id, "u1", "SF", "1")


async def test_opening_twice_with_one_key_is_one_ticket(w):
    order = await paid_order(w)
    a = await w.c.tickets.open_ticket(order.id, 0, "exchange", "尺码不对", "u1", idempotency_key="m1")
    b = await w.c.tickets.open_ticket(order.id, 0, "exchange", "尺码不对", "u1", idempotency_key="m1")
    assert a.id == b.id
    assert [t.id for t in await w.c.tickets.list_for_shopper("u1")] == [a.id]
