"""Sign up in the web chat, read the code from the sandbox route, sign in on a second browser:
the second browser shows the same conversation (issue 19.2). Screenshots at 390 and 1440 px
(test-artifacts/webchat-account-*.png)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.test_shop_e2e import BOT, ONLINE, type_message

pytestmark = pytest.mark.browser

PASSWORD = "violet-tram-Harbour-42"


def code_for(server: Any, to: str) -> str:
    r = httpx.get(server.url + "/sandbox/verification-codes", params={"to": to}, timeout=30)
    assert r.status_code == 200 and r.json(), r.text
    return r.json()[0]["code"]


def open_page(chromium: Any, server: Any, width: int, locale: str) -> tuple[Any, Any]:
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale=locale)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(server.url + "/")
    page.wait_for_selector(ONLINE)
    return context, page


@pytest.mark.parametrize("width,lang", [(390, "zh"), (1440, "en")])
def test_sign_up_then_sign_in_on_a_second_browser_shows_the_same_history(live_shop, chromium, width, lang) -> None:
    zh = lang == "zh"
    phone = "13800138000" if zh else "13900139000"
    first_ctx, first = open_page(chromium, live_shop, width, "zh-CN" if zh else "en-US")
    second_ctx = None
    try:
        type_message(first, "我想买蓝牙耳机" if zh else "bluetooth earphones")
        assert first.locator("[data-testid=product-card]").count() >= 1
        type_message(first, "我要注册" if zh else "sign me up")
        row = type_message(first, phone)
        assert ("138****8000" if zh else "139****9000") in row.inner_text()
        row = type_message(first, code_for(live_shop, phone))
        assert ("设置登录密码" if zh else "choose a password") in row.inner_text()
        row = type_message(first, PASSWORD)
        assert ("注册成功" if zh else "signed up") in row.inner_text()
        first.wait_for_function("() => !document.querySelector('[data-testid=log]').innerText.includes("
                                f"'{PASSWORD}')")  # masked in this browser's copy too
        stored = first.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
        assert PASSWORD not in stored
        save_screenshot(first, f"webchat-account-signup-{lang}-{width}")

        second_ctx, second = open_page(chromium, live_shop, width, "zh-CN" if zh else "en-US")
        assert second.locator(BOT).count() == 0  # a new browser: nothing yet
        type_message(second, "登录" if zh else "log in")
        type_message(second, phone)
        type_message(second, code_for(live_shop, phone))
        log = second.locator("[data-testid=log]")
        second.wait_for_function(
            "() => document.querySelectorAll('[data-testid=product-card]').length > 0")
        text = log.inner_text()
        assert ("我想买蓝牙耳机" if zh else "bluetooth earphones") in text  # said in the first browser
        assert ("登录成功" if zh else "Signed in") in text
        assert PASSWORD not in text  # the password was never kept
        if not zh:
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in second.locator(BOT).last.inner_text())
        save_screenshot(second, f"webchat-account-second-browser-{lang}-{width}")
    finally:
        first_ctx.close()
        if second_ctx is not None:
            second_ctx.close()


@pytest.mark.parametrize("width,lang", [(390, "zh"), (1440, "en")])
def test_account_pages_sign_up_and_my_account(live_shop, chromium, width, lang) -> None:
    zh = lang == "zh"
    phone = "13700137000"
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="zh-CN" if zh else "en-US")
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(live_shop.url + "/account/signup")
        page.fill("#address", "12345")
        page.click("[data-testid=send-code]")
        assert ("不像手机号或邮箱" if zh else "phone number or an e-mail") in page.inner_text("[data-testid=error]")
        page.fill("#address", phone)
        page.click("[data-testid=send-code]")
        page.fill("#code", code_for(live_shop, phone))
        page.fill("#password", "password")
        page.click("[data-testid=finish]")
        assert ("常见" if zh else "common") in page.inner_text("[data-testid=error]")
        page.fill("#code", code_for(live_shop, phone))
        page.fill("#password", PASSWORD)
        page.click("[data-testid=finish]")
        page.wait_for_selector("[data-testid=who]")
        assert "137****7000" in page.inner_text("[data-testid=who]")
        body = page.inner_text("main")
        if not zh:
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in body)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
        save_screenshot(page, f"account-home-{lang}-{width}")
        page.click("[data-testid=signout-everywhere]")
        page.wait_for_selector("[data-testid=signin-form]")
        assert ("已在所有设备上退出" if zh else "Signed out everywhere") in page.inner_text("[data-testid=notice]")
    finally:
        context.close()
