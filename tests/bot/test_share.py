"""Sharing from the shoppers' side (issue 18.5), through the REST channel of the real app: a
share card with a link and a QR code; a friend opening the link lands on the product; the
openings and the orders they lead to are counted."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from dialogue.messages import button_payload
from tests.bot.test_cart import answer_variants, custom, say, text
from tests.bot.test_checkout import ADDRESS_ZH, answer


async def test_a_shared_product_opens_for_a_friend_and_their_order_is_counted(app_client):
    found = custom(await say(app_client, "sh1", "我想买蓝牙耳机"), "products")
    product_id = found["items"][0]["id"]
    details = await say(app_client, "sh1", button_payload("show_details", product_id=product_id))
    assert any(b["payload"].startswith("/share") for r in details for b in r.get("buttons") or [])
    shared = await say(app_client, "sh1", "分享给朋友")
    card = custom(shared, "share")
    assert card is not None and card["product_id"] == product_id, text(shared)
    assert card["url"] in text(shared) and any(r.get("image") == card["qr_url"] for r in shared)
    qr = await app_client.get(urlparse(card["qr_url"]).path)
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/png" and qr.content[:4] == b"\x89PNG"

    share_id = parse_qs(urlparse(card["url"]).query)["s"][0]
    opened = await say(app_client, "friend", button_payload("open_share", share_id=share_id))  # what /?s= sends
    assert "朋友分享给你的商品" in text(opened)
    assert custom(opened, "product")["item"]["id"] == product_id

    added = await answer_variants(app_client, "friend", await say(
        app_client, "friend", button_payload("add_to_cart", product_id=product_id)))
    assert custom(added, "cart") is not None
    await say(app_client, "friend", "结算")
    await answer(app_client, "friend", ADDRESS_ZH)
    placed = await say(app_client, "friend", "确认下单")
    assert custom(placed, "order") is not None, text(placed)

    stats = (await app_client.get(f"/shares/{share_id}")).json()
    assert stats["opens"] == 1 and stats["orders"] == 1


async def test_an_unknown_share_link_is_answered_in_the_shoppers_language(app_client):
    assert "无效" in text(await say(app_client, "sh2", button_payload("open_share", share_id="sNOPE-nope")))
    assert (await app_client.get("/shares/sNOPE-nope")).status_code == 404
    assert (await app_client.get("/shares/sNOPE-nope/qr.png")).status_code == 404
    asked = text(await say(app_client, "sh3", "share this with a friend"))
    assert "Which one would you like to share" in asked, asked  # nothing seen yet: asked in English
