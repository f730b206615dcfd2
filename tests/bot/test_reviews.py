"""Ratings end to end (issue 20.5), as the shopper sees them: after delivery they are asked to
rate, their stars move the seller's score on the cards, and a poor seller's offer ranks lower."""

from __future__ import annotations

import yaml

from shop.reviews import MerchantRecord, RatingSummary, merchant_score, ranking_factor
from tests.conversations.player import Player, Script
from tests.conversations.test_conversations import AppShop

BUY_AND_DELIVER = yaml.safe_load("""
- user: 耳机
- user: 买第一个
- press_nth: 1
- user: 北京市朝阳区建国路88号3号楼501
- user: 王芳
- user: '13800138000'
- user: 不用
- user: 微信支付
- user: 确认下单
  expect: {payload: order}
- pay: wechat_pay
- fulfil: true
- advance: 5
  expect: {order_status: [delivered, completed]}
""")


def cards(replies: list[dict]) -> list[dict]:
    return [i for r in replies if (r.get("custom") or {}).get("type") == "products" for i in r["custom"]["items"]]


async def test_a_shoppers_stars_move_the_sellers_score_on_the_cards(settings):
    shop = AppShop(settings.model_copy(update={"demo_catalog": "demo"}))
    await shop.start()
    try:
        player = Player(shop, sender="rater")
        await player.play(Script("buy", "zh", "buy and deliver", BUY_AND_DELIVER))
        before = cards(await shop.say("rater", "耳机"))[0]
        assert before["merchant"] and before["merchant_score"] in (None, 70)  # no ratings yet: none shown, or 70 once it shipped
        asked = await shop.get("/webhooks/rest/outbox", {"sender": "rater"})
        request = next(r for r in asked if (r.get("custom") or {}).get("type") == "rating_request")
        assert request["custom"]["items"][0]["merchant"] == before["merchant"]
        one_star = next(b for b in request["buttons"] if b["title"] == "1 星")
        await shop.say("rater", one_star["payload"])
        done = await shop.say("rater", "1星")
        assert "谢谢您的评价" in "".join(r.get("text") or "" for r in done)
        after = next(i for i in cards(await shop.say("rater", "耳机")) if i["merchant"] == before["merchant"])
        assert after["merchant_score"] is not None and after["merchant_score"] < 70
        assert f"商家评分 {after['merchant_score']}" in (await shop.say("rater", "耳机"))[0]["text"]
    finally:
        await shop.stop()


def test_scores_follow_ratings_complaints_checks_and_late_shipping():
    new = merchant_score(MerchantRecord())
    assert merchant_score(MerchantRecord(ratings=RatingSummary(10, 5.0))) > new
    assert merchant_score(MerchantRecord(ratings=RatingSummary(10, 1.5))) < new
    assert merchant_score(MerchantRecord(complaints=2)) < new
    assert merchant_score(MerchantRecord(failed_checks=1)) < new
    assert merchant_score(MerchantRecord(shipped=10, shipped_late=5)) < merchant_score(MerchantRecord(shipped=10))
    assert ranking_factor(None) == ranking_factor(90) == 1.0
    assert ranking_factor(20) < ranking_factor(50) < 1.0


async def test_a_seller_with_no_record_shows_no_score_rather_than_a_made_up_70(settings):
    shop = AppShop(settings.model_copy(update={"demo_catalog": "demo"}))
    await shop.start()
    try:
        replies = await shop.say("newcomer", "耳机")
        listed = cards(replies)
        assert listed and all(i["merchant_score"] is None for i in listed)  # nobody has sold, rated or been checked yet
        assert "商家评分" not in replies[0]["text"]
    finally:
        await shop.stop()
