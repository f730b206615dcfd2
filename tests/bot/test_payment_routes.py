"""The pay page and the providers' notify route."""

from __future__ import annotations

import pytest

from shop.orders import OrderStatus
from tests.orders_harness import build_app, build_world, client, summary


@pytest.fixture
async def w(sqlite_url):
    world = await build_world(sqlite_url)
    yield world
    await world.engine.dispose()


async def _pending(w, language="zh"):
    order = await w.orders.create_from_summary(summary(language=language), f"k-{language}")
    intent = await w.orders.start_payment(order.id)
    return order, intent


@pytest.mark.parametrize(
    "language, words",
    [
        ("zh", ["收银台", "微信支付", "支付宝", "银行卡", "确认支付"]),
        ("en", ["Checkout", "WeChat Pay", "Alipay", "Card", "Pay now"]),
    ],
)
async def test_pay_page_shows_amount_items_and_methods(w, language, words):
    order, intent = await _pending(w, language)
    app, _ = build_app(w)
    async with client(app) as http:
        page = await http.get(f"/pay/{intent.payment_id}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'name="viewport"' in page.text
    assert "¥5,999.00" in page.text and "联想小新 Pro 14" in page.text and order.id in page.text
    for word in words:
        assert word in page.text
    assert page.text.count('type="radio"') == 3


async def test_confirming_on_the_page_pays_through_the_signed_callback(w):
    order, intent = await _pending(w)
    app, _ = build_app(w)
    async with client(app) as http:
        done = await http.post(f"/pay/{intent.payment_id}", data={"method": "alipay"})
        again = await http.get(f"/pay/{intent.payment_id}")
    assert done.status_code == 200 and "支付成功" in done.text
    assert (await w.orders.get(order.id)).status is OrderStatus.SUBMITTED
    assert "该订单已支付" in again.text and 'type="radio"' not in again.text
    callbacks = await w.orders.callbacks.callbacks_with_status("applied")
    assert [(p, n.method) for p, n in callbacks] == [("sandbox", "alipay")]


async def test_notify_route_accepts_genuine_and_rejects_forged_callbacks(w):
    order, intent = await _pending(w)
    headers, body = w.c.sandbox.pay(intent.payment_id, "card")
    app, _ = build_app(w)
    async with client(app) as http:
        forged = await http.post(
            "/payments/sandbox/notify", content=body, headers={**headers, "x-sandbox-signature": "ab" * 32}
        )
        assert forged.status_code == 401 and forged.json()["code"] == "FAIL"
        assert (await w.orders.get(order.id)).status is OrderStatus.CREATED
        answers = [
            await http.post("/payments/sandbox/notify", content=body, headers=headers) for _ in range(5)
        ]
        unknown = await http.post("/payments/nosuch/notify", content=body, headers=headers)
    assert [a.status_code for a in answers] == [200] * 5
    assert all(a.json() == {"code": "SUCCESS", "message": "成功"} for a in answers)
    assert unknown.status_code == 404
    assert [e.to_status for e in await w.orders.events(order.id)].count(OrderStatus.PAID) == 1


async def test_client_mistakes_are_4xx_not_500(w):
    _, intent = await _pending(w)
    app, _ = build_app(w)
    async with client(app) as http:
        assert (await http.get("/pay/pay_unknown")).status_code == 404
        assert (await http.post("/pay/pay_unknown", data={"method": "card"})).status_code == 404
        assert (await http.post(f"/pay/{intent.payment_id}", data={"method": "cash"})).status_code == 422
        assert (await http.post(f"/pay/{intent.payment_id}", data={})).status_code == 422
        assert (await http.post("/payments/sandbox/notify", content=b"garbage")).status_code == 401
