"""Issue 17.2 / 17.3 in a real browser, at 1440 px and 390 px, with the REAL app: a shopper asks
for a person in the web chat; agent 小王 logs in, takes the conversation, reads the profile,
finds a product by words in the picker and sends its card, answers with a canned reply whose
{name} is filled, keeps a private note and transfers to 小李 with a note (her view turns
read-only at once); a supervisor moves it from 小李 back to 小王 while 小李 watches (his view
turns read-only live); 小王 hands back and the shopper rates 5 with a comment.
Screenshots of each step: test-artifacts/console-tools-<width>-<n>-<step>.png."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.test_shop_e2e import ONLINE

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
WAIT_MS = 30_000


def new_page(chromium: Any, width: int) -> Any:
    context = chromium.new_context(viewport={"width": width, "height": 900 if width > 500 else 844},
                                   locale="zh-CN", is_mobile=width < 500, has_touch=width < 500)
    context.set_default_timeout(WAIT_MS)
    return context.new_page()


def log_in(page: Any, url: str, username: str, name: str) -> None:
    page.goto(url + "/console")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_selector(f"#whoami:has-text('{name}')")
    page.wait_for_selector("#live.on")


def eventually(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"never happened: {what}")


def no_sideways_scroll(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", [1440, 390])
def test_agent_tools_transfer_hand_back_and_the_shopper_rates(live_shop, chromium, width) -> None:
    runtime = live_shop.app.state.runtime
    auth, queue = runtime.console.auth, runtime.console.desk.queue
    for username, role, name in (("alice", "agent", "小王"), ("bob", "agent", "小李"), ("sue", "supervisor", "主管")):
        live_shop.call(auth.add_staff(username, role, PASSWORD, name), timeout=60)
    shopper, alice, bob = (new_page(chromium, width) for _ in range(3))
    shot = iter(range(1, 30))

    def snap(page: Any, step: str) -> None:
        save_screenshot(page, f"console-tools-{width}-{next(shot)}-{step}")

    try:
        # the shopper asks for a person in the web chat
        shopper.goto(live_shop.url + "/")
        shopper.wait_for_selector(ONLINE)
        shopper.fill("[data-testid=input]", "转人工")
        shopper.click("[data-testid=send]")
        shopper.wait_for_selector("[data-testid=handoff]:has-text('正在为你转接人工客服')")
        sender = shopper.evaluate("window.shopbot.sender")
        hid = eventually(lambda: live_shop.call(queue.repo.open_for(f"webchat:{sender}")), "queued").id

        # 小王: login → queue → take → profile
        log_in(alice, live_shop.url, "alice", "小王")
        alice.click("#queue-waiting li:has-text('转人工')")
        alice.wait_for_selector("#transcript li.user:has-text('转人工')")
        snap(alice, "queue")
        alice.click("#take")
        alice.wait_for_selector("#queue-mine li")
        alice.wait_for_selector("#reply-send:enabled")
        alice.wait_for_selector("#collected-list dd")
        assert alice.is_hidden("#readonly")
        snap(alice, "taken-profile")
        joined = shopper.wait_for_selector("[data-testid=msg-agent]:has-text('小王')")
        assert joined.query_selector("[data-testid=agent-avatar]").inner_text() == "小"  # the agent's avatar
        snap(shopper, "shopper-agent-joined")

        # the product picker: words, not a product id
        alice.fill("#picker-query", "蓝牙耳机")
        alice.click("#picker-search")
        first = alice.wait_for_selector("#picker-results li.pick")
        title = first.query_selector(".title").inner_text()
        assert "¥" in first.inner_text()
        snap(alice, "picker")
        first.query_selector("button").click()
        shopper.wait_for_selector(f"[data-testid=log] :text('{title[:8]}')")
        alice.wait_for_selector("#transcript li.agent >> nth=0")

        # a canned reply, its {name} filled ("亲" when the shopper gave none)
        option = alice.locator("#canned option", has_text="亲您好")
        alice.select_option("#canned", value=option.get_attribute("value"))
        assert alice.input_value("#reply-text").startswith("亲您好")
        alice.click("#reply-send")
        said = shopper.wait_for_selector("[data-testid=msg-agent]:has-text('亲您好')")
        assert said.query_selector("[data-testid=agent-name]").inner_text() == "小王"
        assert "{name}" not in said.inner_text()
        assert said.query_selector("[data-testid=bot-text]").inner_text().startswith("亲您好")  # no "小王:" twice
        snap(shopper, "shopper-canned-reply")

        # a private note, then a transfer to 小李 with a note: 小王's view is read-only at once
        alice.fill("#note-text", "顾客想要降噪款")
        alice.click("#note-add")
        alice.wait_for_selector("#notes li:has-text('顾客想要降噪款')")
        snap(alice, "note")
        log_in(bob, live_shop.url, "bob", "小李")
        alice.select_option("#transfer-to", value="bob")
        alice.fill("#transfer-note", "预算300以内,请继续推荐")
        alice.click("#transfer")
        alice.wait_for_selector("#readonly:has-text('小李')")
        assert "@bob" in alice.inner_text("#conversation-title")
        for button in ("#reply-send", "#picker-search", "#note-add", "#transfer"):
            assert alice.is_disabled(button), button
        assert alice.is_hidden("#handback")
        assert all(b.is_disabled() for b in alice.query_selector_all("#picker-results button"))
        assert no_sideways_scroll(alice)
        snap(alice, "transferred-read-only")
        shopper.wait_for_selector("[data-testid=msg-agent]:has-text('小李')")

        bob.click("#queue-mine li")
        bob.wait_for_selector("#notes li:has-text('预算300以内')")
        bob.wait_for_selector("#reply-send:enabled")
        snap(bob, "bob-has-it")

        # a supervisor moves it back to 小王 while 小李 watches: his buttons go dead live
        with httpx.Client(base_url=live_shop.url, timeout=30) as sue:
            csrf = sue.post("/console/api/login", json={"username": "sue", "password": PASSWORD}).json()["csrf_token"]
            moved = sue.post(f"/console/api/handoffs/{hid}/transfer", json={"to": "alice"},
                             headers={"X-CSRF-Token": csrf})
            assert moved.status_code == 200, moved.text
        bob.wait_for_selector("#readonly:has-text('小王')")
        assert bob.is_disabled("#reply-send") and bob.is_disabled("#transfer") and bob.is_hidden("#handback")
        snap(bob, "bob-read-only-live")
        alice.wait_for_selector("#reply-send:enabled")  # back with 小王: live again
        assert alice.is_hidden("#readonly")

        # hand back: the shopper is asked to rate, and rates 5 with a comment
        alice.click("#handback")
        alice.wait_for_selector("#conversation-title:has-text('已结束')")
        snap(alice, "handed-back")
        five = shopper.wait_for_selector("[data-testid=reply-button]:has-text('5 分')")
        assert shopper.locator("[data-testid=reply-button]:has-text(' 分')").count() == 5
        snap(shopper, "shopper-asked-to-rate")
        five.click()
        shopper.wait_for_selector("[data-testid=bot-text]:has-text('还有什么想对我们说的吗')")
        shopper.fill("[data-testid=input]", "小王推荐得很专业")
        shopper.click("[data-testid=send]")
        shopper.wait_for_selector("[data-testid=bot-text]:has-text('已收到您的评价')")
        assert no_sideways_scroll(shopper)
        snap(shopper, "shopper-rated")
        rated = eventually(lambda: (r := live_shop.call(queue.get(hid))).rating_comment and r, "rating stored")
        assert (rated.rating, rated.rating_comment) == (5, "小王推荐得很专业")
    finally:
        for page in (shopper, alice, bob):
            page.context.close()
