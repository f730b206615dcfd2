"""Group buys (拼团, issue 18.6) from the shoppers' side, through the REST channel (and the web
chat's HTTP endpoint) of the real app with the demo platforms: A starts a group and pays, B and
C join from the link on their own channels and pay; the group completes and each gets an order
on the platform and is told. A group that runs out of time, or whose product is delisted, gives
every payment back. Joining a full, expired or one's own group is answered; nothing is charged
twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

from dialogue.messages import button_payload
from tests.bot.test_cart import custom, say, text
from tests.bot.test_checkout import ADDRESS_EN, ADDRESS_ZH


async def outbox(client: Any, sender: str) -> list[dict[str, Any]]:
    return (await client.get("/webhooks/rest/outbox", params={"sender": sender})).json()


async def webchat(client: Any, sender: str, message: str) -> list[dict[str, Any]]:
    r = await client.post("/webchat/messages", json={"sender": sender, "text": message, "language": "en"})
    assert r.status_code == 200, r.text
    return list(r.json()["replies"])


async def group_product(client: Any, sender: str, size: int | None = None) -> dict[str, Any]:
    """A listed product with a group price (of `size` people), its details shown: the demo
    platforms carry group prices as pdd does."""
    for query in ("我想买手机", "我想买蓝牙耳机", "我想买笔记本电脑", "我想买运动鞋"):
        found = custom(await say(client, sender, query), "products")
        assert found and found["items"], query
        for item in found["items"]:
            details = custom(await say(client, sender, button_payload("show_details", product_id=item["id"])),
                             "product")
            offers = details["item"].get("offers") or details.get("offers") or [details["item"]]
            grouped = [o for o in offers if o.get("group_price") and o.get("stock", 1) > 0
                       and (size is None or o["group_size"] == size)]
            if grouped:
                return {"id": item["id"], "offer": min(grouped, key=lambda o: Decimal(o["group_price"]))}
    raise AssertionError(f"no listed product has a group price for {size} people")


async def through_questions(send: Any, replies: list[dict[str, Any]], steps: tuple[str, ...]) -> list[dict[str, Any]]:
    """Answer the variant questions (first option), then the address, name, phone, remember and
    payment questions, and confirm."""
    for _ in range(4):
        options = [b for r in replies for b in r.get("buttons") or [] if b["payload"].startswith("/inform{")
                   and "payment_method" not in b["payload"]]
        if not options:
            break
        replies = await send(options[0]["payload"])
    for step in steps:
        replies = await send(step)
    return await send("/affirm")


def paid_via(order: dict[str, Any]) -> str:
    return str(order["payment_url"]).rstrip("/").rsplit("/", 1)[-1]


async def pay(client: Any, order: dict[str, Any]) -> str:
    r = await client.post(f"/sandbox/payments/{paid_via(order)}/pay", json={"method": "wechat_pay"})
    assert r.status_code == 200, r.text
    return str(r.json()["outcome"])


async def start_group(client: Any, sender: str, size: int | None = None,
                      ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A starts a group from the details' 拼团 button (on the offer of `size` people): (the
    product, the order, the group card)."""
    product = await group_product(client, sender, size)
    details = await say(client, sender, button_payload("show_details", product_id=product["id"]))
    button = next(b for r in details for b in r.get("buttons") or [] if b["payload"].startswith("/start_group_buy"))
    assert "拼团" in button["title"]
    started = await say(client, sender, button_payload("start_group_buy", product_id=product["id"],
                                                       platform=product["offer"]["platform"]))
    assert "拼团价" in text(started) and "人成团" in text(started), text(started)
    placed = await through_questions(lambda m: say(client, sender, m), started, ADDRESS_ZH)
    order, card = custom(placed, "order"), custom(placed, "group_buy")
    assert order is not None and card is not None, text(placed)
    return product, order, card


async def test_three_shoppers_on_two_channels_complete_a_group_and_each_gets_an_order(app_client):
    product, order_a, card = await start_group(app_client, "gA", size=3)
    offer = product["offer"]
    size = card["size"]
    assert size == 3
    assert card["status"] == "open" and card["joined"] == 0 and card["product_id"] == product["id"]
    assert Decimal(card["group_price"]) == Decimal(offer["group_price"]) < Decimal(offer["list_price"])
    assert Decimal(order_a["total"]) == Decimal(card["group_price"])  # one at the group price
    assert card["share_url"].endswith(f"/?s={card['group_id']}")
    qr = await app_client.get(urlparse(card["qr_url"]).path)
    assert qr.status_code == 200 and qr.content[:4] == b"\x89PNG"
    assert await pay(app_client, order_a) == "applied"
    started = [r for r in await outbox(app_client, "gA") if (r.get("custom") or {}).get("type") == "group_buy"]
    assert len(started) == 1 and "团开始了" in started[0]["text"] and card["share_url"] in started[0]["text"], started
    assert started[0]["custom"]["joined"] == 1

    group_id = parse_qs(urlparse(card["share_url"]).query)["s"][0]
    for n, (sender, channel) in enumerate([("gB", "rest"), ("gC", "webchat")]):
        if channel == "rest":
            def send(m: str, sender: str = sender) -> Any:
                return say(app_client, sender, m)
            steps = ADDRESS_ZH
        else:
            def send(m: str, sender: str = sender) -> Any:
                return webchat(app_client, sender, m)
            steps = ADDRESS_EN
        invited = await send(button_payload("open_share", share_id=group_id))  # what /?s=<group id> sends
        shown = custom(invited, "group_buy")
        assert shown is not None and shown["group_id"] == group_id and shown["joined"] == n + 1, text(invited)
        placed = await through_questions(send, invited, steps)
        order = custom(placed, "order")
        assert order is not None and Decimal(order["total"]) == Decimal(card["group_price"]), text(placed)
        assert await pay(app_client, order) == "applied"
        assert await pay(app_client, order) == "duplicate"  # never charged twice
        if n == 0:
            told = [r for r in await outbox(app_client, "gA") if (r.get("custom") or {}).get("type") == "group_buy"]
            assert told and told[-1]["custom"]["joined"] == n + 2, told

    pushed = await outbox(app_client, "gA")
    done = [r for r in pushed if (r.get("custom") or {}).get("type") == "group_buy"]
    assert done and done[-1]["custom"]["status"] == "complete" and "拼团成功" in done[-1]["text"], pushed
    mine = text(await say(app_client, "gA", "我的订单"))
    assert order_a["order_id"] in mine and "商家处理中" in mine, mine  # placed on the platform
    b_pushed = await outbox(app_client, "gB")
    assert any("拼团成功" in (r.get("text") or "") for r in b_pushed), b_pushed
    waiting = await app_client.app.state.runtime.outbox.peek("webchat:gC")  # C's pushes, for the web chat page
    assert any("Group complete" in str(item) for item in waiting), waiting
    status = custom(await webchat(app_client, "gC", button_payload("group_buy_status", group_id=group_id)),
                    "group_buy")
    assert status["status"] == "complete" and status["joined"] == size
    orders = app_client.app.state.runtime.orders.orders
    placed = await orders.list_for_shopper((await orders.get(order_a["order_id"])).shopper_id)
    assert [o.status.value for o in placed] == ["submitted"]

    late = await say(app_client, "gD", button_payload("open_share", share_id=group_id))
    assert "已经成团" in text(late) and custom(late, "order") is None  # nothing to pay


async def test_a_group_that_runs_out_of_time_refunds_every_payment(app_client):
    _, order_a, card = await start_group(app_client, "eA")
    assert await pay(app_client, order_a) == "applied"
    if card["size"] > 2:  # a second member pays too; the group still lacks someone
        invited = await say(app_client, "eB", button_payload("open_share", share_id=card["group_id"]))
        order_b = custom(await through_questions(lambda m: say(app_client, "eB", m), invited, ADDRESS_ZH), "order")
        assert await pay(app_client, order_b) == "applied"
    await outbox(app_client, "eA")
    moved = await app_client.post("/sandbox/clock/advance", json={"seconds": 25 * 3600})
    assert moved.status_code == 200
    ran = await app_client.post("/sandbox/jobs/expire_group_buys/run")
    assert ran.status_code == 200 and ran.json()["result"] == 1, ran.text
    pushed = await outbox(app_client, "eA")
    told = [r for r in pushed if (r.get("custom") or {}).get("type") == "group_buy"]
    assert told and told[-1]["custom"]["status"] == "failed" and "全额退回" in told[-1]["text"], pushed
    mine = text(await say(app_client, "eA", "我的订单"))
    assert order_a["order_id"] in mine and "已退款" in mine, mine
    again = await app_client.post("/sandbox/jobs/expire_group_buys/run")
    assert again.json()["result"] == 0  # refunded once
    late = await say(app_client, "eC", button_payload("open_share", share_id=card["group_id"]))
    assert "已经结束" in text(late) and custom(late, "order") is None


async def test_joining_ones_own_group_twice_and_an_unknown_link(app_client):
    _, _, card = await start_group(app_client, "oA")
    own = await say(app_client, "oA", button_payload("open_share", share_id=card["group_id"]))
    assert "你自己发起的团" in text(own) and custom(own, "order") is None
    invited = await say(app_client, "oB", button_payload("open_share", share_id=card["group_id"]))
    await through_questions(lambda m: say(app_client, "oB", m), invited, ADDRESS_ZH)
    twice = await say(app_client, "oB", button_payload("open_share", share_id=card["group_id"]))
    assert "已经在这个团里" in text(twice) and custom(twice, "order") is None
    assert "无效" in text(await say(app_client, "oC", button_payload("open_share", share_id="sgNOPE-nope")))
    assert (await app_client.get("/shares/sgNOPE-nope/qr.png")).status_code == 404
    asked = text(await say(app_client, "oD", "start a group buy"))
    assert "Which one would you like to group-buy" in asked, asked


async def test_a_full_group_is_answered_and_a_late_payment_given_back(app_client):
    _, order_a, card = await start_group(app_client, "fA")
    assert await pay(app_client, order_a) == "applied"
    waiting = []  # everyone the group needs joins first; the last pays after the group filled
    for n in range(card["size"]):
        sender = f"fM{n}"
        invited = await say(app_client, sender, button_payload("open_share", share_id=card["group_id"]))
        order = custom(await through_questions(lambda m, s=sender: say(app_client, s, m), invited, ADDRESS_ZH),
                       "order")
        assert order is not None
        waiting.append((sender, order))
    for _, order in waiting[:-1]:
        assert await pay(app_client, order) == "applied"
    full = await say(app_client, "fZ", button_payload("open_share", share_id=card["group_id"]))
    assert "已经成团" in text(full) or "满" in text(full), text(full)
    sender, order = waiting[-1]  # joined but had not paid when the group completed: cancelled, told
    assert any(order["order_id"] in (r.get("text") or "") and "已取消" in r["text"]
               for r in await outbox(app_client, sender))
    await pay(app_client, order)  # paid anyway, late: given back in full
    orders = app_client.app.state.runtime.orders.orders
    payment_id = paid_via(order)
    assert await orders.refunds.refunded_total(payment_id) == Decimal(order["total"])
    assert "已取消" in text(await say(app_client, sender, "我的订单"))


async def test_a_price_rise_before_the_group_completes_refunds_each_member_and_says_why(app_client):
    product, order_a, card = await start_group(app_client, "pA", size=2)
    assert await pay(app_client, order_a) == "applied"
    offer = product["offer"]
    raised = Decimal(offer["list_price"]) * 2
    moved = await app_client.post(f"/sandbox/platforms/{offer['platform']}/products/{product['id']}/price",
                                  json={"price": f"{raised:.2f}"})
    assert moved.status_code == 200, moved.text
    invited = await say(app_client, "pB", button_payload("open_share", share_id=card["group_id"]))
    order_b = custom(await through_questions(lambda m: say(app_client, "pB", m), invited, ADDRESS_ZH), "order")
    assert Decimal(order_b["total"]) == Decimal(card["group_price"])  # the group's price holds for who joins
    assert await pay(app_client, order_b) == "applied"  # the group is complete: placement finds the price moved
    for sender, order in (("pA", order_a), ("pB", order_b)):
        told = text(await outbox(app_client, sender))
        assert "涨价" in told and order["order_id"] in told and "已自动退款" in told, told
        assert "已退款" in text(await say(app_client, sender, "我的订单"))
        assert await pay(app_client, order) == "duplicate"  # never charged twice


async def test_an_english_shopper_starts_a_group_in_words_and_reads_english(app_client):
    product = await group_product(app_client, "enA")
    shown = await say(app_client, "enA", "tell me more about it")  # the language follows the shopper's words
    asked = await say(app_client, "enA", "start a group buy for this")
    said = text(asked)
    assert "Starting a group buy" in said and "people within" in said, said + text(shown)
    placed = await through_questions(lambda m: say(app_client, "enA", m), asked, ADDRESS_EN)
    card = custom(placed, "group_buy")
    assert card is not None and card["product_id"] == product["id"], text(placed)
    assert "Your group is open" in text(placed) and card["share_url"] in text(placed)


async def test_the_single_price_beside_the_group_price_is_the_price_the_card_shows(app_client):
    """One price (issue 13): "拼团价 ¥52.30(单买 …)" names what the offer costs alone, its
    promotions taken off, as its card does — not the list price before them."""
    from dialogue.presentation.money import format_money

    for query in ("我想买纸尿裤", "我想买手机", "我想买蓝牙耳机", "我想买运动鞋", "我想买笔记本电脑"):
        for item in custom(await say(app_client, "single-price", query), "products")["items"]:
            details = custom(await say(app_client, "single-price", button_payload("show_details", product_id=item["id"])),
                             "product")
            promoted = [o for o in details["item"].get("offers") or [] if o.get("group_price") and o.get("stock", 1) > 0
                        and Decimal(o["list_price"]) > Decimal(o["price"])]
            if promoted:
                offer = promoted[0]
                started = await say(app_client, "single-price", button_payload(
                    "start_group_buy", product_id=item["id"], platform=offer["platform"]))
                assert f"单买 {format_money(offer['price'], 'zh')}" in text(started), (offer, text(started))
                return
    raise AssertionError("no listed offer has both a group price and a promotion")


async def test_an_english_friend_reads_the_group_in_english_and_picks_their_own_variant(app_client):
    """The friend opening the link is asked the variant (their child's size, their colour) like any
    buyer — nothing is taken from the link's id — and reads the card's title in English."""
    import re

    _product, order_a, card = await start_group(app_client, "zhStarter")
    assert await pay(app_client, order_a) == "applied"
    group_id = parse_qs(urlparse(card["share_url"]).query)["s"][0]
    invited = await webchat(app_client, "enFriend", button_payload("open_share", share_id=group_id))
    shown = custom(invited, "group_buy")
    assert shown is not None and not re.search(r"[\u4e00-\u9fff]", shown["title"]), shown["title"]
    details = custom(await say(app_client, "zhStarter", button_payload("show_details", product_id=card["product_id"])),
                     "product")
    if details["item"].get("variants"):
        options = [b for r in invited for b in r.get("buttons") or [] if '"attribute"' in b["payload"]]
        assert options, text(invited)  # asked, not chosen for them
