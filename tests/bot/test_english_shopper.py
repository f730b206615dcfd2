"""What an English shopper sees through the REST channel of the real app: no Chinese in the
details, the product card's specs and variants, the variant question and its buttons; an English
or ordinal answer picks the option the order keeps (the catalog's own); an address typed at the
variant question is kept rather than read as a colour; a model named with its product line or its
brand's alias ("iPhone 15", "苹果15") finds that brand's phones."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from integrations.marketplaces.demo.store import full_catalog_path

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def full_catalog(tmp_path_factory) -> Path:
    """The full generated catalog (English specs, variants, reviews), a few products per brand and kind."""
    return full_catalog_path(tmp_path_factory.mktemp("var"), per_leaf=16)


@pytest.fixture
async def app_client(settings, full_catalog):
    """The real app on the full catalog behind an httpx client; `client.app` is the FastAPI app."""
    from bot.app import create_app

    app = create_app(settings.model_copy(update={"demo_catalog": str(full_catalog)}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


async def say(client: Any, sender: str, text: str) -> list[dict[str, Any]]:
    r = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert r.status_code == 200, r.text
    return r.json()


def seen(replies: list[dict[str, Any]]) -> str:
    """Every text and button title the shopper sees."""
    return "\n".join([r.get("text") or "" for r in replies]
                     + [b["title"] for r in replies for b in r.get("buttons") or []])


def custom(replies: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(r["custom"] for r in replies if (r.get("custom") or {}).get("type") == kind)


async def _details_of_a_power_bank(client: Any, sender: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Details of a listed power bank (or earphones) that comes in several colours and one size."""
    titles = []
    for query in ("I need a power bank", "show me earphones"):
        listing = await say(client, sender, query)
        for item in custom(listing, "products")["items"]:
            details = await say(client, sender, f'/show_details{{"product_id": "{item["id"]}"}}')
            product = custom(details, "product")["item"]
            titles.append(product["title"])
            if len(product.get("variants", {}).get("colour", [])) > 1 and len(product["variants"]) == 1:
                return details, product
    raise AssertionError(f"nothing with colours in {titles}")


async def test_english_details_show_no_chinese(app_client):
    details, product = await _details_of_a_power_bank(app_client, "en-details")
    assert not CJK.search(seen(details)), seen(details)
    assert product["specs"] and not CJK.search(str(product["specs"]))
    assert not CJK.search(str(product["variants"]))
    assert product.get("reviews") and not CJK.search(str(product["reviews"]))
    assert "Reviews" in seen(details)


async def test_details_name_the_was_price_the_card_strikes_through(app_client):
    details, product = await _details_of_a_power_bank(app_client, "en-was")
    text = seen(details)
    assert "list " not in text  # the price before promotions is not a was-price
    for offer in product["offers"]:
        if float(offer["original_price"]) > float(offer["price"]):
            assert f"was ¥{float(offer['original_price']):,.2f}" in text, text


async def test_chinese_details_stay_chinese(app_client):
    listing = await say(app_client, "zh-details", "买个充电宝")
    item = custom(listing, "products")["items"][0]
    details = await say(app_client, "zh-details", f'/show_details{{"product_id": "{item["id"]}"}}')
    product = custom(details, "product")["item"]
    assert CJK.search(str(product["specs"])) and "参数" in seen(details)


async def _at_the_colour_question(client: Any, sender: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    _, product = await _details_of_a_power_bank(client, sender)
    question = await say(client, sender, f'/buy{{"product_id": "{product["id"]}"}}')
    return product, question


async def _placed_variant(client: Any, sender: str) -> dict[str, str]:
    """Goes on to the order from wherever the buy flow is; the variant the order stores."""
    for text in ("88 Jianguo Road, Building 3 Apt 501, Chaoyang, Beijing", "Wang Fang", "13800138000",
                 "no thanks", "WeChat Pay", "place the order"):
        replies = await say(client, sender, text)
        if any((r.get("custom") or {}).get("type") == "order" for r in replies):
            orders = client.app.state.runtime.services.orders
            order = await orders.get(custom(replies, "order")["order_id"])
            return dict(order.lines[0].variant)
    raise AssertionError(f"no order placed; last replies: {seen(replies)}")


async def test_english_variant_question_and_answer_map_to_the_catalog_option(app_client):
    product, question = await _at_the_colour_question(app_client, "en-colour")
    assert not CJK.search(seen(question)), seen(question)
    buttons = [b["title"] for r in question for b in r.get("buttons") or []]
    assert buttons == product["variants"]["colour"][:8]
    second = buttons[1]
    replies = await say(app_client, "en-colour", f"the {second.lower()} one")
    assert "doesn't come in" not in seen(replies) and "address" in seen(replies).lower(), seen(replies)
    variant = await _placed_variant(app_client, "en-colour")
    assert CJK.search(variant["colour"]), variant  # the platform's own option, not the English label


async def test_an_ordinal_answers_the_variant_question(app_client):
    for sender, answer, index in (("en-ord-1", "1", 0), ("en-ord-2", "the second one", 1), ("en-ord-3", "2nd", 1),
                                  ("en-ord-4", "two", 1)):
        product, _ = await _at_the_colour_question(app_client, sender)
        replies = await say(app_client, sender, answer)
        text = seen(replies)
        assert "doesn't come in" not in text and "address" in text.lower(), (answer, text)
        summary = await say(app_client, sender, "88 Jianguo Road, Building 3 Apt 501, Chaoyang, Beijing")
        assert summary  # the flow moved on to the address; the colour shows in the summary later
        for step in ("Wang Fang", "13800138000", "no thanks", "WeChat Pay"):
            summary = await say(app_client, sender, step)
        assert product["variants"]["colour"][index] in seen(summary), (answer, seen(summary))


async def test_an_address_at_the_colour_question_is_kept_not_read_as_a_colour(app_client):
    _, _ = await _at_the_colour_question(app_client, "en-addr")
    replies = await say(app_client, "en-addr", "88 Jianguo Road, Building 3 Apt 501, Chaoyang, Beijing")
    text = seen(replies)
    assert "doesn't come in" not in text and "Got the address" in text, text
    replies = await say(app_client, "en-addr", "1")
    assert "address" not in (replies[-1].get("text") or "").lower() or "name" in seen(replies).lower(), seen(replies)


async def test_a_model_with_its_line_or_brand_alias_finds_that_brands_phones(app_client):
    for n, query in enumerate(("iPhone 15", "苹果15", "iphone15", "I want an iPhone 15")):
        listing = await say(app_client, f"model-{n}", query)
        items = custom(listing, "products")["items"]
        assert items and all(i["brand"] == "Apple" and i["category"] == "phones" for i in items), \
            (query, [(i["brand"], i["category"], i["title"]) for i in items])


async def test_the_cart_and_the_order_card_name_the_colour_in_english(app_client):
    _, _product = await _details_of_a_power_bank(app_client, "en-cart")
    question = await say(app_client, "en-cart", "add it to my cart")
    colour = next(b["title"] for r in question for b in r.get("buttons") or [])
    added = await say(app_client, "en-cart", colour)
    assert not CJK.search(seen(added)), seen(added)  # "Added to your cart: … (Red)", not "(红色)"
    item = custom(added, "cart")["items"][0]
    assert item["variant_shown"] == colour and CJK.search(item["variant"]["colour"])  # the catalog's option kept

    _, question = await _at_the_colour_question(app_client, "en-card")
    colour = next(b["title"] for r in question for b in r.get("buttons") or [])
    await say(app_client, "en-card", colour)
    for text in ("88 Jianguo Road, Building 3 Apt 501, Chaoyang, Beijing", "Wang Fang", "13800138000",
                 "no thanks", "WeChat Pay", "place the order"):
        replies = await say(app_client, "en-card", text)
        if any((r.get("custom") or {}).get("type") == "order" for r in replies):
            break
    card = custom(replies, "order")["items"][0]
    assert card["variant_shown"] == colour and not CJK.search(card["title"]), card


def test_an_option_without_an_english_form_is_read_in_english():
    from dialogue.presentation.products import variant_shown

    assert variant_shown({"colour": "星光色", "size": "42码"}, "en") == "Starlight / EU 42"
    assert variant_shown({"colour": "星光色"}, "zh") == "星光色"


def test_a_chinese_store_name_is_put_in_english_or_not_shown():
    from dialogue.presentation.products import merchant_name

    assert merchant_name("罗马仕官方旗舰店", "en") == "Romoss official flagship store"
    assert merchant_name("小米品牌店", "en") == "Xiaomi brand store"
    assert merchant_name("某某杂货铺", "en") == "the seller"
    assert merchant_name("罗马仕官方旗舰店", "zh") == "罗马仕官方旗舰店"
