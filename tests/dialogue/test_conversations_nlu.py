"""Whole conversations in the shopper's own words (the trained NLU), Chinese and English."""

from __future__ import annotations

from decimal import Decimal

from tests.dialogue.conftest import custom, texts


async def press_variants(say, step, sender):
    """Press the first option while the bot asks for a variant (colour, size, storage)."""
    while step and step[0].get("buttons") and "attribute" in step[0]["buttons"][0]["payload"]:
        step = await say(step[0]["buttons"][0]["payload"], sender=sender)
    return step


async def test_chinese_shopper_from_need_to_order(say):
    s = "zh-nlu"
    assert texts(await say("你好", sender=s))
    found = custom(await say("我想买一台五六千的轻薄本,京东或淘宝都行", sender=s), "products")
    assert found["items"] and found["query"]["price_min"] == "5000" and found["query"]["price_max"] == "6000"
    assert set(found["query"]["platform"]) == {"jd", "taobao"}
    assert all(5000 <= Decimal(i["price"]) <= 6000 for i in found["items"])
    only_jd = custom(await say("只看京东的", sender=s), "products")
    assert {i["platform"] for i in only_jd["items"]} == {"jd"}
    details = custom(await say("第二个详细说说", sender=s), "product")["item"]
    assert details["id"] == only_jd["items"][1]["id"]
    comparison = custom(await say("对比一下第一个和第三个", sender=s), "comparison")
    assert [i["id"] for i in comparison["items"]] == [only_jd["items"][0]["id"], only_jd["items"][2]["id"]]
    step = await press_variants(say, await say("就买第一个", sender=s), s)
    assert "地址" in texts(step)
    parcel = await say("我的快递到哪了", sender=s)  # a digression mid-purchase …
    assert "还没有订单" in texts(parcel) and "地址" in texts(parcel)  # … and back to where we were
    await say("北京市朝阳区建国路88号3号楼501", sender=s)
    await say("王芳", sender=s)
    assert "下次" in texts(await say("13800138000", sender=s))
    await say("不用", sender=s)
    summary = await say("用支付宝付", sender=s)
    assert "请确认订单" in texts(summary) and "支付宝" in texts(summary)
    order = custom(await say("确认", sender=s), "order")
    assert order["order_id"].startswith("SO") and order["payment_url"]


async def test_english_shopper_searches_refines_and_cancels(say):
    s = "en-nlu"
    assert texts(await say("hi there", sender=s)).isascii()
    found = custom(await say("I need running shoes under 500", sender=s), "products")
    assert found["items"] and all(Decimal(i["price"]) <= 500 for i in found["items"])
    cheapest = custom(await say("sort by price, cheapest first", sender=s), "products")
    prices = [Decimal(i["price"]) for i in cheapest["items"]]
    assert prices == sorted(prices)
    details = custom(await say("tell me more about the second one", sender=s), "product")["item"]
    assert details["id"] == cheapest["items"][1]["id"]
    step = await press_variants(say, await say("I'll take it", sender=s), s)
    assert "address" in texts(step).lower()
    assert "cancelled" in texts(await say("cancel that", sender=s))


async def test_nonsense_emoji_and_very_long_messages_get_helpful_replies(say):
    for text in ["🙂🙂🙂", "asdkjh qwpoe zmxnc", "买" * 5000, "\u202eمرحبا"]:
        replies = await say(text, sender="odd")
        assert replies and all(r.get("text") for r in replies)


async def test_cheaper_goes_below_what_was_shown_until_nothing_is_then_cheapest_first(say):
    s = "zh-cheaper"
    shown = custom(await say("帮我找一款3000元以内的耳机", sender=s), "products")["items"]
    for _ in range(12):
        replies = await say("有没有便宜点的", sender=s)
        listed = custom(replies, "products")["items"]
        prices = [Decimal(i["price"]) for i in listed]
        if "没有比刚才更便宜" in texts(replies):
            assert prices == sorted(prices) and min(prices) <= min(Decimal(i["price"]) for i in shown)
            break
        assert max(prices) < min(Decimal(i["price"]) for i in shown)
        shown = listed
    else:
        raise AssertionError("cheaper never ran out of cheaper items")
    details = custom(await say("第二个详细说说", sender=s), "product")["item"]
    assert details["id"] == listed[1]["id"]


async def test_a_kind_the_shop_lacks_is_said_so_in_the_shoppers_language(say):
    # the first demo catalog sells Xiaomi earbuds but no power banks: none are passed off as one
    zh = await say("买个小米充电宝 200以内", sender="zh-kind")
    assert "充电宝" in texts(zh) and not any((r.get("custom") or {}).get("type") == "products" for r in zh)
    en = await say("I need a power bank under 200", sender="en-kind")
    assert "power bank" in texts(en).lower()
    assert not any((r.get("custom") or {}).get("type") == "products" for r in en)
    assert texts(en).isascii()


async def test_bad_search_input_gets_a_clear_answer_in_the_shoppers_language(say):
    # one character, 500 characters, only emoji, only a brand, only a price, an unknown brand
    replies = await say("🛒🛒", sender="emoji-only")  # no language to go by: any helpful answer
    assert replies and all(r.get("text") for r in replies)
    for n, text in enumerate(["买", "我想买" + "手机" * 250, "华为", "500以内", "我要买佐布拉克牌的鞋子"]):
        replies = await say(text, sender=f"zh-bad-{n}")
        assert replies and all(r.get("text") for r in replies), text
        assert any("\u4e00" <= ch <= "\u9fff" for ch in texts(replies)), text
    for n, text in enumerate(["a", "I want " + "phone " * 80, "Huawei", "under 500", "I need Zorblax shoes"]):
        replies = await say(text, sender=f"en-bad-{n}")
        assert replies and all(r.get("text") for r in replies), text
        said = texts(replies).splitlines()[0]  # the bot's own words (the small test catalog's titles
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in said), (text, said)  # are not all English)
