"""Questions a shopper asks about the list in front of them: "which one has the best rating?",
"哪个最便宜", "which sells best" — answered from that list, not with "search first"; and a count
of one reads as one ("Found 1 product")."""

from __future__ import annotations

from decimal import Decimal

from tests.dialogue.conftest import custom, texts


async def test_which_has_the_best_rating_names_the_best_rated_item_of_the_list(say):
    listed = custom(await say("I'm looking for earphones", sender="best-rated"), "products")["items"]
    answer = await say("which one has the best rating?", sender="best-rated")
    best = max(range(len(listed)), key=lambda i: Decimal(str(listed[i]["rating"])))
    said = texts(answer)
    assert "Search first" not in said
    assert f"#{best + 1}" in said and listed[best]["title"] in said, said
    buy = [b for b in answer[0]["buttons"] if "buy" in b["payload"]]
    assert buy and listed[best]["id"] in buy[0]["payload"]


async def test_which_is_cheapest_in_chinese_names_the_cheapest_item(say):
    listed = custom(await say("看看耳机", sender="cheapest"), "products")["items"]
    answer = texts(await say("哪个最便宜", sender="cheapest"))
    cheapest = min(range(len(listed)), key=lambda i: Decimal(listed[i]["price"]))
    assert f"第 {cheapest + 1} 个" in answer and listed[cheapest]["title"] in answer, answer


async def test_which_sells_best_names_the_best_seller(say):
    listed = custom(await say("running shoes", sender="seller"), "products")["items"]
    answer = texts(await say("which is the best seller?", sender="seller"))
    best = max(range(len(listed)), key=lambda i: int(listed[i]["sales"]))
    assert listed[best]["title"] in answer, answer


async def test_the_best_question_with_no_list_asks_to_search_first(say):
    assert "Search first" in texts(await say("which one has the best rating?", sender="no-list"))


def test_a_count_of_one_reads_as_one_product():
    from dialogue import responses

    assert responses.text("search_found", "en", total=1, shown=1) == "Found 1 product across the platforms:"
    assert responses.text("search_found", "en", total=3, shown=3).startswith("Found 3 products")
    assert "1 件" in responses.text("search_found", "zh", total=1, shown=1)
    assert "only one item" in responses.text("ordinal_out_of_range", "en", count=1)


async def test_a_capacity_said_beside_the_product_is_searched(say):
    """"Huawei phones with 256GB": the NLU gives the capacity apart from the product; it is searched too."""
    found = custom(await say("Huawei phones with 256GB", sender="size"), "products")
    assert found["items"] and all("256GB" in item["title"] for item in found["items"]), [i["title"] for i in found["items"]]


async def test_only_a_capacity_refines_the_list_and_says_so(say):
    first = custom(await say("华为手机", sender="only-size"), "products")
    assert any("512GB" not in item["title"] for item in first["items"])  # the list had other capacities
    replies = await say("只要512G的", sender="only-size")
    refined = custom(replies, "products")
    assert refined["items"] and all("512GB" in item["title"] for item in refined["items"]), \
        [i["title"] for i in refined["items"]]
    assert "只看512G的" in texts(replies)
    again = custom(await say("还是看256G的吧", sender="only-size"), "products")  # the new capacity replaces it
    assert again["items"] and all("256GB" in i["title"] and "512GB" not in i["title"] for i in again["items"])


async def test_the_jd_one_shows_the_listed_jd_item_not_a_comparison(say):
    listed = custom(await say("earphones", sender="jd-one"), "products")["items"]
    jd = [item for item in listed if item["platform"] == "jd"]
    replies = await say("the JD one", sender="jd-one")
    assert not any((r.get("custom") or {}).get("type") == "comparison" for r in replies)
    if jd:
        assert custom(replies, "product")["item"]["id"] == jd[0]["id"]


async def test_the_cheapest_on_a_platform_is_of_that_platform(say):
    listed = custom(await say("耳机", sender="cheap-jd"), "products")["items"]
    platform = listed[-1]["platform"]
    word = {"jd": "京东", "taobao": "淘宝", "pdd": "拼多多"}[platform]
    answer = texts(await say(f"{word}上哪个最便宜", sender="cheap-jd"))
    mine = [i for i in listed if i["platform"] == platform]
    cheapest = min(mine, key=lambda i: Decimal(i["price"]))
    assert cheapest["title"] in answer, answer
