"""Issue 8 end to end in a real browser: a REST shopper asks for a human; an agent logs in to
the console, takes the conversation, sees the shopper's next message arrive live, replies; the
shopper receives it through the outbox; the agent hands back; the bot answers again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.apps import create_app_with_console
from tests.browser.conftest import save_screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture
def desk_page(chromium: Any) -> Iterator[Any]:
    """A desktop-sized page: the console is a staff tool used on a computer."""
    context = chromium.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def poll_outbox(shop: httpx.Client, sender: str, want: str, timeout: float = 10.0) -> list[dict]:
    """Read the shopper's outbox until a message containing `want` arrives (bounded)."""
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got += shop.get("/webhooks/rest/outbox", params={"sender": sender}).json()
        if any(want in (m.get("text") or "") for m in got):
            return got
        time.sleep(0.1)
    raise AssertionError(f"{want!r} never reached the shopper; got {got}")


def test_agent_takes_over_replies_and_hands_back(settings, live_server, desk_page):
    app = create_app_with_console(settings)
    server = live_server(app)
    server.call(app.state.console.auth.add_staff("alice", "agent", PASSWORD, "小王"))
    server.call(app.state.console.auth.add_staff("sue", "supervisor", PASSWORD, "主管"))
    page = desk_page

    with httpx.Client(base_url=server.url, timeout=30) as shop:
        waiting = shop.post("/webhooks/rest/webhook", json={"sender": "buyer1", "message": "转人工"}).json()
        assert waiting[-1]["custom"] == {"type": "handoff", "status": "waiting", "position": 1,
                                         "expected_wait_seconds": 300}

        page.goto(server.url + "/console")
        page.fill("#username", "alice")
        page.fill("#password", "wrong password")
        page.click("#login-button")
        page.wait_for_selector("#login-error:has-text('用户名或密码错误')")
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        page.wait_for_selector("#whoami:has-text('小王')")
        page.wait_for_selector("#live.on")
        page.click("#queue-waiting li:has-text('访客 ·yer1')")
        page.wait_for_selector("#transcript li.user:has-text('转人工')")
        save_screenshot(page, "console-1-waiting")
        page.click("#take")
        page.wait_for_selector("#queue-mine li:has-text('转人工')")
        assert any("小王" in m["text"] for m in poll_outbox(shop, "buyer1", "小王"))

        # the shopper writes while the agent holds the conversation: the bot stays quiet and
        # the message shows up in the console by itself (WebSocket)
        assert shop.post("/webhooks/rest/webhook",
                         json={"sender": "buyer1", "message": "我的订单三天没发货"}).json() == []
        page.wait_for_selector("#transcript li.user:has-text('我的订单三天没发货')")

        page.select_option("#canned", index=2)
        assert page.input_value("#reply-text")  # a canned reply fills the box
        page.fill("#reply-text", "您好,我是小王,马上帮您催发货")
        page.click("#reply-send")
        page.wait_for_selector("#transcript li.agent:has-text('马上帮您催发货')")
        page.fill("#note-text", "已联系商家")
        page.click("#note-add")
        page.wait_for_selector("#notes li:has-text('已联系商家')")
        save_screenshot(page, "console-2-replied")
        pushed = poll_outbox(shop, "buyer1", "马上帮您催发货")
        assert all("已联系商家" not in (m.get("text") or "") for m in pushed)  # notes stay private

        page.click("#handback")
        page.wait_for_selector("#conversation-title:has-text('已结束')")
        back = poll_outbox(shop, "buyer1", "打个分")  # handed back, then asked to rate
        assert "购物助手" in back[-2]["text"] and [m["custom"]["type"] for m in back[-2:]] == ["handoff", "rating_request"]
        assert back[-2]["custom"] == {"type": "handoff", "status": "returned_to_bot"}
        save_screenshot(page, "console-3-handed-back")

        again = shop.post("/webhooks/rest/webhook", json={"sender": "buyer1", "message": "你好"}).json()
        assert again and again[0].get("text") and (again[0].get("custom") or {}).get("type") != "handoff"

    # a supervisor sees the queue figures
    page.click("#logout")
    page.wait_for_selector("#login-form")
    page.fill("#username", "sue")
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_selector("#stats:has-text('今日已处理 1')")
    assert "排队 0" in page.inner_text("#stats")
    save_screenshot(page, "console-4-supervisor")
