"""A return a shopper can finish (issue 17.6): the merchant approves the return; the shopper is
given the merchant's return address and asked for the parcel; a tracking number typed in the chat
is checked (carrier + number), kept on the ticket and shown to the agent and the merchant; the
simulated carrier moves the parcel (the shopper is told), the merchant confirms it is back and the
refund is issued. In Chinese and in English."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest

from integrations.memory.clock import FakeClock
from tests.bot.test_console_api import console_env
from tests.orders_harness import summary

MERCHANT = {"X-Merchant-Key": "k-jd"}
ADDRESS = "上海市浦东新区张江路 88 号 京东自营售后 收,021-55556666"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def env(settings, clock):
    async with console_env(settings.model_copy(update={"merchant_api_keys": "jd-shop:k-jd"}), clock) as (app, _n, login):
        yield app, login


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test")


async def return_ticket(app, sender: str, language: str) -> tuple[str, str]:
    """A paid order of the REST shopper `sender` and a return ticket on it: (ticket id, order id)."""
    services = app.state.runtime.services
    shopper = await services.shoppers.by_identity("rest", sender)
    order = await services.orders.create_from_summary(
        replace(summary(shopper=shopper.id, language=language), recipient_id=sender), f"return-{sender}")
    intent = await services.orders.start_payment(order.id)
    async with client(app) as c:
        paid = await c.post(f"/sandbox/payments/{intent.payment_id}/pay", json={"method": "alipay"})
        assert paid.status_code == 200, paid.text
    ticket = await services.aftersales.open_ticket(order.id, 0, "return", "屏幕碎了", shopper.id, notify=False)
    return str(ticket.id), order.id


async def say(c: httpx.AsyncClient, sender: str, text: str) -> list[dict]:
    resp = await c.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert resp.status_code == 200, resp.text
    return resp.json()


async def pushed(c: httpx.AsyncClient, sender: str, wanted: str) -> list[dict]:
    """The shopper's pushed messages, read until one contains `wanted` (bounded)."""
    got: list[dict] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        got += (await c.get("/webhooks/rest/outbox", params={"sender": sender})).json()
        if any(wanted in (m.get("text") or "") for m in got):
            return got
        await asyncio.sleep(0.05)
    raise AssertionError(f"{wanted!r} never pushed: {got}")


async def merchant_ticket(c: httpx.AsyncClient, ticket_id: str) -> dict:
    listed = (await c.get("/merchant/tickets", headers=MERCHANT)).json()["tickets"]
    return next(t for t in listed if t["ticket_id"] == ticket_id)


async def test_a_chinese_shopper_sends_the_return_back_and_is_refunded(env):
    app, login = env
    ticket_id, order_id = await return_ticket(app, "r1", "zh")
    async with client(app) as c:
        assert (await c.put("/merchant/return-address", json={"address": ADDRESS}, headers=MERCHANT)).status_code == 200
        assert (await c.get("/merchant/return-address", headers=MERCHANT)).json()["address"] == ADDRESS
        approved = await c.post(f"/merchant/tickets/{ticket_id}/answer", json={"decision": "approve"}, headers=MERCHANT)
        assert approved.status_code == 200 and approved.json()["return_address"] == ADDRESS

        told = await pushed(c, "r1", ADDRESS)
        text = next(m["text"] for m in told if ADDRESS in (m.get("text") or ""))
        assert f"售后单 {ticket_id}" in text and "快递公司和单号" in text and "退款" in text

        wrong = await say(c, "r1", "顺丰 SF123")
        assert "不像是顺丰的运单号" in wrong[0]["text"]
        assert (await merchant_ticket(c, ticket_id))["return_parcel"] is None

        saved = await say(c, "r1", "已经寄出了,顺丰 SF1234567890")
        assert "记下了:顺丰 SF1234567890" in saved[0]["text"] and ticket_id in saved[0]["text"]
        assert saved[0]["custom"] == {"type": "ticket", "ticket_id": ticket_id, "order_id": order_id,
                                      "service_type": "return", "status": "return_shipping"}

        seen = await merchant_ticket(c, ticket_id)
        assert seen["status"] == "return_shipping"
        assert seen["return_parcel"] == {"carrier_code": "SF", "tracking_number": "SF1234567890", "status": "created"}
        staff = (await (await login("alice")).get("/tickets?status=return_shipping")).json()["tickets"]
        assert [t["return_parcel"] for t in staff if t["ticket_id"] == ticket_id] == [
            {"carrier_code": "SF", "tracking_number": "SF1234567890"}]

        # the carrier carries it back: the shopper hears where it is, the merchant sees it delivered
        moved = await c.post("/sandbox/carrier/advance", json={"tracking_number": "SF1234567890", "steps": 10})
        assert moved.status_code == 200, moved.text
        await pushed(c, "r1", "SF1234567890")
        assert (await merchant_ticket(c, ticket_id))["return_parcel"]["status"] in ("delivered", "in_transit",
                                                                                   "out_for_delivery")

        received = await c.post(f"/merchant/tickets/{ticket_id}/return-received", headers=MERCHANT)
        assert received.status_code == 200, received.text
        assert received.json()["status"] == "resolved" and Decimal(received.json()["refund_amount"]) == Decimal("5999.00")
        await pushed(c, "r1", "已解决")

        # an agent the shopper asks for reads the parcel in the shopper's profile
        await say(c, "r1", "转人工")
        hid = (await app.state.console.desk.queue.repo.open_for("rest:r1")).id
        detail = (await (await login("bob")).get(f"/handoffs/{hid}")).text
        assert "退货快递 顺丰 SF1234567890" in detail


async def test_an_english_shopper_types_the_number_alone_and_a_demo_merchant_has_an_address(env):
    app, _login = env
    ticket_id, _order = await return_ticket(app, "r2", "en")
    async with client(app) as c:
        # a merchant that never set one: the shopper is told it will come from the merchant
        await c.post(f"/merchant/tickets/{ticket_id}/answer", json={"decision": "approve"}, headers=MERCHANT)
        told = await pushed(c, "r2", "tracking number")
        assert any("will tell you the return address" in (m.get("text") or "") for m in told)

        typo = await say(c, "r2", "my tracking number is 7310001234")
        assert "does not look like a courier tracking number" in typo[0]["text"]
        saved = await say(c, "r2", "SF9876543210123")
        assert saved[0]["text"].startswith("Noted: SF Express SF9876543210123 is the return parcel of ticket")
        assert "your money goes back the way you paid" in saved[0]["text"]
        # a second number after the parcel is on its way is not taken for it
        later = await say(c, "r2", "SF1111111111")
        assert "Noted" not in later[0]["text"]
        assert (await merchant_ticket(c, ticket_id))["return_parcel"]["tracking_number"] == "SF9876543210123"


def test_demo_stores_answer_with_a_return_address_of_their_own():
    from bot.demo_merchants import demo_return_address

    one, again, other = demo_return_address("罗马仕官方旗舰店"), demo_return_address("罗马仕官方旗舰店"), demo_return_address("小米之家")
    assert one == again and one != other and "罗马仕官方旗舰店 售后部 收" in one
