"""After-sales on one item of a multi-item (checkout) order through the chat (issue 18.4): the
shopper's cart holds two items of one store, so checkout makes one order with two lines; after
it ships, "我要退其中的耳机" / "return the headphones from my last order" files the ticket on the
headphones (no question about which item), and a bare "我要退货" asks which item first."""

from __future__ import annotations

from typing import Any

from dialogue.messages import button_payload
from tests.bot.test_cart import answer_variants, custom, say, text
from tests.bot.test_checkout import ADDRESS_EN, ADDRESS_ZH, answer

EARBUDS, PHONE = "p0177", "p0001"  # both sold by 华为官方旗舰店 on jd in the demo catalog


async def shipped_two_item_order(client: Any, sender: str, address: tuple[str, ...]) -> dict[str, Any]:
    for product_id in (PHONE, EARBUDS):
        added = await answer_variants(client, sender, await say(
            client, sender, button_payload("add_to_cart", product_id=product_id, platform="jd")))
        assert custom(added, "cart") is not None, text(added)
    await say(client, sender, "/checkout")
    await answer(client, sender, address)
    placed = await say(client, sender, "/affirm")
    orders = [r["custom"] for r in placed if (r.get("custom") or {}).get("type") == "order"]
    assert len(orders) == 1 and len(orders[0]["items"]) == 2, text(placed)  # one store: one order, two lines
    order = orders[0]
    payment_id = order["payment_url"].rstrip("/").rsplit("/", 1)[-1]
    assert (await client.post(f"/sandbox/payments/{payment_id}/pay", json={"method": "alipay"})).status_code == 200
    shipped = await client.post(f"/sandbox/orders/{order['order_id']}/fulfil")
    assert shipped.json()["order_status"] == "shipped", shipped.text
    return order


async def ticket_line(client: Any, ticket_id: str) -> tuple[int, int]:
    ticket = await client.app.state.runtime.orders.tickets.get(ticket_id)
    return ticket.line_no, ticket.quantity


async def test_return_the_earbuds_of_a_two_item_order_in_chinese(app_client):
    order = await shipped_two_item_order(app_client, "as1", ADDRESS_ZH)
    earbuds = next(i for i, item in enumerate(order["items"]) if item["product_id"] == EARBUDS)
    asked = await say(app_client, "as1", "我要退其中的耳机")
    assert "是哪一件" not in text(asked), text(asked)  # the item was named: not asked
    if custom(asked, "ticket") is None:  # the reason is asked (buttons)
        reasons = [b for r in asked for b in r.get("buttons") or [] if b["payload"].startswith("/inform")]
        assert reasons, text(asked)
        asked = await say(app_client, "as1", reasons[0]["payload"])
    ticket = custom(asked, "ticket")
    assert ticket is not None and ticket["order_id"] == order["order_id"], text(asked)
    assert await ticket_line(app_client, ticket["ticket_id"]) == (earbuds, 1)


async def test_return_the_headphones_from_my_last_order_in_english(app_client):
    order = await shipped_two_item_order(app_client, "as2", ADDRESS_EN)
    earbuds = next(i for i, item in enumerate(order["items"]) if item["product_id"] == EARBUDS)
    asked = await say(app_client, "as2", "return the headphones from my last order")
    assert "Which one is it about" not in text(asked), text(asked)
    if custom(asked, "ticket") is None:
        reasons = [b for r in asked for b in r.get("buttons") or [] if b["payload"].startswith("/inform")]
        assert reasons, text(asked)
        asked = await say(app_client, "as2", reasons[0]["payload"])
    ticket = custom(asked, "ticket")
    assert ticket is not None and ticket["order_id"] == order["order_id"], text(asked)
    assert await ticket_line(app_client, ticket["ticket_id"]) == (earbuds, 1)


async def test_a_bare_return_of_a_two_item_order_asks_which_item(app_client):
    order = await shipped_two_item_order(app_client, "as3", ADDRESS_ZH)
    phone = next(i for i, item in enumerate(order["items"]) if item["product_id"] == PHONE)
    asked = await say(app_client, "as3", "屏幕是坏的,我要退货")
    assert "是哪一件" in text(asked), text(asked)
    items = [b for r in asked for b in r.get("buttons") or [] if '"line_no"' in b["payload"]]
    assert len(items) == 2 and "Mate 60" in items[phone]["title"]
    filed = await say(app_client, "as3", items[phone]["payload"])
    ticket = custom(filed, "ticket")
    assert ticket is not None, text(filed)  # the reason was said in the first message
    assert await ticket_line(app_client, ticket["ticket_id"]) == (phone, 1)


async def test_the_headphones_named_at_the_item_question_are_the_earbuds(app_client):
    """Asked which item, "the headphones" picks the line whose title says earbuds (by its kind)."""
    order = await shipped_two_item_order(app_client, "as4", ADDRESS_EN)
    earbuds = next(i for i, item in enumerate(order["items"]) if item["product_id"] == EARBUDS)
    asked = await say(app_client, "as4", "the screen is cracked, I want to return something from my last order")
    assert "Which one is it about" in text(asked), text(asked)
    answered = await say(app_client, "as4", "the headphones")
    assert "couldn't tell which item" not in text(answered), text(answered)
    if custom(answered, "ticket") is None:
        reasons = [b for r in answered for b in r.get("buttons") or [] if b["payload"].startswith("/inform")]
        assert reasons, text(answered)
        answered = await say(app_client, "as4", reasons[0]["payload"])
    ticket = custom(answered, "ticket")
    assert ticket is not None and await ticket_line(app_client, ticket["ticket_id"]) == (earbuds, 1)
