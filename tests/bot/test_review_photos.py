"""A review may carry a photo (issue 20.5): after delivery the shopper rates the item and the
seller, sends a photo of what they got (any channel stores it and hands it to the chat as a photo),
and other shoppers see it in the product's details."""

from __future__ import annotations

import json

from tests.bot.test_photos import PNG
from tests.bot.test_reviews import BUY_AND_DELIVER
from tests.conversations.player import Player, Script
from tests.conversations.test_conversations import AppShop


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


async def test_a_reviews_photo_shows_in_the_products_details(settings):
    shop = AppShop(settings.model_copy(update={"demo_catalog": "demo"}))
    await shop.start()
    try:
        await Player(shop, sender="rater").play(Script("buy", "zh", "buy and deliver", BUY_AND_DELIVER))
        asked = await shop.get("/webhooks/rest/outbox", {"sender": "rater"})
        request = next(r for r in asked if (r.get("custom") or {}).get("type") == "rating_request")
        product_id = request["custom"]["items"][0]["product_id"]
        five = next(b for b in request["buttons"] if b["title"] == "5 星")
        await shop.say("rater", five["payload"])
        assert "谢谢您的评价" in texts(await shop.say("rater", "5星"))

        assert shop.client is not None  # the photo as a channel stores it (web chat upload, Telegram photo)
        stored = await shop.client.post("/webchat/photos", params={"sender": "camera", "language": "zh"}, content=PNG,
                                        headers={"Content-Type": "image/png"})
        url = stored.json()["url"]
        added = await shop.say("rater", "/photo" + json.dumps({"url": url}))
        assert "照片已附在您的评价里(共 1 张)" in texts(added)
        assert "评价" in texts(await shop.say("rater", "音质很好,很满意"))

        details = await shop.say("other", "/show_details" + json.dumps({"product_id": product_id}))
        card = next(r for r in details if (r.get("custom") or {}).get("type") == "product")
        recent = card["custom"]["item"]["rating_summary"]["recent"]
        assert [(r["product_stars"], r["text"], r["photos"]) for r in recent] == [(5, "音质很好,很满意", [url])]
        photo = next(r for r in details if r.get("image") == url)
        assert "买家晒图(5 星评价)" in photo["text"]
    finally:
        await shop.stop()
