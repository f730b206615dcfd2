"""The cart in the web chat page of the REAL app: add from a card, answer the variant question,
change the quantity with + / −, remove a line; screenshots at 390 px and 1440 px
(test-artifacts/webchat-cart-*.png)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.test_shop_e2e import BOT, ONLINE, press_in, turn, type_message

pytestmark = pytest.mark.browser


def answer_variants(page: Any, row: Any) -> Any:
    """Press the first option while the bot asks for a variant; returns the row with the cart."""
    for _ in range(4):
        if row.locator("[data-testid=cart-card]").count():
            return row
        options = row.locator("[data-testid=reply-button][data-payload^='/inform']")
        assert options.count(), row.inner_text()
        row = turn(page, options.first.click)
    return row


@pytest.mark.parametrize("width", [390, 1440])
def test_add_from_a_card_change_and_remove_in_the_cart_card(live_shop, chromium, width) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(live_shop.url + "/")
        page.wait_for_selector(ONLINE)
        type_message(page, "我想买蓝牙耳机")
        cards = page.locator("[data-testid=product-card]")  # the one list on the page
        assert cards.count() >= 2
        first_title = cards.nth(0).locator("[data-testid=title]").inner_text().split(". ", 1)[1]
        first_price = cards.nth(0).locator("[data-testid=price]").evaluate("el => el.firstChild.textContent")

        row = answer_variants(page, press_in(page, cards.nth(0), "[data-testid=add-to-cart]"))
        cart = row.locator("[data-testid=cart-card]")
        line = cart.locator("[data-testid=cart-line]").first
        assert line.locator("[data-testid=cart-title]").inner_text() == first_title
        assert first_price in line.inner_text()  # the card's price, in the cart
        assert line.locator("[data-testid=cart-quantity]").inner_text() == "1"

        row = answer_variants(page, press_in(page, cards.nth(1), "[data-testid=add-to-cart]"))
        row = press_in(page, row.locator("[data-testid=cart-line]").first, "[data-testid=cart-plus]")
        cart = row.locator("[data-testid=cart-card]")
        assert cart.locator("[data-testid=cart-line]").count() == 2
        assert cart.locator("[data-testid=cart-quantity]").first.inner_text() == "2"
        save_screenshot(page, f"webchat-cart-{width}")
        type_message(page, "看看购物车")
        shown = page.locator(BOT).last
        assert shown.locator("[data-testid=cart-checkout]").count() == 1
        assert shown.get_by_role("button", name="去结算").count() == 1  # not a second "去结算" beside the card

        row = press_in(page, shown.locator("[data-testid=cart-line]").nth(1), "[data-testid=cart-remove]")
        assert row.locator("[data-testid=cart-line]").count() == 1
        assert page.locator(BOT).last.locator("[data-testid=cart-card]").count() == 1
    finally:
        context.close()
