"""Issue 17.5 in a real browser at 390 px: the console's 中文/EN toggle switches every word of the
console itself (header, filters, buttons, placeholders, the supervisor view), is remembered
across a reload, and the English console shows no Chinese UI text (the shopper's own words stay
as they wrote them). Screenshots: test-artifacts/console-lang-390-*.png."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.test_console_tools import PASSWORD, log_in, new_page, no_sideways_scroll

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u4e00-\u9fff]")
# the console's own words; not the canned replies (in the shopper's language: they are sent to
# them) nor the 中文 toggle (it names the other language)
UI = "header strong, header nav button, #stats, #whoami, #logout, #queue-filter button, #queues h2, " \
     "#conversation .bar button, #tools button, #tools small, #collected h2"


def ui_text(page) -> str:
    parts = page.eval_on_selector_all(UI, "els => els.filter(e => e.offsetParent).map(e => e.textContent)")
    placeholders = page.eval_on_selector_all("#tools [placeholder]", "els => els.map(e => e.placeholder)")
    options = page.eval_on_selector_all("#transfer-to option", "els => els.map(e => e.textContent)")
    return " ".join(parts + placeholders + options)


def test_the_console_speaks_english_when_toggled_and_remembers_it(live_shop, chromium) -> None:
    auth = live_shop.app.state.runtime.console.auth
    live_shop.call(auth.add_staff("sue", "supervisor", PASSWORD, "Sue"), timeout=60)
    with httpx.Client(base_url=live_shop.url, timeout=30) as shop:
        shop.post("/webhooks/rest/webhook", json={"sender": "buyer", "message": "转人工"})
    page = new_page(chromium, 390)
    try:
        log_in(page, live_shop.url, "sue", "Sue")
        assert page.inner_text("#logout") == "退出"
        page.click("#lang-toggle-app")
        page.wait_for_selector("#logout:has-text('Log out')")
        page.reload()
        page.wait_for_selector("#whoami:has-text('Sue (supervisor)')")  # remembered after a reload
        page.click("#queue-waiting li")
        page.wait_for_selector("#transcript li.user")
        text = ui_text(page)
        assert "Take" in text and "Pre-sales team" in text and not CJK.search(text), text
        assert no_sideways_scroll(page)
        save_screenshot(page, "console-lang-390-1-english")
        page.click("#supervisor-tab")
        page.wait_for_selector("#kpis dd[data-kpi='csat']")
        assert page.inner_text("#queue-chart .hour:last-child .fill") == "1"  # the shopper waiting now
        assert not CJK.search(page.inner_text("#supervisor-view")), page.inner_text("#supervisor-view")
        save_screenshot(page, "console-lang-390-2-supervisor")
        page.click("#lang-toggle-app")
        page.wait_for_selector("#supervisor-view h2:has-text('今日服务指标')")
    finally:
        page.context.close()
