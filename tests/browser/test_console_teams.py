"""Issue 17.4 in a real browser, at 1440 px and 390 px: an after-sales agent's "本组" (my team)
filter shows the shopper who asked where their parcel is and then for a person (routed by what
they asked), not the one who asked about a product. Screenshots: test-artifacts/console-team-<width>.png."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.test_console_tools import PASSWORD, log_in, new_page, no_sideways_scroll
from tests.browser.test_ticket_photo import live_shop  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1440, 390])
def test_an_agent_sees_what_was_routed_to_their_team(live_shop, chromium, width) -> None:  # noqa: F811
    auth = live_shop.app.state.runtime.console.auth
    live_shop.call(auth.add_staff("alice", "agent", PASSWORD, "小王", teams=["after_sales"]), timeout=60)
    with httpx.Client(base_url=live_shop.url, timeout=60) as c:
        for sender, first in ((f"parcel{width}", "我的快递到哪了"), (f"phone{width}", "想买一台华为手机")):
            for text in (first, "转人工"):
                assert c.post("/webhooks/rest/webhook", json={"sender": sender, "message": text}).status_code == 200
    page = new_page(chromium, width)
    try:
        log_in(page, live_shop.url, "alice", "小王")
        page.click("#queue-filter .filter[data-filter='team']")
        page.wait_for_selector("#team-names:has-text('售后团队')")
        routed = page.wait_for_selector("#queue-team li")
        assert "售后" in routed.inner_text() and "售前" not in routed.inner_text()
        assert page.locator("#queue-team li").count() == 1  # the product question went to pre-sales
        assert page.is_hidden("section[data-queue='waiting']")
        assert no_sideways_scroll(page)
        save_screenshot(page, f"console-team-{width}")
        page.click("#queue-filter .filter[data-filter='all']")
        page.wait_for_selector("section[data-queue='team']", state="hidden")
        assert page.locator("#queue-waiting li").count() == 2
    finally:
        page.context.close()
