"""After-sales questions that a shopper answers the way people do: naming the item instead of
its number, a quantity they did not buy, a service that does not exist. Each answer that fits
no option is told what fits, in other words the second time, and a person is offered the third
time; naming the item in the first message skips the item question."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from shop.orders import OrderSummary
from tests.dialogue.conftest import custom, texts
from tests.dialogue.test_order_conversations import buy_first


async def two_item_order(say, app_client, sender: str, english: bool = False) -> str:
    """A paid order of two lines: earphones ×1 and a charging case ×3 (titles in the shopper's language)."""
    first = await buy_first(say, sender, "earphones" if english else "耳机",
                            language_hint="hello, I'd like to shop in English" if english else None)
    orders = app_client.app.state.runtime.services.orders
    bought = await orders.get(first["order_id"])
    line = bought.lines[0]
    case = "Wireless Charging Case" if english else "无线充电盒"
    lines = (replace(line, title="Bluetooth Earphones" if english else "蓝牙耳机"), replace(line, title=case, quantity=3))
    summary = OrderSummary(
        shopper_id=bought.shopper_id, channel=bought.channel, recipient_id=bought.recipient_id,
        platform=bought.platform, lines=lines, total=sum((ln.amount for ln in lines), Decimal(0)),
        receiver_name=bought.receiver_name, phone=bought.phone, address=bought.address,
        language="en" if english else "zh")
    order = await orders.create_from_summary(summary, f"{sender}-two-items")
    intent = await orders.start_payment(order.id)
    payment_id = (intent.pay_url or intent.code_url).rstrip("/").rsplit("/", 1)[-1]
    assert (await app_client.post(f"/sandbox/payments/{payment_id}/pay", json={"method": "alipay"})).status_code == 200
    assert (await app_client.post(f"/sandbox/orders/{order.id}/fulfil")).status_code == 200
    return order.id


def buttons(replies) -> list[str]:
    return [b["title"] for r in replies for b in (r.get("buttons") or [])]


async def test_naming_the_item_in_the_request_skips_the_item_question(say, app_client):
    order_id = await two_item_order(say, app_client, "names-item")
    asked = await say("我要退其中的充电盒", sender="names-item")
    said = texts(asked)
    assert "哪一件" not in said and "几个" in said, said  # the case was bought three times: how many?
    assert buttons(asked)[:3] == ["1", "2", "3"]
    why = await say("2", sender="names-item")
    opened = custom(await say(why[0]["buttons"][0]["payload"], sender="names-item"), "ticket")
    ticket = await app_client.app.state.runtime.services.aftersales.get(opened["ticket_id"])
    assert (ticket.order_id, ticket.line_no, ticket.quantity) == (order_id, 1, 2)


async def test_an_item_named_at_the_item_question_is_taken_in_english(say, app_client):
    order_id = await two_item_order(say, app_client, "en-item", english=True)
    asked = await say(f'/request_after_sales{{"order_id": "{order_id}", "service_type": "exchange"}}', sender="en-item")
    assert "Which one" in texts(asked)
    how_many = await say("the charging case", sender="en-item")
    assert "How many" in texts(how_many), texts(how_many)


async def test_an_answer_that_names_no_item_is_told_the_items_then_other_words_then_a_person(say, app_client):
    order_id = await two_item_order(say, app_client, "no-item")
    await say(f'/request_after_sales{{"order_id": "{order_id}", "service_type": "exchange"}}', sender="no-item")
    first = await say("那个紫色的键盘", sender="no-item")
    second = await say("键盘啊", sender="no-item")
    third = await say("键盘", sender="no-item")
    assert "蓝牙耳机" in texts(first) and "无线充电盒" in texts(first), texts(first)  # what fits is said
    assert texts(second) != texts(first)  # not the same words again
    assert "人工" in texts(third) or any("人工" in b for b in buttons(third)), texts(third)
    picked = await say("第二个", sender="no-item")  # an ordinal still answers after all that
    assert "几个" in texts(picked)


async def test_a_quantity_more_than_was_bought_is_told_the_range(say, app_client):
    order_id = await two_item_order(say, app_client, "too-many")
    await say(f'/request_after_sales{{"order_id": "{order_id}", "service_type": "return"}}', sender="too-many")
    await say("第二个", sender="too-many")
    said = await say("5", sender="too-many")
    assert "1 到 3" in texts(said), texts(said)
    assert not any((r.get("custom") or {}).get("type") == "ticket" for r in said)
    why = await say("3", sender="too-many")
    assert "原因" in texts(why)


async def test_a_service_that_does_not_exist_is_told_what_exists_in_english(say, app_client):
    order_id = await two_item_order(say, app_client, "en-service", english=True)
    asked = await say(f'/request_after_sales{{"order_id": "{order_id}"}}', sender="en-service")
    assert "What kind" in texts(asked)
    said = await say("a discount voucher", sender="en-service")
    assert "Return" in texts(said) or "return" in texts(said), texts(said)
    assert "?" in texts(said)
    again = await say("a voucher please", sender="en-service")
    assert texts(again) != texts(said)


async def test_a_new_request_at_the_item_question_is_handled_not_trapped(say, app_client):
    order_id = await two_item_order(say, app_client, "leaves")
    await say(f'/request_after_sales{{"order_id": "{order_id}", "service_type": "return"}}', sender="leaves")
    where = await say("快递到哪了", sender="leaves")
    assert "没看出" not in texts(where)
