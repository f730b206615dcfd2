"""Sharing in the web chat page of the REAL app (issue 18.5): the details' "分享" button answers
with the link and its QR code; a friend opening the link lands on the product, and the opening
is counted; screenshots at 390 px and 1440 px (test-artifacts/webchat-share-*.png)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.test_shop_e2e import BOT, ONLINE, press_in, turn, type_message

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1440])
def test_a_friend_opening_a_share_link_lands_on_the_product(live_shop, chromium, width) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    friend = chromium.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    friend.set_default_timeout(30_000)
    try:
        page.goto(live_shop.url + "/")
        page.wait_for_selector(ONLINE)
        type_message(page, "我想买蓝牙耳机")
        card = page.locator("[data-testid=product-card]").first
        title = card.locator("[data-testid=title]").inner_text().split(". ", 1)[1]
        row = press_in(page, card, "[data-testid=details]")
        row = turn(page, row.locator("[data-testid=reply-button]", has_text="分享").first.click)
        url = re.search(r"https?://\S+\?s=([A-Za-z0-9_-]+)", row.inner_text())
        assert url is not None, row.inner_text()
        qr = row.locator("img").first
        qr.wait_for()
        assert qr.evaluate("img => img.complete ? img.naturalWidth : new Promise(done => img.onload = () => "
                           "done(img.naturalWidth))") > 0  # the QR code loads
        save_screenshot(page, f"webchat-share-{width}")

        other = friend.new_page()
        other.goto(url.group(0))
        other.wait_for_selector(ONLINE)
        other.wait_for_function("() => document.querySelectorAll('[data-testid=product-detail]').length > 0"
                                " && !window.shopbot.isBusy()")
        assert "朋友分享给你的商品" in other.locator(BOT).first.inner_text()
        assert title in other.locator("[data-testid=product-detail]").first.inner_text()
        assert "?s=" not in other.url  # the link is consumed: a reload does not count it again
        save_screenshot(other, f"webchat-share-friend-{width}")
        stats = httpx.get(f"{live_shop.url}/shares/{url.group(1)}", timeout=30).json()
        assert stats["opens"] == 1
    finally:
        friend.close()
        context.close()
