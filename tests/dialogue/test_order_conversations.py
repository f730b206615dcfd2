"""From a chat order to delivery: pay on the sandbox, the platform ships, the carrier moves the
parcel and the shopper is told each status once; then "我的订单", "快递到哪了", "我要退货"."""

from __future__ import annotations

import json
from decimal import Decimal

from dialogue.presentation.money import format_money
from shop.orders import OrderStatus
from tests.dialogue.conftest import custom, texts


async def buy_first(say, sender: str, product: str = "耳机", language_hint: str | None = None) -> dict:
    if language_hint:
        await say(language_hint, sender=sender)
    await say(f'/search_product{{"product": "{product}", "price_max": 3000}}', sender=sender)
    step = await say('/buy{"ordinal": 1}', sender=sender)
    while step[0].get("buttons") and "attribute" in step[0]["buttons"][0]["payload"]:
        step = await say(step[0]["buttons"][0]["payload"], sender=sender)
    await say("88 Jianguo Road, Building 3 Apt 501, Chaoyang, Beijing" if language_hint
              else "北京市朝阳区建国路88号3号楼501", sender=sender)
    await say("Wang Fang" if language_hint else "王芳", sender=sender)
    await say("13800138000", sender=sender)
    await say("/deny", sender=sender)
    await say('/inform{"payment_method": "wechat_pay"}', sender=sender)
    return custom(await say("/affirm", sender=sender), "order")


async def test_order_is_paid_shipped_and_tracked_with_pushes(say, app_client):
    order = await buy_first(say, "buyer")
    payment_id = order["payment_url"].rstrip("/").rsplit("/", 1)[-1]
    r = await app_client.post(f"/sandbox/payments/{payment_id}/pay", json={"method": "wechat_pay"})
    assert r.status_code == 200, r.text

    outbox = (await app_client.get("/webhooks/rest/outbox", params={"sender": "buyer"})).json()
    assert any((m.get("custom") or {}).get("status") == "paid" for m in outbox), outbox

    status = custom(await say('/check_order{{"order_id": "{}"}}'.format(order["order_id"]), sender="buyer"), "order")
    assert status["status"] in ("paid", "submitted")

    not_yet = await say("/track_shipment", sender="buyer")
    assert "还没有发货" in texts(not_yet)

    # The demo platform fulfils after its delay; the job notices and the carrier takes over.
    demo = app_client.app.state.runtime.demo
    for server in demo.servers.values():
        server.store.fulfil_delay = 0
    assert (await app_client.post("/sandbox/jobs/sync_platform_orders/run")).status_code == 200
    tracked = await say("/track_shipment", sender="buyer")
    shipment = custom(tracked, "shipment")
    assert shipment["order_id"] == order["order_id"] and shipment["tracking_number"]
    assert f"演示快递 {shipment['tracking_number']}" in texts(tracked)  # the carrier by name, not its code "sim"

    r = await app_client.post("/sandbox/carrier/advance", json={"tracking_number": shipment["tracking_number"],
                                                                "steps": 1})
    assert r.status_code == 200, r.text
    await app_client.post("/sandbox/jobs/poll_shipments/run")
    await app_client.post("/sandbox/jobs/poll_shipments/run")  # twice: each status is pushed once
    pushed = (await app_client.get("/webhooks/rest/outbox", params={"sender": "buyer"})).json()
    statuses = [m["custom"]["status"] for m in pushed if (m.get("custom") or {}).get("type") == "shipment"]
    assert statuses and len(statuses) == len(set(statuses))

    ticket_reply = await say('/request_after_sales{"service_type": "return"}', sender="buyer")
    assert "原因" in texts(ticket_reply)
    opened = await say("耳机左边没声音", sender="buyer")
    ticket = custom(opened, "ticket")
    assert ticket["service_type"] == "return" and ticket["order_id"] == order["order_id"]
    listed = await say("/check_ticket", sender="buyer")
    assert ticket["ticket_id"] in texts(listed)


async def test_retried_confirmation_never_creates_a_second_order(say, app_client):
    first = await buy_first(say, "retry")
    again = await say("/affirm", sender="retry")  # the flow has ended: nothing is ordered twice
    assert not [r for r in again if (r.get("custom") or {}).get("type") == "order"]
    orders = app_client.app.state.runtime.services.orders
    shopper = await app_client.app.state.runtime.services.shoppers.by_identity("rest", "retry")
    assert [o.id for o in await orders.list_for_shopper(shopper.id)] == [first["order_id"]]


async def test_orders_are_listed_and_picked_in_english(say):
    one = await buy_first(say, "en-buyer", "earphones", language_hint="hello there")
    two = await buy_first(say, "en-buyer", "running shoes", language_hint="hello again")
    listing = await say("/check_order", sender="en-buyer")
    assert one["order_id"] in texts(listing) and two["order_id"] in texts(listing)
    assert "Your 2 most recent orders" in texts(listing)
    pick = await say("/track_shipment", sender="en-buyer")
    assert "Which order?" in texts(pick)
    assert {b["payload"] for b in pick[0]["buttons"]} == {
        '/track_shipment{{"order_id": "{}"}}'.format(one["order_id"]), '/track_shipment{{"order_id": "{}"}}'.format(two["order_id"])}
    unknown = await say('/check_order{"order_id": "SO2026010100001"}', sender="en-buyer")
    assert "can't find order" in texts(unknown)


async def test_no_orders_yet(say):
    assert "还没有订单" in texts(await say("/check_order", sender="nobody"))
    assert "还没有售后" in texts(await say("/check_ticket", sender="nobody"))


async def test_a_complaint_ticket_hands_the_shopper_to_a_person(say, app_client):
    order = await buy_first(say, "angry")
    payment_id = order["payment_url"].rstrip("/").rsplit("/", 1)[-1]
    await app_client.post(f"/sandbox/payments/{payment_id}/pay", json={"method": "alipay"})
    await say('/request_after_sales{"service_type": "complaint"}', sender="angry")
    replies = await say("商家一直不发货,态度很差", sender="angry")
    assert custom(replies, "ticket")["service_type"] == "complaint"
    assert custom(replies, "handoff")["status"] == "waiting"
    assert await say("还在吗", sender="angry") == []  # the bot is quiet while a person is coming


async def test_recommendations_follow_what_was_bought(say):
    order = await buy_first(say, "fan")  # bought straight from the list: nothing was viewed
    replies = await say("/recommend", sender="fan")
    assert "买过" in texts(replies) and order["items"][0]["title"] in texts(replies)
    items = custom(replies, "products")["items"]
    assert items and order["items"][0]["product_id"] not in {i["id"] for i in items}
    assert {i["category"] for i in items} == {"earphones"}


async def test_one_price_from_the_card_to_the_pay_page(say, app_client):
    """The summary, the order card (its discount lines included) and the pay page agree."""

    found = custom(await say('/search_product{"product": "耳机", "price_max": 3000}', sender="two"), "products")
    promoted = next((n for n, i in enumerate(found["items"], 1) if i.get("price_breakdown")), 1)
    step = await say("/buy" + json.dumps({"ordinal": promoted, "quantity": 2}), sender="two")
    while step[0].get("buttons") and "attribute" in step[0]["buttons"][0]["payload"]:
        step = await say(step[0]["buttons"][0]["payload"], sender="two")
    for answer in ("北京市朝阳区建国路88号3号楼501", "王芳", "13800138000", "/deny"):
        await say(answer, sender="two")
    summary = texts(await say('/inform{"payment_method": "alipay"}', sender="two"))
    item = found["items"][promoted - 1]
    product = custom(await say("/show_details" + json.dumps({"product_id": item["id"]}), sender="two"), "product")
    # the details card for this platform (its offers are priced for one item: quote two the same way)
    offer = next(o for o in product["item"]["offers"] if o["platform"] == item["platform"])
    assert format_money(offer["price"]) == format_money(item["price"])
    order = custom(await say("/affirm", sender="two"), "order")
    total = format_money(order["total"])
    assert f"合计 {total}" in summary
    assert order["items"][0]["quantity"] == 2
    assert f"单价 {format_money(order['items'][0]['price'])}" in summary
    taken = sum((Decimal(r["amount"]) for r in order.get("price_breakdown", [])), Decimal(0))
    assert Decimal(order["items"][0]["unit_price"]) * 2 + taken == Decimal(order["total"])
    page = await app_client.get(order["payment_url"].replace("http://testserver", "").replace("http://t", ""))
    assert page.status_code == 200 and f'data-testid="total">{total}<' in page.text


async def test_a_ticket_on_a_two_item_order_asks_the_item_then_how_many_then_why(say, app_client):
    from dataclasses import replace

    from shop.orders import OrderSummary

    first = await buy_first(say, "two-items")
    orders = app_client.app.state.runtime.services.orders
    bought = await orders.get(first["order_id"])
    line = bought.lines[0]
    lines = (line, replace(line, title="充电盒", quantity=3))
    summary = OrderSummary(
        shopper_id=bought.shopper_id, channel=bought.channel, recipient_id=bought.recipient_id,
        platform=bought.platform, lines=lines, total=sum((ln.amount for ln in lines), Decimal(0)),
        receiver_name=bought.receiver_name, phone=bought.phone, address=bought.address, language="zh")
    order = await orders.create_from_summary(summary, "two-items-order")
    intent = await orders.start_payment(order.id)
    payment_id = (intent.pay_url or intent.code_url).rstrip("/").rsplit("/", 1)[-1]
    assert (await app_client.post(f"/sandbox/payments/{payment_id}/pay", json={"method": "alipay"})).status_code == 200

    asked = await say(f'/request_after_sales{{"order_id": "{order.id}", "service_type": "exchange"}}',
                      sender="two-items")
    assert "哪一件" in texts(asked)
    assert any("充电盒" in b["title"] for b in asked[0]["buttons"])
    how_many = await say("第二个", sender="two-items")
    assert "几个" in texts(how_many) and [b["title"] for b in how_many[0]["buttons"]] == ["1", "2", "3"]
    why = await say(how_many[0]["buttons"][1]["payload"], sender="two-items")  # 2 of the 3
    assert not any((r.get("custom") or {}).get("type") == "ticket" for r in why)
    assert any(b["title"] == "尺码不合适" for b in why[0]["buttons"])
    opened = custom(await say(why[0]["buttons"][0]["payload"], sender="two-items"), "ticket")
    ticket = await app_client.app.state.runtime.services.aftersales.get(opened["ticket_id"])
    assert (ticket.order_id, ticket.line_no, ticket.quantity, ticket.reason) == (order.id, 1, 2, "尺码不合适")


async def test_a_refund_before_shipment_of_a_partly_refunded_order_is_answered_not_crashed(say, app_client):
    first = await buy_first(say, "partly")
    payment_id = first["payment_url"].rstrip("/").rsplit("/", 1)[-1]
    assert (await app_client.post(f"/sandbox/payments/{payment_id}/pay", json={"method": "alipay"})).status_code == 200
    orders = app_client.app.state.runtime.services.orders
    order = await orders.get(first["order_id"])
    await orders.refund(order, Decimal("1.00"), "goodwill-1", "agent:a1", "goodwill")
    replies = await say("屏幕是坏的,我要退款", sender="partly")
    assert "售后申请没成功" in texts(replies)
    assert (await orders.get(order.id)).status is not OrderStatus.SHIPPED
