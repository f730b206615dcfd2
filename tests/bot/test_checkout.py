"""Checkout of a cart across platforms from the shopper's side, through the REST channel of the
real app (issue 18.2): one summary store by store, one payment, one order per store, each
shipped and tracked on its own; bad input (empty cart, a delisted line, a price that moves)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dialogue.messages import button_payload
from tests.bot.test_cart import answer_variants, custom, say, text

ADDRESS_ZH = ("北京市朝阳区建国路88号3号楼501", "王芳", "13800138000", "不用", "微信支付")
ADDRESS_EN = ("88 Jianguo Road, Building 3 Apt 501, Chaoyang, Beijing", "Wang Fang", "13800138000", "no thanks",
              "WeChat Pay")


async def two_platforms(client: Any, sender: str, query: str) -> list[tuple[str, str]]:
    """Two products of the search, each with an in-stock offer on a different platform."""
    found = custom(await say(client, sender, query), "products")
    assert found and found["items"], query
    picked: list[tuple[str, str]] = []
    for item in found["items"]:
        details = custom(await say(client, sender, button_payload("show_details", product_id=item["id"])), "product")
        assert details is not None
        platforms = [details["item"]["platform"]] + [o["platform"] for o in details.get("offers") or []]
        for platform in platforms:
            if platform not in {p for _, p in picked}:
                picked.append((item["id"], platform))
                break
        if len(picked) == 2:
            return picked
    raise AssertionError("the catalog has no two products on two platforms for " + query)


async def fill_cart(client: Any, sender: str, query: str) -> dict[str, Any]:
    for product_id, platform in await two_platforms(client, sender, query):
        added = await answer_variants(client, sender, await say(
            client, sender, button_payload("add_to_cart", product_id=product_id, platform=platform)))
        assert custom(added, "cart") is not None, text(added)
    cart = custom(await say(client, sender, "/show_cart"), "cart")
    assert cart is not None and len({i["platform"] for i in cart["items"]}) == 2
    return cart


async def answer(client: Any, sender: str, steps: tuple[str, ...]) -> list[dict[str, Any]]:
    replies: list[dict[str, Any]] = []
    for step in steps:
        replies = await say(client, sender, step)
    return replies


async def test_two_platforms_one_summary_one_payment_two_orders_each_with_its_own_parcel(app_client):
    cart = await fill_cart(app_client, "k1", "我想买蓝牙耳机")
    asked = await say(app_client, "k1", "结算")
    assert "地址" in text(asked)
    summary = await answer(app_client, "k1", ADDRESS_ZH)
    shown = text(summary)
    assert "共 2 家店" in shown and "一次付款" in shown, shown
    assert f"¥{Decimal(cart['total']):,.2f}" in shown  # the cart's total, formatted as everywhere
    for item in cart["items"]:
        assert item["title"] in shown

    placed = await say(app_client, "k1", "确认下单")
    orders = [r["custom"] for r in placed if (r.get("custom") or {}).get("type") == "order"]
    assert len(orders) == 2, text(placed)
    assert {o["order_id"] for o in orders} and len({o["payment_url"] for o in orders}) == 1  # one payment
    assert sum(Decimal(o["total"]) for o in orders) == Decimal(cart["total"])
    assert "已创建 2 个订单" in text(placed)
    assert custom(await say(app_client, "k1", "我的购物车"), "cart")["items"] == []  # bought lines leave the cart

    payment_id = orders[0]["payment_url"].rstrip("/").rsplit("/", 1)[-1]
    page = await app_client.get(f"/pay/{payment_id}")  # the pay page lists both orders, one amount due
    assert page.status_code == 200 and all(o["order_id"] in page.text for o in orders)
    assert f"¥{Decimal(cart['total']):,.2f}" in page.text
    paid = await app_client.post(f"/sandbox/payments/{payment_id}/pay", json={"method": "wechat_pay"})
    assert paid.status_code == 200 and paid.json()["outcome"] == "applied"
    again = await app_client.post(f"/sandbox/payments/{payment_id}/pay", json={"method": "wechat_pay"})
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"  # never charged twice

    tracking = set()
    for order in orders:
        shipped = await app_client.post(f"/sandbox/orders/{order['order_id']}/fulfil")
        assert shipped.status_code == 200 and shipped.json()["order_status"] == "shipped"
        where = await say(app_client, "k1", button_payload("track_shipment", order_id=order["order_id"]))
        parcel = custom(where, "shipment")
        assert parcel is not None and parcel["order_id"] == order["order_id"], text(where)
        tracking.add(parcel["tracking_number"])
    assert len(tracking) == 2  # each order its own parcel

    mine = text(await say(app_client, "k1", "我的订单"))
    for order in orders:
        assert order["order_id"] in mine


async def test_english_checkout_reads_english_and_a_price_change_is_confirmed_before_anything_is_charged(app_client):
    cart = await fill_cart(app_client, "k2", "earphones")
    await say(app_client, "k2", "check out")
    summary = text(await answer(app_client, "k2", ADDRESS_EN))
    assert "2 stores, one payment" in summary
    ours = summary
    for item in cart["items"]:  # the catalog's own words (titles, variant options without an English form)
        for word in [item["title"], *item["variant"].values()]:
            ours = ours.replace(word, "")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in ours), summary

    item = cart["items"][0]
    moved = await app_client.post(f"/sandbox/platforms/{item['platform']}/products/{item['product_id']}/price",
                                  json={"price": str(Decimal(item["unit_price"]) + Decimal(100))})
    assert moved.status_code == 200, moved.text

    replies = await say(app_client, "k2", "/affirm")
    assert "nothing has been charged" in text(replies)
    assert not [r for r in replies if (r.get("custom") or {}).get("type") == "order"]
    placed = await say(app_client, "k2", "/affirm")
    orders = [r["custom"] for r in placed if (r.get("custom") or {}).get("type") == "order"]
    assert len(orders) == 2 and "2 orders created" in text(placed)
    assert sum(Decimal(o["total"]) for o in orders) > Decimal(cart["total"])


async def test_checking_out_an_empty_cart_is_answered_in_the_shoppers_language(app_client):
    assert "购物车是空的" in text(await say(app_client, "k3", "结算"))
    assert "cart is empty" in text(await say(app_client, "k4", "check out my cart"))


async def test_a_line_delisted_while_in_the_cart_is_left_out_and_said_so(app_client):
    cart = await fill_cart(app_client, "k5", "我想买蓝牙耳机")
    gone = cart["items"][1]
    store = app_client.app.state.runtime.demo.servers[gone["platform"]].store
    store.get(gone["product_id"]).stock = 0  # the merchant sold out meanwhile
    asked = text(await say(app_client, "k5", "结算"))
    assert "下架或缺货" in asked and gone["title"] in asked
    summary = text(await answer(app_client, "k5", ADDRESS_ZH))
    assert "共 1 家店" in summary and gone["title"] not in summary
    placed = await say(app_client, "k5", "确认")
    orders = [r["custom"] for r in placed if (r.get("custom") or {}).get("type") == "order"]
    assert len(orders) == 1 and orders[0]["items"][0]["product_id"] == cart["items"][0]["product_id"]
    left = custom(await say(app_client, "k5", "我的购物车"), "cart")
    assert [i["product_id"] for i in left["items"]] == [gone["product_id"]]  # kept for later, not counted
    assert left["items"][0]["available"] is False


async def test_a_store_that_sold_out_after_payment_is_refunded_and_the_shopper_asked_the_rest_ships(app_client):
    cart = await fill_cart(app_client, "k6", "我想买蓝牙耳机")
    await say(app_client, "k6", "结算")
    await answer(app_client, "k6", ADDRESS_ZH)
    placed = await say(app_client, "k6", "确认下单")
    orders = {r["custom"]["items"][0]["product_id"]: r["custom"] for r in placed
              if (r.get("custom") or {}).get("type") == "order"}
    gone = cart["items"][1]
    store = app_client.app.state.runtime.demo.servers[gone["platform"]].store
    store.get(gone["product_id"]).stock = 0  # sold out between the order and the payment
    await app_client.get("/webhooks/rest/outbox", params={"sender": "k6"})  # what was pushed so far

    payment_id = orders[gone["product_id"]]["payment_url"].rstrip("/").rsplit("/", 1)[-1]
    paid = await app_client.post(f"/sandbox/payments/{payment_id}/pay", json={"method": "alipay"})
    assert paid.status_code == 200 and paid.json()["outcome"] == "applied"
    refused = orders[gone["product_id"]]["order_id"]
    kept = orders[cart["items"][0]["product_id"]]["order_id"]
    pushed = (await app_client.get("/webhooks/rest/outbox", params={"sender": "k6"})).json()
    told = [r for r in pushed if refused in (r.get("text") or "") and "缺货" in r["text"]]
    assert len(told) == 1 and "已自动退款" in told[0]["text"], pushed
    assert any(b["payload"].startswith("/show_details") for b in told[0]["buttons"])  # pick another offer
    assert (await app_client.post(f"/sandbox/orders/{kept}/fulfil")).json()["order_status"] == "shipped"
    mine = text(await say(app_client, "k6", "我的订单"))
    assert "已退款" in mine and "已发货" in mine, mine
    again = await app_client.post(f"/sandbox/payments/{payment_id}/pay", json={"method": "alipay"})
    assert again.json()["outcome"] == "duplicate"  # never charged twice


async def test_quantities_of_0_and_10000_before_checking_out(app_client):
    cart = await fill_cart(app_client, "k7", "我想买蓝牙耳机")
    first, second = cart["items"]
    refused = await say(app_client, "k7", button_payload("cart_set_quantity", line_id=first["line_id"], quantity=10000))
    assert "1 到 99" in text(refused)
    removed = custom(await say(app_client, "k7", button_payload("cart_set_quantity", line_id=second["line_id"],
                                                                quantity=0)), "cart")
    assert [i["line_id"] for i in removed["items"]] == [first["line_id"]]
    await say(app_client, "k7", "结算")
    summary = text(await answer(app_client, "k7", ADDRESS_ZH))
    assert "共 1 家店" in summary and second["title"] not in summary and f"×{first['quantity']} " in summary
