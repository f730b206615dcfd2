"""Approving a refund is atomic and never leaves an approved ticket with a failed refund: the
approval and the refund request are one transaction; a provider that does not answer is asked
again by the `retry_refunds` job until it does."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from shop.aftersales import TicketStatus
from shop.orders import OrderStatus
from shop.payments import PaymentError, PaymentProviderError
from tests.orders_harness import build_app, build_world, paid_order


class FlakyProvider:
    """The payment provider, unreachable while `down` (a timeout, a 5xx)."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.down, self.asked = inner, inner.name, False, 0

    def __getattr__(self, item):
        return getattr(self.inner, item)

    async def refund(self, *args, **kwargs):
        self.asked += 1
        if self.down:
            raise PaymentProviderError("sandbox: connection timed out")
        return await self.inner.refund(*args, **kwargs)


@pytest.fixture(params=["sqlite", "postgres"])
async def w(request, sqlite_url):
    if request.param == "sqlite":
        world = await build_world(sqlite_url, ticket_deadline=timedelta(hours=48))
        yield world
        await world.engine.dispose()
        return
    from tests.conftest import fresh_pg_database

    async for url in fresh_pg_database():
        world = await build_world(url, ticket_deadline=timedelta(hours=48))
        yield world
        await world.engine.dispose()


async def test_a_refund_the_provider_does_not_answer_is_retried_until_it_does(w):
    order = await paid_order(w)
    flaky = w.orders.providers["sandbox"] = FlakyProvider(w.c.sandbox)
    ticket = await w.c.tickets.open_ticket(order.id, 0, "refund", "不想要了", "u1")
    flaky.down = True
    answered = await w.c.tickets.answer(ticket.id, "jd-shop", approve=True, note="同意退款")
    # approved, and its refund requested — never approved with a failed refund
    assert answered.status is TicketStatus.APPROVED
    assert await w.orders.refunds.refund_status(f"ticket-{ticket.id}") == "requested"
    assert (await w.orders.get(order.id)).status is not OrderStatus.REFUNDED
    _, scheduler = build_app(w)
    assert await scheduler.run_now("retry_refunds") == 0  # still down: asked again, no answer
    flaky.down = False
    assert await scheduler.run_now("retry_refunds") == 1
    assert (await w.c.tickets.get(ticket.id)).status is TicketStatus.RESOLVED
    assert (await w.orders.get(order.id)).status is OrderStatus.REFUNDED
    assert w.c.sandbox._payments[order.payment_id].refunds == {f"ticket-{ticket.id}": Decimal("5999.00")}
    assert flaky.asked == 3
    assert await scheduler.run_now("retry_refunds") == 0  # nothing left to retry


async def test_an_approval_whose_refund_cannot_be_recorded_is_not_approved(w):
    order = await paid_order(w)
    await w.orders.refund(order, Decimal("1.00"), "goodwill-1", "agent:a1", "补偿运费")
    ticket = await w.c.tickets.open_ticket(order.id, 0, "refund", "不想要了", "u1")
    with pytest.raises(PaymentError):  # the whole 5999.00 is no longer there to refund
        await w.c.tickets.answer(ticket.id, "jd-shop", approve=True, note="同意退款")
    stored = await w.c.tickets.get(ticket.id)
    assert stored.status is TicketStatus.MERCHANT_PROCESSING  # the approval rolled back with it
    assert await w.orders.refunds.refund_status(f"ticket-{ticket.id}") is None
    assert [e.to_status for e in await w.c.tickets.events(ticket.id)] == [
        TicketStatus.OPEN, TicketStatus.MERCHANT_PROCESSING]
