"""After-sales photos (issue 17.6): a web chat shopper uploads a photo; it goes with their ticket
in progress and the support console (ticket list, conversation) and the merchant see it; a file
that is not a picture is refused in the shopper's language; with no ticket the shopper is told
what to do first."""

from __future__ import annotations

import httpx
import pytest

from integrations.memory.clock import FakeClock
from tests.bot.test_console_api import console_env
from tests.orders_harness import summary

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def shop(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test")


async def paid_ticket(app, sender: str) -> tuple[str, str]:
    services = app.state.runtime.services
    shopper = await services.shoppers.by_identity("webchat", sender)
    order = await services.orders.create_from_summary(summary(shopper=shopper.id), f"photo-{sender}")
    intent = await services.orders.start_payment(order.id)
    async with shop(app) as c:
        paid = await c.post(f"/sandbox/payments/{intent.payment_id}/pay", json={"method": "alipay"})
        assert paid.status_code == 200, paid.text
    ticket = await services.aftersales.open_ticket(order.id, 0, "return", "屏幕碎了", shopper.id, notify=False)
    return ticket.id, shopper.id


async def test_a_photo_goes_with_the_ticket_and_the_staff_see_it(settings, clock):
    async with console_env(settings, clock) as (app, _new, login):
        ticket_id, _shopper = await paid_ticket(app, "w1")
        async with shop(app) as c:
            sent = await c.post("/webchat/photos", params={"sender": "w1", "language": "zh"}, content=PNG,
                                headers={"Content-Type": "image/png"})
            assert sent.status_code == 200, sent.text
            url = sent.json()["url"]
            assert url.startswith("/photos/") and url.endswith(".png")
            assert f"照片已附在工单 {ticket_id} 里(共 1 张)" in sent.json()["replies"][0]["text"]
            served = await c.get(url)
            assert served.status_code == 200 and served.content == PNG and served.headers["content-type"] == "image/png"
            assert (await c.get("/photos/..%2Fapp.db")).status_code == 404

        ticket = await app.state.runtime.services.aftersales.get(ticket_id)
        assert ticket.photos == (url,)
        alice = await login("alice")
        listed = (await alice.get("/tickets")).json()["tickets"]
        assert [t["photos"] for t in listed if t["ticket_id"] == ticket_id] == [[url]]


async def test_not_a_picture_is_refused_and_no_ticket_is_explained(settings, clock):
    async with console_env(settings, clock) as (app, _new, _login), shop(app) as c:
        refused = await c.post("/webchat/photos", params={"sender": "w2", "language": "en"},
                               content=b"<svg onload=alert(1)>", headers={"Content-Type": "image/png"})
        assert refused.status_code == 415 and "JPG, PNG or WebP" in refused.json()["detail"]
        no_ticket = await c.post("/webchat/photos", params={"sender": "w2", "language": "zh"}, content=PNG,
                                 headers={"Content-Type": "image/png"})
        assert "没有进行中的售后工单" in no_ticket.json()["replies"][0]["text"]
        bad_sender = await c.post("/webchat/photos", params={"sender": "../x"}, content=PNG)
        assert bad_sender.status_code == 400


async def test_a_photo_sent_while_talking_to_an_agent_shows_in_the_console(settings, clock):
    async with console_env(settings, clock) as (app, _new, login), shop(app) as c:
        await c.post("/webchat/messages", json={"sender": "w3", "text": "转人工"})
        sent = await c.post("/webchat/photos", params={"sender": "w3", "language": "zh"}, content=PNG,
                            headers={"Content-Type": "image/png"})
        url = sent.json()["url"]
        hid = (await app.state.console.desk.queue.repo.open_for("webchat:w3")).id
        detail = (await (await login("alice")).get(f"/handoffs/{hid}")).json()
        photo = [line for line in detail["transcript"] if line.get("image")]
        assert [(p["shown"], p["image"]) for p in photo] == [("发来一张照片", url)]
