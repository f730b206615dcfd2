"""Delisting covers group buys (issue 20.4): a merchant lists a product with a group price
through the merchant API; a shopper starts a group and pays, a friend joins without paying yet;
a reviewer fails the product's spot check: the group is cancelled, the payment refunded in full,
the unpaid order cancelled, and both are told."""

from __future__ import annotations

from decimal import Decimal

from dialogue.messages import button_payload
from tests.bot.test_checkout import ADDRESS_ZH
from tests.bot.test_group_buy import paid_via, through_questions
from tests.bot.test_spot_checks import LISTING, approved_merchant, env, say, texts  # noqa: F401 (env: fixture)


def custom(replies: list[dict], kind: str) -> dict | None:
    return next((r["custom"] for r in replies if (r.get("custom") or {}).get("type") == kind), None)


async def test_a_delisted_product_cancels_its_open_group_and_refunds_every_payment(env):  # noqa: F811
    new_client, login = env
    rita = await login("rita")
    merchant = new_client()
    key = await approved_merchant(new_client, rita)
    bad = await merchant.post("/merchant/products", json=LISTING | {"platform": "pdd", "group_price": "45.00"},
                              headers=key)
    assert bad.status_code == 400  # a group price must be below the price
    listed = await merchant.post("/merchant/products", json=LISTING | {"platform": "pdd", "group_price": "29.90",
                                                                       "group_size": 3}, headers=key)
    assert listed.status_code == 201, listed.text
    product_id = listed.json()["product_id"]

    shopper = new_client()
    await say(shopper, "d1", "桂花糕")
    details = await say(shopper, "d1", button_payload("show_details", product_id=product_id))
    assert "拼团价 ¥29.90" in texts(details), texts(details)
    started = await say(shopper, "d1", "我想拼团")
    placed = await through_questions(lambda m: say(shopper, "d1", m), started, ADDRESS_ZH)
    order, card = custom(placed, "order"), custom(placed, "group_buy")
    assert order is not None and card is not None and Decimal(order["total"]) == Decimal("29.90"), texts(placed)
    paid = await shopper.post(f"/sandbox/payments/{paid_via(order)}/pay", json={"method": "alipay"})
    assert paid.json()["outcome"] == "applied"
    invited = await say(shopper, "d2", button_payload("open_share", share_id=card["group_id"]))
    friend = custom(await through_questions(lambda m: say(shopper, "d2", m), invited, ADDRESS_ZH), "order")
    assert friend is not None
    for sender in ("d1", "d2"):
        await shopper.get("/webhooks/rest/outbox", params={"sender": sender})

    assert (await new_client().post("/sandbox/jobs/spot_checks/run")).status_code == 200
    check = next(c for c in (await rita.get("/spot-checks")).json()["checks"] if c["product_id"] == product_id)
    failed = await rita.post(f"/spot-checks/{check['check_id']}/result", {"passed": False, "reason": "标签不合格"})
    assert failed.status_code == 200, failed.text

    told = (await shopper.get("/webhooks/rest/outbox", params={"sender": "d1"})).json()
    group = [r for r in told if (r.get("custom") or {}).get("type") == "group_buy"]
    assert group and group[-1]["custom"]["status"] == "failed" and "已下架" in group[-1]["text"], told
    assert "全额退回" in group[-1]["text"]
    friend_told = texts((await shopper.get("/webhooks/rest/outbox", params={"sender": "d2"})).json())
    assert "已下架" in friend_told and "没有扣款" in friend_told, friend_told
    assert "已退款" in texts(await say(shopper, "d1", "我的订单"))
    assert "已取消" in texts(await say(shopper, "d2", "我的订单"))
    late = await say(shopper, "d3", button_payload("open_share", share_id=card["group_id"]))
    assert "已经结束" in texts(late) and custom(late, "order") is None
