"""Masked personal data in the console and a supervisor's audited reveal, in a real browser at
1440 px and 390 px (issue 19.4, 17.7): the queue and profile show 张**, 139****5678 and the
street masked; the supervisor clicks 显示 / Reveal on the phone and reads it, the audit trail
lists it; a search by the full phone finds the conversation; an agent has no reveal button."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.apps import create_app_with_console
from tests.browser.conftest import save_screenshot
from tests.browser.test_console_readable import PASSWORD, no_sideways_scroll, sized_page  # noqa: F401

pytestmark = pytest.mark.browser

PROFILE = {"receiver_name": "张三丰", "phone": "13912345678", "address": "上海市浦东新区世纪大道100号3楼"}


def log_in(page: Any, url: str, username: str, name: str) -> None:
    page.goto(url + "/console")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_selector(f"#whoami:has-text('{name}')")


def test_a_supervisor_reveals_one_value_an_agent_sees_masks(settings, live_server, sized_page):  # noqa: F811
    page, width = sized_page
    app = create_app_with_console(settings)
    server = live_server(app)
    auth = app.state.console.auth
    server.call(auth.add_staff("alice", "agent", PASSWORD, "小王"))
    server.call(auth.add_staff("sue", "supervisor", PASSWORD, "苏主管"))
    with httpx.Client(base_url=server.url, timeout=30) as shop:
        shop.post("/webhooks/rest/webhook", json={"sender": "pii1", "message": "转人工"})
        shoppers = app.state.runtime.services.shoppers
        shopper = server.call(shoppers.by_identity("rest", "pii1"))
        server.call(shoppers.update_profile(shopper.id, **PROFILE))
        shop.post("/webhooks/rest/webhook", json={"sender": "pii1", "message": "我的电话是13912345678"})

    log_in(page, server.url, "sue", "苏主管")
    item = page.wait_for_selector("#queue-waiting li:has-text('张**')")
    assert "139****5678" in item.inner_text() and "13912345678" not in page.inner_text("body")
    item.click()
    page.wait_for_selector("#collected-list .pii:has-text('139****5678')")
    body = page.inner_text("body")
    assert "13912345678" not in body and "张三丰" not in body and "世纪大道" not in body
    assert "上海市浦东新区****" in page.inner_text("#collected-list")
    assert no_sideways_scroll(page)
    save_screenshot(page, f"console-reveal-{width}-1-masked")

    page.click("#collected-list dd[data-key='phone'] button.reveal")
    page.wait_for_selector("#collected-list dd[data-key='phone'] .revealed:has-text('13912345678')")
    assert "世纪大道" not in page.inner_text("#collected-list")  # one value, not all of them
    save_screenshot(page, f"console-reveal-{width}-2-revealed")

    page.fill("#search-query", "139 1234 5678")
    page.click("#search-button")
    page.wait_for_selector("#search-results li:has-text('张**')")
    page.fill("#search-query", "13900000000")
    page.click("#search-button")
    page.wait_for_selector("#search-results li:has-text('没有找到')")
    save_screenshot(page, f"console-reveal-{width}-3-search")

    page.click("#supervisor-tab")
    page.wait_for_selector("#audit li[data-action='reveal']")
    assert "查看个人信息" in page.inner_text("#audit li[data-action='reveal']")
    save_screenshot(page, f"console-reveal-{width}-4-audit")

    agent = page.context.browser.new_context(viewport=page.viewport_size, locale="zh-CN",
                                             is_mobile=width < 500, has_touch=width < 500)
    agent.set_default_timeout(30_000)
    try:
        other = agent.new_page()
        log_in(other, server.url, "alice", "小王")
        other.click("#queue-waiting li:has-text('张**')")
        other.wait_for_selector("#collected-list .pii:has-text('139****5678')")
        assert other.query_selector("#collected-list button.reveal") is None  # agents have no reveal
        other.click("#lang-toggle-app")
        other.wait_for_selector("#collected-list .pii:has-text('139****5678')")
        assert "13912345678" not in other.inner_text("body")
        assert no_sideways_scroll(other)
        save_screenshot(other, f"console-reveal-{width}-5-agent-en")
    finally:
        agent.close()
