"""Issue 17 in a real browser, at 1440 px and 390 px: the login error in Chinese and English, the
queue by the shopper's name with their last message and a waiting timer, the transcript showing a
button press as what the shopper chose, the collected data as a profile in words and no ISO times."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.apps import create_app_with_console
from tests.browser.conftest import save_screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture(params=[1440, 390], ids=["1440px", "390px"])
def sized_page(request, chromium: Any) -> Iterator[tuple[Any, int]]:
    width = request.param
    context = chromium.new_context(viewport={"width": width, "height": 900 if width > 500 else 844},
                                   locale="zh-CN", is_mobile=width < 500, has_touch=width < 500)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page, width
    context.close()


def no_sideways_scroll(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_staff_read_names_choices_profile_and_local_times(settings, live_server, sized_page):
    page, width = sized_page
    app = create_app_with_console(settings)
    server = live_server(app)
    server.call(app.state.console.auth.add_staff("alice", "agent", PASSWORD, "小王"))

    with httpx.Client(base_url=server.url, timeout=30) as shop:
        def say(text: str) -> list[dict]:
            return shop.post("/webhooks/rest/webhook", json={"sender": "w3b2c9d0", "message": text}).json()

        say('/inform{"payment_method": "wechat_pay"}')  # a button press (its button is not in this chat)
        say("转人工")
        say("我的订单三天没发货")
        shoppers = app.state.runtime.services.shoppers
        shopper = server.call(shoppers.by_identity("rest", "w3b2c9d0"))
        server.call(shoppers.update_profile(shopper.id, display_name="李雷", address="上海市浦东新区世纪大道 1 号"))

    page.goto(server.url + "/console")
    page.fill("#username", "alice")
    page.fill("#password", "wrong password")
    page.click("#login-button")
    page.wait_for_selector("#login-error:has-text('用户名或密码错误')")
    assert no_sideways_scroll(page)
    save_screenshot(page, f"console17-{width}-1-login-error-zh")
    page.click("#lang-toggle")
    page.click("#login-button")
    page.wait_for_selector("#login-error:has-text('Wrong username or password')")
    assert page.inner_text("#login-button") == "Log in"
    save_screenshot(page, f"console17-{width}-2-login-error-en")
    page.click("#lang-toggle")  # back to Chinese (remembered)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_selector("#whoami:has-text('小王')")

    item = page.wait_for_selector("#queue-waiting li:has-text('李*')")  # names are masked
    text = item.inner_text()
    assert "w3b2c9d0" not in text and "我的订单三天没发货" in text and "接口" in text
    assert re.search(r"\b\d+:\d\d\b", page.inner_text("#queue-waiting .sla"))
    page.click("#queue-filter [data-filter='mine']")
    assert page.is_hidden("#queue-waiting")  # filtered to mine: nobody waits there
    page.click("#queue-filter [data-filter='waiting']")
    assert page.is_visible("#queue-waiting") and page.is_hidden("#queue-mine")
    save_screenshot(page, f"console17-{width}-3-queue")

    page.click("#queue-waiting li:has-text('李*')")
    page.wait_for_selector("#transcript li.user:has-text('选了 微信支付')")
    transcript = page.inner_text("#transcript")
    assert "/inform" not in transcript and "payment_method" not in transcript
    page.wait_for_selector("#collected-list dd:has-text('上海市浦东新区****')")  # the street masked
    collected = page.inner_text("#collected-list")
    assert "地址" in collected and "{" not in collected
    body = page.inner_text("body")
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", body)  # no ISO times anywhere
    assert no_sideways_scroll(page)
    save_screenshot(page, f"console17-{width}-4-conversation")
