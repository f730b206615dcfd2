"""The merchant API: keys, ownership, accepting and shipping orders, answering tickets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.routes.merchant import parse_merchant_keys
from shop.orders import OrderStatus
from tests.orders_harness import build_app, build_world, client, paid_order

JD = {"X-Merchant-Key": "k-jd"}
OTHER = {"X-Merchant-Key": "k-other"}


@pytest.fixture
async def w(sqlite_url):
    world = await build_world(sqlite_url)
    yield world
    await world.engine.dispose()


def test_parse_merchant_keys():
    assert parse_merchant_keys(" a:1, b:2 ,bad,:x,c:") == {"a": "1", "b": "2"}


async def test_authentication_and_ownership(w):
    order = await paid_order(w)
    app, _ = build_app(w)
    async with client(app) as http:
        missing = await http.get("/merchant/orders")
        wrong = await http.get("/merchant/orders", headers={"X-Merchant-Key": "k-jdx"})
        other = await http.post(f"/merchant/orders/{order.id}/accept", headers=OTHER)
        others_list = await http.get("/merchant/orders", headers=OTHER)
        nothing = await http.post("/merchant/orders/SO000/accept", headers=JD)
    assert missing.status_code == 401 and wrong.status_code == 401
    assert other.status_code == 403
    assert others_list.json() == {"orders": []}
    assert nothing.status_code == 404


async def test_accept_ship_and_track(w):
    order = await paid_order(w)
    app, _ = build_app(w)
    async with client(app) as http:
        listed = (await http.get("/merchant/orders", params={"status": "submitted"}, headers=JD)).json()[
            "orders"
        ]
        assert [o["order_id"] for o in listed] == [order.id]
        assert listed[0]["address"] == "上海市浦东新区 1 号" and listed[0]["accepted"] is False
        accepted = await http.post(f"/merchant/orders/{order.id}/accept", headers=JD)
        assert accepted.status_code == 200 and accepted.json()["accepted"] is True
        bad = await http.post(f"/merchant/orders/{order.id}/ship", json={"carrier_code": "SF"}, headers=JD)
        assert bad.status_code == 422
        shipped = await http.post(
            f"/merchant/orders/{order.id}/ship",
            json={"carrier_code": "SF", "tracking_number": "SF42"},
            headers=JD,
        )
        assert shipped.status_code == 200
        assert shipped.json()["order"]["status"] == "shipped"
        assert shipped.json()["shipment"]["tracking_number"] == "SF42"
        again = await http.post(f"/merchant/orders/{order.id}/accept", headers=JD)
        assert again.status_code == 409 and "shipped" in again.json()["detail"]
    assert (await w.orders.get(order.id)).status is OrderStatus.SHIPPED
    assert w.c.simulated_carrier.knows("SF42")
    assert [e.order.status.value for e in w.notifier.orders][-1] == "shipped"


async def test_answering_tickets(w):
    order = await paid_order(w)
    refund = await w.c.tickets.open_ticket(order.id, 0, "refund", "买错了", "u1")
    app, _ = build_app(w)
    async with client(app) as http:
        listed = (await http.get("/merchant/tickets", headers=JD)).json()["tickets"]
        assert [t["ticket_id"] for t in listed] == [refund.id] and listed[0]["reason"] == "买错了"
        assert (await http.get("/merchant/tickets", headers=OTHER)).json() == {"tickets": []}
        assert (
            await http.post(
                f"/merchant/tickets/{refund.id}/answer", json={"decision": "approve"}, headers=OTHER
            )
        ).status_code == 403
        assert (
            await http.post(f"/merchant/tickets/{refund.id}/answer", json={"decision": "maybe"}, headers=JD)
        ).status_code == 422
        done = await http.post(
            f"/merchant/tickets/{refund.id}/answer", json={"decision": "approve", "note": "ok"}, headers=JD
        )
        assert done.status_code == 200
        assert done.json()["status"] == "resolved" and done.json()["refund_amount"] == "5999.00"
        twice = await http.post(
            f"/merchant/tickets/{refund.id}/answer", json={"decision": "approve"}, headers=JD
        )
        assert twice.status_code == 409
        assert (
            await http.post(f"/merchant/tickets/{refund.id}/return-received", headers=JD)
        ).status_code == 409
        assert (
            await http.post("/merchant/tickets/AS0/answer", json={"decision": "reject"}, headers=JD)
        ).status_code == 404
    assert await w.orders.refunds.refunded_total(order.payment_id) == Decimal("5999.00")
