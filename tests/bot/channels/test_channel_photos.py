"""Photos for an after-sales ticket from Telegram and WeChat (issue 17.6): the shopper sends a
picture in the chat app; the bot fetches it through the app's own API (Telegram getFile and the
file download; WeChat's media API by MediaId), stores it like a web chat upload, answers in the
chat, and the support console and the merchant see it on the ticket. The local Bot API and WeChat
API servers speak the real protocols; the whole app runs with both channels on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import xmltodict

from dialogue import responses
from integrations.memory.clock import FakeClock
from tests.bot.channels.botapi_stub import BotApiStub
from tests.bot.channels.servers import serve
from tests.bot.channels.test_wechat import TOKEN as WX_TOKEN
from tests.bot.channels.test_wechat import signed, text_xml
from tests.bot.channels.wechat_stub import APP_ID, APP_SECRET, WeChatApiStub
from tests.bot.test_console_api import console_env
from tests.orders_harness import summary

TG_TOKEN = "123456:TEST-token_abc"
TG_SECRET = "tg-secret"
MERCHANT = {"X-Merchant-Key": "k-jd"}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 8 + b"\xff\xd9"
SMALL_JPEG = b"\xff\xd8\xff\xe0small-thumbnail\xff\xd9"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def apis() -> AsyncIterator[tuple[BotApiStub, str, WeChatApiStub, str]]:
    tg, wx = BotApiStub(TG_TOKEN), WeChatApiStub()
    async with serve(tg.app()) as tg_url, serve(wx.app()) as wx_url:
        yield tg, tg_url, wx, wx_url


async def _env(settings, clock, apis, *, products: bool = False):
    tg, tg_url, wx, wx_url = apis
    with_channels = settings.model_copy(update={
        "telegram_token": TG_TOKEN, "telegram_webhook_secret": TG_SECRET, "telegram_api_base_url": tg_url,
        "wechat_token": WX_TOKEN, "wechat_app_id": APP_ID, "wechat_app_secret": APP_SECRET,
        "wechat_api_base_url": wx_url, "merchant_api_keys": "jd-shop:k-jd"})
    async with console_env(with_channels, clock, products=products) as (app, _new, login):
        await tg.wait_for("getMe", timeout=30.0)  # the channels start once the NLU model is loaded
        yield app, login, tg, wx


@pytest.fixture
async def env(settings, clock, apis):
    async for found in _env(settings, clock, apis):
        yield found


@pytest.fixture
async def shop_env(settings, clock, apis):
    """The same with the demo platforms on (the shopper searches the demo catalog)."""
    async for found in _env(settings.model_copy(update={"demo_catalog": "demo"}), clock, apis, products=True):
        yield found


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test")


async def ticket_for(app, channel: str, sender: str) -> str:
    """A paid jd-shop order of the chat app's shopper, with a return ticket in progress."""
    services = app.state.runtime.services
    shopper = await services.shoppers.by_identity(channel, sender)
    order = await services.orders.create_from_summary(summary(shopper=shopper.id), f"photo-{channel}-{sender}")
    intent = await services.orders.start_payment(order.id)
    async with client(app) as c:
        paid = await c.post(f"/sandbox/payments/{intent.payment_id}/pay", json={"method": "alipay"})
        assert paid.status_code == 200, paid.text
    ticket = await services.aftersales.open_ticket(order.id, 0, "return", "屏幕碎了", shopper.id, notify=False)
    return str(ticket.id)


async def seen_by_staff_and_merchant(app, login, ticket_id: str) -> list[str]:
    """The ticket's photos as the console lists them; the merchant API must list the same ones."""
    alice = await login("alice")
    listed = (await alice.get("/tickets")).json()["tickets"]
    photos = next(t["photos"] for t in listed if t["ticket_id"] == ticket_id)
    async with client(app) as c:
        merchant = (await c.get("/merchant/tickets", headers=MERCHANT)).json()["tickets"]
    assert [t["photos"] for t in merchant if t["ticket_id"] == ticket_id] == [photos]
    return list(photos)


def telegram_photo(update_id: int, sizes: list[dict[str, Any]], caption: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": 500 + update_id, "date": 1763870000, "chat": {"id": 42, "type": "private", "first_name": "Li"},
        "from": {"id": 42, "is_bot": False, "first_name": "Li", "language_code": "zh-hans"}, "photo": sizes}
    if caption is not None:
        message["caption"] = caption
    return {"update_id": update_id, "message": message}


async def test_a_telegram_photo_is_fetched_at_its_largest_and_goes_with_the_ticket(env):
    app, login, tg, _wx = env
    ticket_id = await ticket_for(app, "telegram", "42")
    small = {**tg.add_file("thumb", SMALL_JPEG, "photos/thumb.jpg"), "width": 90, "height": 90}
    large = {**tg.add_file("big", JPEG, "photos/big.jpg"), "width": 1280, "height": 960}
    async with client(app) as c:
        sent = await c.post("/webhooks/telegram", json=telegram_photo(1, [small, large], caption="屏幕裂了一道"),
                            headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET})
        assert sent.status_code == 200
        answers = await tg.wait_for("sendMessage", timeout=30.0)
        assert tg.downloads == ["photos/big.jpg"]  # the largest size only
        assert f"照片已附在工单 {ticket_id} 里(共 1 张)" in answers[0].params["text"].replace("\\", "")

        photos = await seen_by_staff_and_merchant(app, login, ticket_id)
        assert len(photos) == 1 and photos[0].startswith("/photos/") and photos[0].endswith(".jpg")
        served = await c.get(photos[0])
        assert served.status_code == 200 and served.content == JPEG
    # the caption is read as the shopper's words after the photo: a second answer
    await tg.wait_for("sendMessage", count=2, timeout=30.0)


async def test_a_telegram_photo_the_bot_cannot_fetch_is_said_so_and_nothing_is_attached(env):
    app, login, tg, _wx = env
    ticket_id = await ticket_for(app, "telegram", "42")
    gone = {"file_id": "expired", "file_unique_id": "u-expired", "width": 800, "height": 600, "file_size": 100}
    async with client(app) as c:
        await c.post("/webhooks/telegram", json=telegram_photo(2, [gone]),
                     headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET})
    answers = await tg.wait_for("sendMessage", timeout=30.0)
    assert "没能从聊天软件取下来" in answers[0].params["text"].replace("\\", "")
    assert await seen_by_staff_and_merchant(app, login, ticket_id) == []


async def wechat_answers(app, wx: WeChatApiStub, xml: str, nonce: str) -> list[str]:
    """What the follower reads: the passive reply, then anything sent through the customer-service API."""
    async with client(app) as c:
        resp = await c.post("/webhooks/wechat", params=signed(nonce, ts=int(time.time())), content=xml.encode())
    assert resp.status_code == 200, resp.text
    texts = []
    if resp.text != "success":
        texts.append(xmltodict.parse(resp.text)["xml"]["Content"])
    holding = responses.text("channel_busy", "zh")
    deadline = time.monotonic() + 30
    while texts == [holding] and not wx.sent and time.monotonic() < deadline:  # a slow turn: the answer follows
        await asyncio.sleep(0.05)
    return texts + [m["text"]["content"] for m in wx.sent if m.get("msgtype") == "text"]


async def test_a_wechat_image_is_downloaded_by_its_media_id_and_goes_with_the_ticket(env):
    app, login, _tg, wx = env
    ticket_id = await ticket_for(app, "wechat", "oUser_openid_0001")
    wx.media["MEDIA_abc123"] = JPEG
    xml = text_xml("", msg_id=9001, kind="image", PicUrl="http://mmbiz.qpic.cn/not-fetched", MediaId="MEDIA_abc123")
    texts = await wechat_answers(app, wx, xml, "nonce-image-1")
    assert any(f"照片已附在工单 {ticket_id} 里(共 1 张)" in t for t in texts), texts

    photos = await seen_by_staff_and_merchant(app, login, ticket_id)
    assert len(photos) == 1
    async with client(app) as c:
        assert (await c.get(photos[0])).content == JPEG


async def test_a_wechat_image_that_is_not_a_picture_is_refused(env):
    app, login, _tg, wx = env
    ticket_id = await ticket_for(app, "wechat", "oUser_openid_0001")
    wx.media["MEDIA_svg"] = b"<svg onload=alert(1)>"
    xml = text_xml("", msg_id=9002, kind="image", PicUrl="http://mmbiz.qpic.cn/x", MediaId="MEDIA_svg")
    texts = await wechat_answers(app, wx, xml, "nonce-image-2")
    assert any("这张图片没收下" in t for t in texts), texts
    assert await seen_by_staff_and_merchant(app, login, ticket_id) == []


async def test_product_pictures_reach_telegram_and_wechat_as_pngs(shop_env):
    """Telegram and WeChat cannot show SVG: a product list on Telegram is an album of PNG
    pictures, a product's details on WeChat a news article whose picurl is a PNG, and those
    URLs serve a PNG picture."""
    app, _login, tg, wx = shop_env
    async with client(app) as c:
        update = {"update_id": 77, "message": {
            "message_id": 1077, "date": 1763870000, "chat": {"id": 42, "type": "private", "first_name": "Li"},
            "from": {"id": 42, "is_bot": False, "first_name": "Li", "language_code": "zh-hans"}, "text": "耳机"}}
        sent = await c.post("/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET})
        assert sent.status_code == 200
        album = (await tg.wait_for("sendMediaGroup", timeout=30.0))[0]
        urls = [m["media"] for m in album.params["media"]]
        assert urls and all(m["type"] == "photo" for m in album.params["media"])
        assert all(u.split("?")[0].endswith(".png") for u in urls), urls
        picture = await c.get(httpx.URL(urls[0]).path)
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
        assert picture.content.startswith(b"\x89PNG\r\n\x1a\n")

    pictures: list[str] = []  # the news articles' pictures, passive replies or customer-service messages
    async with client(app) as c:
        for n, text in enumerate(("耳机", "第一个详细说说")):
            resp = await c.post("/webhooks/wechat", params=signed(f"nonce-pic-{n}", ts=int(time.time())),
                                content=text_xml(text, msg_id=9101 + n).encode())
            assert resp.status_code == 200, resp.text
            if resp.text != "success":
                passive = xmltodict.parse(resp.text)["xml"]
                if passive["MsgType"] == "news":
                    items = passive["Articles"]["item"]
                    pictures += [i["PicUrl"] for i in (items if isinstance(items, list) else [items])]
    deadline = time.monotonic() + 30
    while not pictures and time.monotonic() < deadline:
        pictures = [a["picurl"] for m in wx.sent if m.get("msgtype") == "news" for a in m["news"]["articles"]]
        await asyncio.sleep(0.05)
    assert pictures and all(p.endswith(".png") for p in pictures), (pictures, wx.sent)
