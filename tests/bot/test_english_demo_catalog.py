"""An English shopper on the small demo catalog (DEMO_CATALOG=demo) reads no Chinese: the list's
titles, the variant question and its buttons (buy and cart alike), the summary and the order card;
the order still keeps the catalog's own option (白色), which is what the platform is sent."""

from __future__ import annotations

import re
from typing import Any

CJK = re.compile(r"[\u3400-\u9fff]")


async def say(client: Any, sender: str, text: str) -> list[dict[str, Any]]:
    r = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert r.status_code == 200, r.text
    return r.json()


def seen(replies: list[dict[str, Any]]) -> str:
    """Every text and button title the shopper sees."""
    return "\n".join([r.get("text") or "" for r in replies]
                     + [b["title"] for r in replies for b in r.get("buttons") or []])


def custom(replies: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((r["custom"] for r in replies if (r.get("custom") or {}).get("type") == kind), None)


def option_buttons(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for r in replies for b in r.get("buttons") or [] if b["payload"].startswith("/inform")]


async def test_lists_of_laptops_appliances_and_sportswear_are_in_english(app_client):
    for n, query in enumerate(("laptops", "air conditioner", "hoodie", "diapers", "LEGO")):
        found = await say(app_client, f"en-list-{n}", query)
        products = custom(found, "products")
        assert products and products["items"], (query, seen(found))
        assert not CJK.search(seen(found)), (query, seen(found))
        assert not any(CJK.search(i["title"]) for i in products["items"]), (query, products["items"])


async def test_buying_shoes_in_english_shows_no_chinese_through_to_the_order_card(app_client):
    sender = "en-order"
    assert custom(await say(app_client, sender, "I need running shoes"), "products")
    asked = await say(app_client, sender, "buy the first one")
    buttons = option_buttons(asked)
    assert buttons and not CJK.search(seen(asked)), seen(asked)
    replies = await say(app_client, sender, buttons[0]["title"])  # the English name, typed
    for _ in range(3):  # the size, asked the same way
        if not option_buttons(replies):
            break
        assert not CJK.search(seen(replies)), seen(replies)
        replies = await say(app_client, sender, option_buttons(replies)[0]["payload"])
    for text in ("88 Jianguo Road, Building 3 Apt 501, Chaoyang, Beijing", "Wang Fang", "13800138000",
                 "no thanks", "Alipay"):
        replies = await say(app_client, sender, text)
    assert "Confirm" in seen(replies) or "confirm" in seen(replies), seen(replies)
    summary = seen(replies)
    assert not CJK.search(summary.replace("Jianguo", "")), summary
    assert buttons[0]["title"] in summary, summary
    placed = await say(app_client, sender, "confirm")
    order = custom(placed, "order")
    assert order is not None, seen(placed)
    item = order["items"][0]
    assert not CJK.search(item["variant_shown"]) and buttons[0]["title"] in item["variant_shown"], item
    assert CJK.search(item["variant"]["colour"]), item  # the order keeps the catalog's option
    assert not CJK.search(item["title"]), item
    assert not CJK.search(seen(placed)), seen(placed)


async def test_the_cart_asks_for_a_colour_in_english_and_takes_the_english_name(app_client):
    """The cart asks for a colour as the buy flow does: the options in English, and the English
    name typed back picks that option."""
    sender = "en-cart"
    assert custom(await say(app_client, sender, "I need running shoes"), "products")
    asked = await say(app_client, sender, "add the first one to my cart")
    buttons = [b["title"] for b in option_buttons(asked)]
    assert buttons and not CJK.search(seen(asked)), seen(asked)
    replies = await say(app_client, sender, buttons[-1])  # typed, not pressed
    for _ in range(3):  # a second dimension (size) asked the same way
        if custom(replies, "cart") is not None:
            break
        assert option_buttons(replies) and not CJK.search(seen(replies)), seen(replies)
        replies = await say(app_client, sender, option_buttons(replies)[0]["title"])
    cart = custom(replies, "cart")
    assert cart is not None and "Added to your cart" in seen(replies), seen(replies)
    assert buttons[-1] in cart["items"][0]["variant_shown"], cart["items"][0]
    assert not CJK.search(seen(replies)), seen(replies)
