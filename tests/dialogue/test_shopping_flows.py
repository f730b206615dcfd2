"""Whole shopping conversations through the REST channel, against the demo platforms.

Messages here use `/intent{json}` payloads (what buttons send) and free text where the flow
takes free text (addresses, names, phones), so they test the flows, not the NLU; the NLU
conversations are in test_conversations_nlu.py.
"""

from __future__ import annotations

from decimal import Decimal

from tests.dialogue.conftest import custom, texts


async def test_search_lists_at_once_and_a_budget_chip_filters_within_it(say):
    first = await say('/search_product{"product": "耳机"}')
    assert "预算" not in texts(first) and custom(first, "products")["items"]
    chip = next(b for b in first[0]["buttons"] if b["title"].endswith("以内"))
    limit = int(chip["title"].strip("¥以内").replace(",", ""))
    replies = await say(chip["payload"])
    products = custom(replies, "products")
    assert products["items"] and products["total"] >= len(products["items"])
    assert all(Decimal(i["price"]) <= limit for i in products["items"])
    assert products["query"]["price_max"] == str(limit)
    assert {"id", "title", "brand", "platform", "price", "currency", "original_price", "promotion", "sales",
            "rating", "url", "image_url"} <= set(products["items"][0])
    assert "¥" in texts(replies)
    first_id = products["items"][0]["id"]  # the button names its product: an older list's button acts on it
    assert any(b["payload"] == f'/show_details{{"ordinal": 1, "product_id": "{first_id}"}}' for b in replies[0]["buttons"])


async def test_refinement_keeps_the_query(say):
    replies = await say('/search_product{"product": "running shoes"}')
    assert custom(replies, "products")["items"]
    only_jd = custom(await say('/refine_search{"platform": "jd"}'), "products")
    assert only_jd["items"] and {i["platform"] for i in only_jd["items"]} == {"jd"}
    assert only_jd["query"]["product"] == "running shoes"
    cheapest = custom(await say('/refine_search{"sort_by": "price_asc"}'), "products")
    prices = [Decimal(i["price"]) for i in cheapest["items"]]
    assert prices == sorted(prices) and cheapest["query"]["platform"] == ["jd"]
    page2 = custom(await say('/refine_search{"page": "next"}'), "products")
    assert page2["page"] == 2 and not {i["id"] for i in page2["items"]} & {i["id"] for i in cheapest["items"]}


async def test_cheaper_lowers_the_cap_below_what_was_shown(say):
    await say('/search_product{"product": "手机", "price_max": 8000}')
    shown = custom(await say("/recommend"), "products")  # the list the shopper saw last
    cheapest_shown = min(Decimal(i["price"]) for i in shown["items"])
    cheaper = custom(await say(f'/refine_search{{"price_max": {int(cheapest_shown)}}}'), "products")
    assert all(Decimal(i["price"]) <= cheapest_shown for i in cheaper["items"])


async def test_details_by_ordinal_show_every_platforms_offer(say):
    await say('/search_product{"product": "手机", "brand": "Huawei", "price_max": 9000}')
    replies = await say('/show_details{"ordinal": 1}')
    product = custom(replies, "product")["item"]
    assert product["brand"] == "Huawei" and product["specs"]
    assert len(product["offers"]) >= 1
    assert all({"platform", "price", "promotion"} <= set(o) for o in product["offers"])
    last = custom(await say('/show_details{"ordinal": -1}'), "product")["item"]
    assert last["id"] != product["id"]
    out = await say('/show_details{"ordinal": 9}')
    assert "只有 5 件" in texts(out)


async def test_compare_two_items_side_by_side(say):
    await say("hello there")  # English from the first real words on
    await say('/search_product{"product": "laptop", "price_max": 8000}')
    replies = await say('/compare_products{"ordinal": [1, 3]}')
    comparison = custom(replies, "comparison")
    assert len(comparison["items"]) == 2
    labels = [r["label"] for r in comparison["rows"]]
    assert labels[:5] == ["Product", "Price", "Platform", "Rating", "Sales"]
    assert all(len(r["values"]) == 2 for r in comparison["rows"])


async def test_buy_walks_every_step_to_a_confirmed_summary_in_chinese(say):
    await say('/search_product{"product": "手机", "brand": "Huawei", "price_max": 9000}')
    step = await say('/buy{"ordinal": 1}')
    if "颜色" in texts(step):
        step = await say(step[0]["buttons"][0]["payload"])
    assert "地址" in texts(step)
    assert "不完整" in texts(await say("abc"))
    assert "名字" in texts(await say("北京市朝阳区建国路88号3号楼501"))
    assert "手机号" in texts(await say("王芳"))
    assert "不对" in texts(await say("12345"))
    assert "下次" in texts(await say("138 0013 8000"))
    assert "付款" in texts(await say("/affirm"))
    summary = await say('/inform{"payment_method": "alipay"}')
    assert "请确认订单" in texts(summary) and "支付宝" in texts(summary) and "13800138000" in texts(summary)
    assert [b["payload"] for b in summary[0]["buttons"]] == ["/affirm", "/cancel"]
    confirmed = await say("/affirm")
    order = custom(confirmed, "order")
    assert order["order_id"].startswith("SO") and order["status"] == "created"
    assert order["payment_url"] and order["payment_url"] in texts(confirmed)
    assert Decimal(order["total"]) > 0


async def test_saved_address_is_offered_next_time(say, app_client):
    await test_buy_walks_every_step_to_a_confirmed_summary_in_chinese(say)
    await say('/search_product{"product": "耳机", "price_max": 800}')
    step = await say('/buy{"ordinal": 1}')
    if "颜色" in texts(step):
        step = await say(step[0]["buttons"][0]["payload"])
    assert "上次的地址" in texts(step) and "建国路88号" in texts(step)
    assert "付款" in texts(await say("/affirm"))


async def test_buy_in_english_with_quantity_and_cancel(say):
    await say("hello there")
    await say('/search_product{"product": "running shoes", "price_max": 1500}')
    step = await say('/buy{"ordinal": 2, "quantity": 2}')
    while "Which" in texts(step):
        step = await say(step[0]["buttons"][0]["payload"])
    assert "address" in texts(step).lower()
    cancelled = await say("/cancel")
    assert "cancelled" in texts(cancelled)
    assert "nothing in progress" in texts(await say("/cancel"))


async def test_wrong_type_answers_get_help_then_a_human_is_offered(say):
    await say('/search_product{"product": "耳机", "price_max": 800}')
    step = await say('/buy{"ordinal": 1}')
    while "颜色" in texts(step) or "尺码" in texts(step):
        step = await say(step[0]["buttons"][0]["payload"])
    await say("北京市海淀区中关村大街1号")
    await say("李雷")
    first = await say("abc")
    second = await say("not a phone")
    third = await say("xyz")
    assert "不对" in texts(first)
    assert "13800138000" in texts(second)
    assert any(b["payload"] == "/human_handoff" for r in third for b in r.get("buttons", []))


async def test_ordinal_past_the_end_and_stale_buttons_get_helpful_replies(say):
    assert "还没有商品列表" in texts(await say('/show_details{"ordinal": 2}'))
    await say('/search_product{"product": "耳机", "price_max": 800}')
    assert "只有" in texts(await say('/buy{"ordinal": 42}'))
    assert texts(await say('/inform{"payment_method": "alipay"}'))  # a button of a flow that has ended


async def test_recommendations_follow_what_was_viewed(say):
    new = await say("/recommend", sender="newbie")
    assert "新朋友" in texts(new) and custom(new, "products")["items"]
    await say('/search_product{"product": "耳机", "price_max": 2000}')
    viewed = custom(await say('/show_details{"ordinal": 1}'), "product")["item"]
    replies = await say("/recommend")
    assert "看过" in texts(replies) and viewed["title"] in texts(replies)
    items = custom(replies, "products")["items"]
    assert items and viewed["id"] not in {i["id"] for i in items}
    assert {i["category"] for i in items} == {viewed["category"]}


async def test_state_survives_a_restart_of_the_app(settings):
    """The tracker is an event log: a new app on the same stores continues the conversation."""
    import httpx

    from bot.app import create_app
    from bot.settings import Settings

    redis_settings = Settings(**{**settings.model_dump(), "redis_url": "redis://127.0.0.1:6379/0",
                                 "redis_prefix": "shopbot-test-restart:"})
    for round_ in range(2):
        app = create_app(redis_settings)
        async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            if round_ == 0:
                await c.post("/webhooks/rest/webhook", json={"sender": "r", "message": '/search_product{"product": "耳机"}'})
            else:
                r = await c.post("/webhooks/rest/webhook", json={"sender": "r", "message": '/refine_search{"price_max": 600}'})
                assert custom(r.json(), "products")["items"]
                redis = app.state.runtime.redis
                keys = [k async for k in redis.scan_iter("shopbot-test-restart:*")]
                if keys:
                    await redis.delete(*keys)


async def test_a_refinement_that_finds_nothing_keeps_the_list(say):
    shown = custom(await say('/search_product{"product": "running shoes", "price_max": 1000}'), "products")
    nothing = await say('/refine_search{"brand": "Huawei"}')
    assert "No" in texts(nothing) or "没找到" in texts(nothing)
    assert not [r for r in nothing if (r.get("custom") or {}).get("type") == "products"]
    first = custom(await say('/show_details{"ordinal": 1}'), "product")["item"]
    assert first["id"] == shown["items"][0]["id"]
    only_jd = custom(await say('/refine_search{"platform": "jd"}'), "products")
    assert only_jd["query"].get("brand") in (None, "") and only_jd["query"]["product"] == "running shoes"


async def test_recommendations_for_a_product_keep_the_budget_and_can_be_refined(say):
    recommended = custom(await say('/recommend{"product": "跑鞋", "price_max": 1000}'), "products")
    assert recommended["items"] and all(Decimal(i["price"]) <= 1000 for i in recommended["items"])
    only_jd = custom(await say('/refine_search{"platform": "jd"}'), "products")
    assert {i["platform"] for i in only_jd["items"]} == {"jd"}
    assert only_jd["query"]["product"] == "跑鞋" and only_jd["query"]["price_max"] == "1000"


async def test_a_platform_that_only_links_gets_the_shopper_its_item_link(app_client, say):
    connectors = app_client.app.state.runtime.connectors
    for connector in connectors.values():  # as the affiliate APIs (JD Union, TBK, DDK) are
        connector.can_order = False
    try:
        shown = custom(await say('/search_product{"product": "手机", "price_max": 9000}'), "products")
        replies = await say('/buy{"ordinal": 1}')
        item = shown["items"][0]
        assert item["url"] and item["url"] in texts(replies)
        assert "地址" not in texts(replies)  # no order is started here
        assert any(b["payload"].startswith("/set_price_alert") for b in replies[0]["buttons"])
    finally:
        for connector in connectors.values():
            connector.can_order = True
