"""A group buy (拼团, issue 18.6) in the web chat page of the REAL app at 390 px: the details'
"拼团 ¥…" button, the buy flow's questions, then the group card (group price, joined of size,
deadline, QR code) with its share button; a friend opening the link sees the group and is asked
the same questions. Screenshots: test-artifacts/webchat-group-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import save_screenshot
from tests.browser.test_shop_e2e import BOT, ONLINE, image_width, press_in, turn, type_message

pytestmark = pytest.mark.browser


def open_group_details(page) -> tuple:
    """Open the details of listed products until one has a group price: (its row, the 拼团 button)."""
    cards = page.locator("[data-testid=products]").last.locator("[data-testid=product-card]")
    for i in range(cards.count()):
        row = press_in(page, cards.nth(i), "[data-testid=details]")
        button = row.locator("[data-testid=reply-button]", has_text="拼团")
        if button.count():
            return row, button.first
    raise AssertionError("no listed product has a group price")


def answer_until_summary(page, row) -> object:
    for _ in range(4):  # the variant questions: the first option
        options = row.locator("[data-testid=reply-button][data-payload^='/inform{']")
        if not options.count() or "payment_method" in (options.first.get_attribute("data-payload") or ""):
            break
        row = turn(page, options.first.click)
    for answer in ("北京市朝阳区建国路88号3号楼501", "王芳", "13800138000", "不用", "微信支付"):
        row = type_message(page, answer)
    return row


def test_the_group_card_with_its_share_button_at_390(live_shop, chromium) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(30_000)
    friend = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    friend.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(live_shop.url + "/")
        page.wait_for_selector(ONLINE)
        type_message(page, "我想买手机")
        expect(page.locator("[data-testid=product-card]").first).to_be_visible()
        _, button = open_group_details(page)
        row = turn(page, button.click)
        assert "拼团价" in page.locator(BOT).nth(-2).inner_text() + row.inner_text()
        row = answer_until_summary(page, row)
        assert "拼团价" in row.inner_text() and "人成团" in row.inner_text(), row.inner_text()
        turn(page, lambda: row.locator("[data-testid=reply-button]", has_text="确认").first.click())
        card = page.locator("[data-testid=group-card]").last
        expect(card).to_be_visible()
        assert page.locator("[data-testid=order-card]").count() >= 1  # the order with its pay link
        expect(card.locator("[data-testid=group-status]")).to_have_text("拼团中")
        assert re.search(r"¥[\d,]+\.\d\d", card.inner_text()) and "0 / " in card.inner_text(), card.inner_text()
        assert image_width(card.locator("[data-testid=group-qr]")) > 0  # the QR code loads
        share = card.locator("[data-testid=group-share]")
        expect(share).to_be_visible()
        box = share.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390  # on screen at 390 px
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways
        card.scroll_into_view_if_needed()
        save_screenshot(page, "webchat-group-390")
        page.evaluate("() => { delete Navigator.prototype.share; }")  # no share sheet: the link is copied
        share.click()
        expect(card.locator("[data-testid=group-share-note]")).not_to_have_text("")

        url = re.search(r"https?://\S+\?s=(sg[A-Za-z0-9_-]+)", page.locator(BOT).last.inner_text())
        assert url is not None, page.locator(BOT).last.inner_text()
        other = friend.new_page()
        other.goto(url.group(0))
        other.wait_for_selector(ONLINE)
        other.wait_for_function("() => document.querySelectorAll('[data-testid=group-card]').length > 0"
                                " && !window.shopbot.isBusy()")
        invited = other.locator("[data-testid=group-card]").first
        assert "朋友邀请你拼团" in other.locator(BOT).first.inner_text()
        expect(invited.locator("[data-testid=group-status]")).to_have_text("拼团中")
        save_screenshot(other, "webchat-group-friend-390")
    finally:
        friend.close()
        context.close()
