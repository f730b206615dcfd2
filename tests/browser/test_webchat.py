"""The web chat page in a real browser: cards, buttons, payment page, a pushed shipment, reloads."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from bot.channels.webchat import WebChatChannel
from dialogue.messages import Button, IncomingMessage, Reply, conversation_id
from tests.browser.conftest import save_screenshot
from tracking.outbox import InMemoryOutbox

pytestmark = pytest.mark.browser

ITEMS = [
    {"id": "jd-1", "title": "华为 MateBook 14 轻薄本", "brand": "Huawei", "platform": "jd", "price": "4999.00",
     "currency": "CNY", "original_price": "5499.00", "promotion": "满5000减300", "sales": 1200, "rating": 4.8,
     "url": "https://item.jd.com/1.html", "image_url": "/img/jd-1.svg"},
    {"id": "tb-2", "title": "联想 小新 Pro 14", "brand": "Lenovo", "platform": "taobao", "price": "5299.00",
     "currency": "CNY", "original_price": "5299.00", "promotion": None, "sales": 860, "rating": 4.7,
     "url": "https://item.taobao.com/2.html", "image_url": "/img/tb-2.svg"},
    {"id": "pdd-3", "title": "小米 RedmiBook 16", "brand": "Xiaomi", "platform": "pdd", "price": "3899.00",
     "currency": "CNY", "original_price": "4199.00", "promotion": "百亿补贴", "sales": 5300, "rating": 4.6,
     "url": "https://mobile.yangkeduo.com/3.html", "image_url": "/img/pdd-3.svg"},
]
SHIPMENT = {
    "type": "shipment", "order_id": "SO2026112300017", "carrier": "顺丰速运", "tracking_number": "SF1234567890",
    "status": "in_transit",
    "events": [
        {"time": "2026-11-23 10:00", "status": "picked_up", "location": "深圳", "description": "已揽收"},
        {"time": "2026-11-23 18:30", "status": "in_transit", "location": "广州", "description": "运输中"},
    ],
}


class ShopDouble:
    """The fake turn handler behind the page, and what it was asked."""

    def __init__(self, outbox: InMemoryOutbox) -> None:
        self.outbox = outbox
        self.seen: list[str] = []

    async def __call__(self, message: IncomingMessage) -> list[Reply]:
        self.seen.append(message.text)
        if message.text.startswith("/show_details"):
            item = {**ITEMS[1], "specs": {"屏幕": "14英寸 2.8K", "内存": "16GB"},
                    "offers": [{"platform": "jd", "price": "5399.00", "effective_price": "5349.00"}]}
            return [Reply(text="联想 小新 Pro 14 的详细信息:", custom={"type": "product", "item": item, "offers": item["offers"]},
                          buttons=(Button("就买这个", '/buy{"product_id": "tb-2"}'), Button("返回列表", "/refine_search")))]
        if message.text.startswith("/buy"):
            order = {"type": "order", "order_id": "SO2026112300017", "status": "pending_payment",
                     "items": [{"product_id": "tb-2", "title": "联想 小新 Pro 14", "quantity": 2, "unit_price": "2889.00",
                                "price": "2414.00"}],
                     "price_breakdown": [{"label": "满3000减300 + 650元券", "amount": "-950.00"}],
                     "total": "4828.00", "currency": "CNY", "payment_url": "/pay/pay-001"}
            return [Reply(text="订单已创建,请支付 ¥4,828.00", custom=order)]
        if "对比" in message.text:
            rows = [{"label": "价格", "values": ["¥4,999.00", "¥3,899.00"]}, {"label": "评分", "values": [4.8, 4.6]}]
            return [Reply(text="对比如下:", custom={"type": "comparison", "items": [ITEMS[0], ITEMS[2]], "rows": rows})]
        return [Reply(text="找到 3 件商品,价格最低的 3 件:",
                      custom={"type": "products", "query": {"product": "笔记本"}, "total": 3, "items": ITEMS},
                      buttons=(Button("按销量排序", '/refine_search{"sort_by": "sales"}'),))]


def build_app() -> tuple[FastAPI, ShopDouble, InMemoryOutbox]:
    outbox = InMemoryOutbox()
    shop = ShopDouble(outbox)
    channel = WebChatChannel(shop, outbox, keepalive=5.0)
    app = FastAPI()
    app.include_router(channel.router)

    @app.get("/img/{name}")
    async def image(name: str) -> Response:
        svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120">'
               '<rect width="120" height="120" fill="#cfe8ff"/><text x="10" y="65">laptop</text></svg>')
        return Response(svg, media_type="image/svg+xml")

    @app.get("/pay/{payment_id}")
    async def pay_page(payment_id: str) -> HTMLResponse:
        return HTMLResponse(
            f"<!doctype html><meta charset=utf-8><h1>沙箱支付 {payment_id}</h1>"
            f"<button id=confirm onclick=\"fetch('/pay/{payment_id}/confirm',{{method:'POST'}})"
            f".then(()=>document.body.insertAdjacentHTML('beforeend','<p id=done>支付成功</p>'))\">确认支付</button>"
        )

    @app.post("/pay/{payment_id}/confirm")
    async def confirm(payment_id: str) -> dict[str, str]:
        sender = app.state.sender
        await outbox.put(conversation_id("webchat", sender),
                         [Reply(text="你的订单已发货:顺丰速运 SF1234567890", custom=SHIPMENT).to_dict(sender)])
        return {"status": "paid"}

    return app, shop, outbox


def bot_rows(page: Any) -> Any:
    return page.locator("[data-testid=msg-bot]")


def test_search_details_buy_pay_and_see_the_shipment(live_server, browser_page) -> None:
    app, shop, outbox = build_app()
    server = live_server(app)
    page = browser_page
    page.goto(server.url + "/")
    page.wait_for_selector("[data-testid=status][data-state=online]")
    app.state.sender = page.evaluate("window.shopbot.sender")

    page.fill("[data-testid=input]", "想买五千左右的笔记本")
    page.click("[data-testid=send]")
    cards = page.locator("[data-testid=product-card]")
    cards.first.wait_for()
    assert cards.count() == 3
    first = cards.nth(0)
    assert first.locator("[data-testid=title]").inner_text() == "1. 华为 MateBook 14 轻薄本"
    assert first.locator("[data-testid=price]").inner_text().startswith("¥4,999.00")
    assert first.locator("[data-testid=platform]").inner_text() == "京东"
    assert first.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    save_screenshot(page, "webchat-1-products")

    cards.nth(1).locator("[data-testid=details]").click()
    detail = page.locator("[data-testid=product-detail]")
    detail.wait_for()
    assert shop.seen[-1] == '/show_details{"ordinal":2,"product_id":"tb-2"}'  # the card names its product
    assert "14英寸 2.8K" in detail.inner_text()
    assert page.locator("[data-testid=msg-me]").last.inner_text() == "我\n详情 #2"
    save_screenshot(page, "webchat-2-details")

    page.locator("[data-testid=reply-button]", has_text="就买这个").click()
    order = page.locator("[data-testid=order-card]")
    order.wait_for()
    assert shop.seen[-1] == '/buy{"product_id": "tb-2"}'
    # each item at what the shopper pays for one, the discount line, the total: as the text says
    card = order.inner_text()
    assert "×2" in card and "¥2,414.00" in card and "¥2,889.00" not in card
    assert "满3000减300 + 650元券" in card and "-¥950.00" in card and "¥4,828.00" in card
    assert order.locator("[data-testid=order-status]").inner_text() == "待支付"
    save_screenshot(page, "webchat-3-order")

    with page.expect_popup() as popup_info:
        order.locator("[data-testid=pay]").click()
    pay = popup_info.value
    assert pay.url == server.url + "/pay/pay-001"
    pay.click("#confirm")
    pay.wait_for_selector("#done")
    save_screenshot(pay, "webchat-4-pay-page")
    pay.close()

    shipment = page.locator("[data-testid=shipment-card]")
    shipment.wait_for()
    assert "SF1234567890" in shipment.inner_text() and "广州" in shipment.inner_text()
    assert shipment.locator("[data-testid=shipment-status]").inner_text() == "运输中"
    save_screenshot(page, "webchat-5-shipment")

    before = bot_rows(page).count()
    page.reload()
    page.wait_for_selector("[data-testid=status][data-state=online]")
    assert bot_rows(page).count() == before
    assert page.locator("[data-testid=shipment-card]").count() == 1
    assert server.call(outbox.peek(conversation_id("webchat", app.state.sender))) == []


def test_pushes_while_away_arrive_and_nothing_is_lost_or_doubled(live_server, browser_page) -> None:
    app, _, outbox = build_app()
    server = live_server(app)
    page = browser_page
    page.goto(server.url + "/")
    page.wait_for_selector("[data-testid=status][data-state=online]")
    sender = page.evaluate("window.shopbot.sender")
    conv = conversation_id("webchat", sender)

    page.fill("[data-testid=input]", "对比第一个和第三个")
    page.press("[data-testid=input]", "Enter")
    table = page.locator("[data-testid=comparison]")
    table.wait_for()
    assert "评分" in table.inner_text() and "小米 RedmiBook 16" in table.inner_text()

    server.call(outbox.put(conv, [Reply(text="降价提醒:华为 MateBook 14 降到 ¥4599").to_dict(sender)]))
    page.get_by_text("降价提醒:华为 MateBook 14 降到 ¥4599").wait_for()

    page.goto("about:blank")  # the shopper leaves; the bot keeps talking
    server.call(outbox.put(conv, [Reply(text="你的包裹已签收", custom={**SHIPMENT, "status": "delivered"}).to_dict(sender)]))
    page.goto(server.url + "/")
    page.get_by_text("你的包裹已签收").wait_for()
    assert page.get_by_text("降价提醒:华为 MateBook 14 降到 ¥4599").count() == 1
    assert page.locator("[data-testid=comparison]").count() == 1
    save_screenshot(page, "webchat-6-back-after-away")

    page.click("[data-testid=lang-toggle]")
    assert page.locator("[data-testid=send]").inner_text() == "Send"
    assert page.locator("[data-testid=shipment-card] [data-testid=shipment-status]").inner_text() == "Delivered"
    history = json.loads(page.evaluate("localStorage.getItem('shopbot.history.' + window.shopbot.sender)"))
    assert [h["who"] for h in history] == ["me", "bot", "bot", "bot"]
    save_screenshot(page, "webchat-7-english")


def test_a_pushed_ticket_card_reads_in_words(live_server, browser_page) -> None:
    """The shopper's ticket card: 类型 退货 and 商家处理中, not "return" and "merchant_processing"."""
    app, _, outbox = build_app()
    server = live_server(app)
    page = browser_page
    page.goto(server.url + "/")
    page.wait_for_selector("[data-testid=status][data-state=online]")
    sender = page.evaluate("window.shopbot.sender")
    ticket = {"type": "ticket", "ticket_id": "AS20261205001", "order_id": "SO2026112300017",
              "service_type": "return", "status": "merchant_processing"}
    server.call(outbox.put(conversation_id("webchat", sender),
                           [Reply(text="售后单 AS20261205001:商家处理中", custom=ticket).to_dict(sender)]))
    card = page.locator("[data-testid=ticket-card]")
    card.wait_for()
    text = card.inner_text()
    assert "退货" in text and "商家处理中" in text
    assert "return" not in text and "merchant_processing" not in text
    save_screenshot(page, "webchat-ticket-card-zh")
    page.click("[data-testid=lang-toggle]")
    text = card.inner_text()
    assert "Return" in text and "With the merchant" in text and "merchant_processing" not in text
