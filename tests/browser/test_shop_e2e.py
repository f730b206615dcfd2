"""The whole shop through the web chat page of the REAL app, in Debian's Chromium.

A shopper opens `/`, searches, opens a product's details (offers of several platforms), buys it
(variant, address, name, phone, "remember?", payment method), confirms, follows the order card's
pay link to the sandbox checkout, pays, and comes back to the chat. An operator then makes the
demo platform ship and the carrier move (sandbox routes and jobs over HTTP); the shipment card
appears on the page by itself (WebSocket push) and a reload loses nothing. Then the same start
in English.

The flow is driven by what does not depend on the NLU (the keyword stand-in today, spaCy
later): buttons on the page and free-text answers the buy flow takes as they are (address,
name, phone). Screenshots of every step go to `test-artifacts/shop-e2e-*.png`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import save_screenshot

pytestmark = pytest.mark.browser

BOT = "[data-testid=msg-bot]"
ONLINE = "[data-testid=status][data-state=online]"


def turn(page: Any, act: Callable[[], None]) -> Any:
    """Do `act` (a click, a typed message) and wait until the bot's answer is on the page;
    returns the last bot row."""
    before = page.locator(BOT).count()
    act()
    page.wait_for_function(
        "n => !window.shopbot.isBusy() && document.querySelectorAll('[data-testid=msg-bot]').length > n",
        arg=before)
    return page.locator(BOT).last


def type_message(page: Any, text: str) -> Any:
    def act() -> None:
        page.fill("[data-testid=input]", text)
        page.click("[data-testid=send]")

    return turn(page, act)


def press_in(page: Any, scope: Any, selector: str) -> Any:
    """Click the first `selector` inside `scope` and wait for the bot's answer."""
    target = scope.locator(selector).first
    return turn(page, target.click)


def press(page: Any, row: Any, title: str) -> Any:
    """Press the reply button titled `title` in the bot row `row`."""
    button = row.locator("[data-testid=reply-button]", has_text=title)
    return turn(page, lambda: button.first.click())


def search(page: Any, product: str) -> Any:
    # The first search is typed as the payload a search button sends (the page has no search
    # form and the keyword stand-in NLU is not what this test is about).
    row = type_message(page, '/search_product{"product": "' + product + '", "price_max": 3000}')
    cards = page.locator("[data-testid=product-card]")
    expect(cards.first).to_be_visible()
    return row


def details_with_most_offers(page: Any) -> tuple[Any, int]:
    """Open the details of listed products until one is sold on several platforms."""
    cards = page.locator("[data-testid=products]").last.locator("[data-testid=product-card]")
    best: tuple[Any, int] = (None, 0)
    for i in range(cards.count()):
        row = press_in(page, cards.nth(i), "[data-testid=details]")
        detail = row.locator("[data-testid=product-detail]")
        expect(detail).to_be_visible()
        offers = detail.locator("[data-testid=offer]").count()
        if offers > best[1]:
            best = (row, offers)
        if offers >= 2:
            break
    return best


def image_width(img: Any) -> int:
    """The natural width of a picture once it has loaded (0 when it failed)."""
    return img.evaluate("img => img.complete ? img.naturalWidth : new Promise(done => {"
                        " img.addEventListener('load', () => done(img.naturalWidth));"
                        " img.addEventListener('error', () => done(0)); })")


def operator(server: Any, method: str, path: str, **kw: Any) -> dict[str, Any]:
    r = httpx.request(method, server.url + path, timeout=30, **kw)
    assert r.status_code == 200, (path, r.status_code, r.text)
    return r.json()


def test_shopper_buys_pays_and_sees_the_parcel_move(live_shop, browser_page) -> None:
    server, page = live_shop, browser_page
    page.goto(server.url + "/")
    page.wait_for_selector(ONLINE)
    save_screenshot(page, "shop-e2e-01-open")

    # --- search: cards with price, platform and actions ------------------------------------
    search(page, "耳机")
    cards = page.locator("[data-testid=product-card]")
    assert cards.count() >= 3
    for i in range(cards.count()):
        price = cards.nth(i).locator("[data-testid=price]").inner_text()
        assert re.match(r"¥\d+(\.\d+)?", price), price
        assert float(re.match(r"¥(\d+(\.\d+)?)", price).group(1)) <= 3000
        assert cards.nth(i).locator("[data-testid=platform]").inner_text() in ("淘宝", "京东", "拼多多")
    assert "耳机" in cards.first.locator("[data-testid=title]").inner_text()
    assert image_width(cards.first.locator("img.thumb")) > 0  # the demo platform's picture loads
    save_screenshot(page, "shop-e2e-02-products")

    # --- details: one product, offered by several platforms ---------------------------------
    detail_row, offers = details_with_most_offers(page)
    assert offers >= 2, "no listed product is sold on two platforms"
    detail = detail_row.locator("[data-testid=product-detail]")
    platforms = detail.locator("[data-testid=offer] [data-testid=offer-platform]").all_inner_texts()
    assert len(set(platforms)) >= 2 and set(platforms) <= {"淘宝", "京东", "拼多多"}
    title = detail.locator("[data-testid=title]").inner_text()
    assert detail_row.locator("img").count() == 1 and image_width(detail_row.locator("img")) > 0
    detail_row.scroll_into_view_if_needed()
    save_screenshot(page, "shop-e2e-03-details")

    # --- buy: variant → address → name → phone → remember → payment → confirm ---------------
    step = press(page, detail_row, "就买这个")
    while step.locator("[data-testid=reply-button][data-payload*=attribute]").count():
        step = press_in(page, step, "[data-testid=reply-button][data-payload*=attribute]")
    assert "地址" in step.inner_text()
    save_screenshot(page, "shop-e2e-04-ask-address")
    assert "名字" in type_message(page, "北京市朝阳区建国路88号3号楼501").inner_text()
    assert "手机号" in type_message(page, "王芳").inner_text()
    remember = type_message(page, "138 0013 8000")  # typed with spaces, as people do
    assert "下次" in remember.inner_text()
    pay_method = press(page, remember, "不用")
    summary = press(page, pay_method, "支付宝")
    assert "请确认订单" in summary.inner_text() and "13800138000" in summary.inner_text()
    total = re.search(r"合计 ?(¥\d+\.\d\d)", summary.inner_text()).group(1)
    save_screenshot(page, "shop-e2e-05-summary")
    placed = press(page, summary, "确认下单")
    order = page.locator("[data-testid=order-card]").last
    expect(order).to_be_visible()
    assert title.split(" ")[0] in order.inner_text()
    assert order.locator("[data-testid=order-status]").inner_text() == "待支付"
    assert order.locator("tr", has_text="合计").inner_text().endswith(total)
    order_id = order.get_attribute("data-order-id")
    assert order_id and order_id.startswith("SO") and order_id in placed.inner_text()
    save_screenshot(page, "shop-e2e-06-order")

    # --- pay on the sandbox checkout, in a new tab ------------------------------------------
    with page.expect_popup() as popup:
        order.locator("[data-testid=pay]").click()
    checkout = popup.value
    checkout.wait_for_load_state()
    assert re.fullmatch(re.escape(server.url) + r"/pay/[\w-]+", checkout.url), checkout.url
    assert order_id in checkout.content()
    checkout.check("input[name=method][value=alipay]")
    save_screenshot(checkout, "shop-e2e-07-checkout")
    checkout.click("button[type=submit]")
    expect(checkout.locator("h1")).to_have_text("支付成功")
    save_screenshot(checkout, "shop-e2e-08-paid")
    checkout.close()

    # Back in the chat: the "paid" news arrived by itself.
    page.bring_to_front()
    paid = page.locator(f"[data-testid=order-card][data-order-id={order_id}] [data-testid=order-status]",
                        has_text="已支付")
    expect(paid).to_be_visible()
    save_screenshot(page, "shop-e2e-09-paid-pushed")

    # --- the operator: the platform ships, the carrier moves the parcel ---------------------
    assert {"sync_platform_orders", "poll_shipments"} <= set(operator(server, "GET", "/sandbox/jobs")["jobs"])
    for store in server.app.state.runtime.demo.servers.values():
        store.store.fulfil_delay = 0
    operator(server, "POST", "/sandbox/jobs/sync_platform_orders/run")
    shipped = page.locator(f"[data-testid=order-card][data-order-id={order_id}] [data-testid=order-status]",
                           has_text="已发货")
    expect(shipped).to_be_visible()  # pushed: nobody typed anything
    assert page.locator("[data-testid=pay]").count() == 0  # the paid order's pay link is retired
    save_screenshot(page, "shop-e2e-10-shipped-pushed")

    moved = operator(server, "POST", "/sandbox/carrier/advance", json={"all": True, "steps": 2})["parcels"]
    assert len(moved) == 1
    tracking, status = moved[0]["tracking_number"], moved[0]["status"]
    operator(server, "POST", "/sandbox/jobs/poll_shipments/run")
    expected = {"collected": "已揽收", "in_transit": "运输中", "out_for_delivery": "派送中", "delivered": "已签收",
                "delayed": "延误", "lost": "丢件", "rejected": "拒收"}
    moving = page.locator(f"[data-testid=shipment-card][data-tracking-number={tracking}] [data-testid=shipment-status]",
                          has_text=expected[status])
    expect(moving).to_be_visible()  # pushed again
    assert order_id in page.locator("[data-testid=shipment-card]").last.inner_text()
    events = page.locator("[data-testid=shipment-card]").last.locator(".timeline li")
    assert events.count() >= 1
    shipment_cards = page.locator("[data-testid=shipment-card]").count()
    save_screenshot(page, "shop-e2e-11-moving-pushed")

    # --- a reload shows the same conversation; nothing pending is lost or doubled -----------
    rows = page.locator(BOT).count()
    page.reload()
    page.wait_for_selector(ONLINE)
    expect(page.locator(BOT)).to_have_count(rows)
    expect(page.locator("[data-testid=shipment-card]")).to_have_count(shipment_cards)
    expect(page.locator(f"[data-testid=order-card][data-order-id={order_id}]").first).to_be_visible()
    save_screenshot(page, "shop-e2e-12-reloaded")


def test_english_shopper_searches_and_opens_details(live_shop, browser_page_en) -> None:
    server, page = live_shop, browser_page_en
    page.goto(server.url + "/")
    page.wait_for_selector(ONLINE)
    assert page.locator("[data-testid=send]").inner_text() == "Send"

    listed = search(page, "earphones")
    assert re.search(r"\bfound\b|\bcheapest\b|\bitems?\b", listed.inner_text(), re.IGNORECASE), listed.inner_text()
    cards = page.locator("[data-testid=product-card]")
    assert cards.first.locator("[data-testid=details]").inner_text() == "Details"
    assert cards.first.locator("[data-testid=platform]").inner_text() in ("Taobao", "JD", "Pinduoduo")
    save_screenshot(page, "shop-e2e-13-en-products")

    detail_row, offers = details_with_most_offers(page)
    assert offers >= 2
    detail = detail_row.locator("[data-testid=product-detail]")
    platforms = detail.locator("[data-testid=offer-platform]").all_inner_texts()
    assert set(platforms) <= {"Taobao", "JD", "Pinduoduo"} and len(set(platforms)) >= 2
    assert detail_row.locator("[data-testid=reply-button]", has_text="Buy").count() == 1
    detail_row.scroll_into_view_if_needed()
    save_screenshot(page, "shop-e2e-14-en-details")

    # The toggle switches the page and, from the next button press on, the bot's language.
    page.click("[data-testid=lang-toggle]")
    assert page.locator("[data-testid=send]").inner_text() == "发送"
    again = turn(page, lambda: page.locator("[data-testid=product-card]").first
                 .locator("[data-testid=details]").click())
    assert re.search(r"[\u4e00-\u9fff]", again.locator("[data-testid=bot-text]").inner_text())
