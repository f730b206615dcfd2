"""The demo completes without anyone playing the merchant (issue 17.6): with DEMO_MERCHANT_POLICY
on, a shopper's return is approved by the demo store's policy job (run now through
`POST /sandbox/jobs/demo_merchant_policy/run`), the shopper gets the store's return address, sends
the parcel, and once the carrier has delivered it back the job confirms it and the shopper is
refunded; a complaint is left for staff."""

from __future__ import annotations

import pytest

from integrations.memory.clock import FakeClock
from tests.bot.test_console_api import console_env
from tests.bot.test_return_parcels import client, pushed, return_ticket, say


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_the_demo_store_answers_a_return_and_a_complaint_waits_for_staff(settings, clock):
    async with console_env(settings.model_copy(update={"demo_merchant_policy": True}), clock) as (app, _n, login), \
            client(app) as c:
        ticket_id, _order = await return_ticket(app, "p1", "zh")
        services = app.state.runtime.services
        shopper = await services.shoppers.by_identity("rest", "p1")
        complaint = await services.aftersales.open_ticket(_order, 0, "complaint", "客服不回消息", shopper.id,
                                                          notify=False)
        assert "demo_merchant_policy" in (await c.get("/sandbox/jobs")).text
        ran = await c.post("/sandbox/jobs/demo_merchant_policy/run")
        assert ran.status_code == 200, ran.text

        told = await pushed(c, "p1", "请把商品寄到")
        text = next(m["text"] for m in told if "请把商品寄到" in (m.get("text") or ""))
        assert "jd-shop 售后部 收" in text  # the store's own return address
        saved = await say(c, "p1", "顺丰 SF2024000000001")
        assert "记下了" in saved[0]["text"]

        await c.post("/sandbox/carrier/advance", json={"tracking_number": "SF2024000000001", "steps": 10})
        await c.post("/sandbox/jobs/demo_merchant_policy/run")
        await pushed(c, "p1", "已解决")
        ticket = await services.aftersales.get(ticket_id)
        assert ticket.status.value == "resolved" and ticket.refund_amount is not None

        staff = (await (await login("alice")).get("/tickets")).json()["tickets"]
        assert [t["status"] for t in staff if t["ticket_id"] == complaint.id] == ["open"]
