"""The cart from the shopper's side, through the REST channel of the real app (issue 18.1)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dialogue.messages import button_payload


async def say(client: Any, sender: str, text: str) -> list[dict[str, Any]]:
    r = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert r.status_code == 200, r.text
    return r.json()


def custom(replies: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((r["custom"] for r in replies if (r.get("custom") or {}).get("type") == kind), None)


def text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


async def answer_variants(client: Any, sender: str, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Press the first option while the bot asks for a variant (as the buy flow asks)."""
    for _ in range(4):
        if custom(replies, "cart") is not None:
            return replies
        buttons = [b for r in replies for b in r.get("buttons") or [] if b["payload"].startswith("/inform")]
        assert buttons, text(replies)
        replies = await say(client, sender, buttons[0]["payload"])
    return replies


async def test_add_from_a_list_show_change_remove_clear(app_client):
    found = custom(await say(app_client, "c1", "我想买蓝牙耳机"), "products")
    assert found and len(found["items"]) >= 2
    first, second = found["items"][0], found["items"][1]

    added = await answer_variants(app_client, "c1", await say(app_client, "c1", "第一个加入购物车"))
    assert "已加入购物车" in text(added)
    cart = custom(added, "cart")
    assert [i["product_id"] for i in cart["items"]] == [first["id"]]
    line = cart["items"][0]
    # one price everywhere: the cart shows the card's price for the card's offer
    assert line["platform"] == first["platform"] and line["price"] == first["price"]
    assert line["quantity"] == 1 and Decimal(cart["total"]) == Decimal(first["price"])

    added = await answer_variants(app_client, "c1", await say(app_client, "c1", "第二个也加入购物车,要两个"))
    cart = custom(added, "cart")
    assert [i["product_id"] for i in cart["items"]] == [first["id"], second["id"]]
    assert cart["items"][1]["quantity"] == 2

    shown = await say(app_client, "c1", "我的购物车")
    cart = custom(shown, "cart")
    assert len(cart["items"]) == 2 and first["title"] in text(shown)
    assert Decimal(cart["total"]) == sum(Decimal(s["subtotal"]) for s in cart["stores"])
    assert Decimal(cart["total"]) == sum(Decimal(i["line_total"]) for i in cart["items"])

    line_id = cart["items"][0]["line_id"]
    changed = custom(await say(app_client, "c1", button_payload("cart_set_quantity", line_id=line_id, quantity=3)), "cart")
    assert changed["items"][0]["quantity"] == 3

    refused = await say(app_client, "c1", button_payload("cart_set_quantity", line_id=line_id, quantity=10000))
    assert "1 到 99" in text(refused)
    assert custom(await say(app_client, "c1", "我的购物车"), "cart")["items"][0]["quantity"] == 3

    removed = await say(app_client, "c1", button_payload("cart_remove", line_id=line_id))
    assert [i["product_id"] for i in custom(removed, "cart")["items"]] == [second["id"]]

    assert "已清空" in text(await say(app_client, "c1", "清空购物车"))
    empty = await say(app_client, "c1", "我的购物车")
    assert "空的" in text(empty) and custom(empty, "cart")["items"] == []


async def test_the_cart_is_kept_per_shopper_and_added_from_details(app_client):
    found = custom(await say(app_client, "c2", "I need running shoes"), "products")
    assert found and found["items"]
    details = await say(app_client, "c2", "tell me more about the first one")
    product = custom(details, "product")
    add = next(b for r in details for b in r.get("buttons") or [] if b["payload"].startswith("/add_to_cart"))
    added = await answer_variants(app_client, "c2", await say(app_client, "c2", add["payload"]))
    assert "Added to your cart" in text(added)
    assert custom(added, "cart")["items"][0]["product_id"] == product["item"]["id"]
    shown = await say(app_client, "c2", "show my cart")
    assert len(custom(shown, "cart")["items"]) == 1
    assert custom(await say(app_client, "c3", "show my cart"), "cart")["items"] == []  # someone else's is empty


async def test_add_the_jd_one_takes_the_offer_on_jd(app_client):
    found = custom(await say(app_client, "c4", "我想买手机"), "products")
    assert found and found["items"]
    on_jd = [i for i in found["items"] if i["platform"] == "jd"]
    replies = await answer_variants(app_client, "c4", await say(app_client, "c4", "add the JD one to my cart"))
    cart = custom(replies, "cart")
    assert cart["items"][0]["platform"] == "jd"
    if on_jd:
        assert cart["items"][0]["product_id"] == on_jd[0]["id"]


async def test_nothing_to_add_and_a_line_that_is_gone(app_client):
    assert "想买什么" in text(await say(app_client, "c5", "加入购物车"))
    gone = await say(app_client, "c5", button_payload("cart_remove", line_id="Lnope"))
    assert "没有这件" in text(gone)


async def test_change_and_remove_in_words(app_client):
    found = custom(await say(app_client, "c6", "我想买蓝牙耳机"), "products")
    assert found and len(found["items"]) >= 2
    await answer_variants(app_client, "c6", await say(app_client, "c6", "第一个加入购物车"))
    await answer_variants(app_client, "c6", await say(app_client, "c6", "第二个加入购物车"))

    changed = await say(app_client, "c6", "购物车第一个改成3件")
    assert custom(changed, "cart")["items"][0]["quantity"] == 3, text(changed)
    removed = await say(app_client, "c6", "把第二个从购物车删掉")
    assert [i["product_id"] for i in custom(removed, "cart")["items"]] == [found["items"][0]["id"]], text(removed)
    zero = await say(app_client, "c6", "购物车第一个改成0件")  # 0 removes the line
    assert custom(zero, "cart")["items"] == []


async def test_english_show_and_empty(app_client):
    found = custom(await say(app_client, "c7", "I need running shoes"), "products")
    assert found and found["items"]
    added = await answer_variants(app_client, "c7", await say(app_client, "c7", "add the first one to my cart"))
    assert custom(added, "cart")["items"][0]["product_id"] == found["items"][0]["id"]
    assert "In your cart (1)" in text(await say(app_client, "c7", "what's in my cart?"))
    assert "empty now" in text(await say(app_client, "c7", "empty my cart"))
