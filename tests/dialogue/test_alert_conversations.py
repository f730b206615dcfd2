"""Price alerts through the REST channel: set, flag an unrealistic target, fire once with a chart, list, cancel."""

from __future__ import annotations

import json
from decimal import Decimal

from dialogue.presentation.money import format_money
from tests.dialogue.conftest import custom, texts


async def viewed_product(say, sender: str) -> dict:
    await say('/search_product{"product": "手机", "brand": "Huawei", "price_max": 9000}', sender=sender)
    return custom(await say('/show_details{"ordinal": 1}', sender=sender), "product")["item"]


async def test_alert_fires_once_when_the_price_drops_and_pushes_a_chart(say, app_client):
    item = await viewed_product(say, "watcher")
    current = Decimal(item["price"])  # what the card said, promotions applied
    target = (current * Decimal("0.9")).quantize(Decimal(1))
    replies = await say(f'/set_price_alert{{"target_price": {target}}}', sender="watcher")
    alert = custom(replies, "price_alert")
    assert alert["product_id"] == item["id"] and Decimal(alert["target_price"]) == target
    assert alert["status"] == "active"
    assert replies[0]["image"].endswith(f"/charts/{item['id']}.png?target={target}.00&lang=zh")

    platform = item["offers"][0]["platform"]
    r = await app_client.post(f"/sandbox/platforms/{platform}/products/{item['id']}/price",
                              json={"price": str(target - 1)})
    assert r.status_code == 200, r.text
    assert (await app_client.post("/sandbox/jobs/refresh_watched_prices/run")).status_code == 200
    assert (await app_client.post("/sandbox/jobs/evaluate_alerts/run")).status_code == 200
    await app_client.post("/sandbox/jobs/evaluate_alerts/run")  # a second cycle: no second message
    pushed = (await app_client.get("/webhooks/rest/outbox", params={"sender": "watcher"})).json()
    fired = [m for m in pushed if (m.get("custom") or {}).get("type") == "price_alert"]
    assert len(fired) == 1 and fired[0]["custom"]["status"] == "triggered"
    assert "降价提醒" in fired[0]["text"] and fired[0]["image"]
    chart = await app_client.get(f"/charts/{item['id']}.png", params={"target": str(target)})
    assert chart.status_code == 200 and chart.content[:8] == b"\x89PNG\r\n\x1a\n"


def details(product_id: str) -> str:
    return "/show_details" + json.dumps({"product_id": product_id})


async def test_the_alert_reply_quotes_the_price_the_card_showed_and_fires_on_that_price(say, app_client):
    replies = await say('/search_product{"product": "手机", "price_max": 9000}', sender="same")
    promoted = next(i for i in custom(replies, "products")["items"] if i.get("price_breakdown"))
    card = custom(await say(details(promoted["id"]), sender="same"), "product")["item"]
    shown = format_money(card["price"])
    assert card["price"] != card["list_price"] and shown in texts(replies)  # the search card said it too
    target = (Decimal(card["price"]) - 1).quantize(Decimal(1))
    created = await say(f'/set_price_alert{{"target_price": {target}}}', sender="same")
    assert f"现价 {shown}" in texts(created)
    # the platform's list price drops below the target: the card's price is below it too
    r = await app_client.post(f"/sandbox/platforms/{card['platform']}/products/{card['id']}/price",
                              json={"price": str(target - 1)})
    assert r.status_code == 200, r.text
    assert (await app_client.post("/sandbox/jobs/refresh_watched_prices/run")).status_code == 200
    assert (await app_client.post("/sandbox/jobs/evaluate_alerts/run")).status_code == 200
    pushed = (await app_client.get("/webhooks/rest/outbox", params={"sender": "same"})).json()
    fired = [m for m in pushed if (m.get("custom") or {}).get("type") == "price_alert"]
    assert len(fired) == 1
    now_shown = custom(await say(details(card["id"]), sender="same"), "product")["item"]
    assert f"降到了 {format_money(now_shown['price'])}" in fired[0]["text"]


async def test_target_above_the_price_and_absurd_drops_get_clear_answers(say):
    item = await viewed_product(say, "picky")
    current = Decimal(item["price"])
    assert "现价" in texts(await say('/set_price_alert{"target_price": %s}' % (current + 100), sender="picky"))
    assert "0% 到 100%" in texts(await say('/set_price_alert{"percent_drop": 150}', sender="picky"))
    assert "大于 0" in texts(await say('/set_price_alert{"target_price": -5}', sender="picky"))


async def test_target_is_asked_for_then_listed_and_cancelled(say):
    await viewed_product(say, "lister")
    assert "降到多少" in texts(await say("/set_price_alert", sender="lister"))
    created = custom(await say('/inform{"percent_drop": 10}', sender="lister"), "price_alert")
    assert created["percent_drop"] == "10.00"
    listing = await say("/list_price_alerts", sender="lister")
    assert "1." in texts(listing) and listing[0]["buttons"]
    cancelled = await say(listing[0]["buttons"][0]["payload"], sender="lister")
    assert custom(cancelled, "price_alert")["status"] == "cancelled"
    assert "没有降价提醒" in texts(await say("/list_price_alerts", sender="lister"))


async def test_an_alert_needs_a_product(say):
    assert "先搜一下" in texts(await say('/set_price_alert{"target_price": 100}', sender="fresh"))
