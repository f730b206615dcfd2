"""Issue 20.3 in a real browser: an approved merchant lists a product, the spot-check job samples
it, a reviewer fails it at /console/spot-checks with a reason (a reason is asked for first) and
the product leaves search; the merchant's appeal shows on the same page and is relisted there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.apps import create_app_with_console
from tests.bot.test_spot_checks import APPLICATION, LISTING
from tests.browser.conftest import save_screenshot

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def desk_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_reviewer_fails_a_spot_check_and_relists_on_appeal(settings, live_server, desk_page):
    app = create_app_with_console(settings.model_copy(update={"spot_check_sample_size": 500}))
    server = live_server(app)
    server.call(app.state.console.auth.add_staff("rita", "merchant_reviewer", PASSWORD, "审核员小李"))
    page = desk_page
    with httpx.Client(base_url=server.url, timeout=60) as http:
        page.goto(server.url + "/console")
        page.fill("#username", "rita")
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        page.wait_for_selector("#whoami:has-text('审核员小李')")
        csrf = page.evaluate("fetch('/console/api/me').then(r => r.json()).then(j => j.csrf_token)")
        sent = http.post("/merchant/applications", json=APPLICATION).json()
        for step, body in (("review", {}), ("approve", {"note": "ok"})):
            r = page.evaluate("([url, body, csrf]) => fetch(url, {method: 'POST', headers: {'Content-Type': "
                              "'application/json', 'X-CSRF-Token': csrf}, body: JSON.stringify(body)}).then(r => r.status)",
                              [f"/console/api/merchant-applications/{sent['application_id']}/{step}", body, csrf])
            assert r == 200
        key = {"X-Merchant-Key": http.get("/merchant/applications/status",
                                          headers={"X-Application-Token": sent["status_token"]}).json()["api_key"]}
        product_id = http.post("/merchant/products", json=LISTING, headers=key).json()["product_id"]
        assert http.post("/sandbox/jobs/spot_checks/run").status_code == 200

        page.goto(server.url + "/console/spot-checks")
        row = page.locator(f"#checks li:has-text('{LISTING['title']}')")
        row.locator("button.fail").click()
        page.wait_for_selector("#error:has-text('请填写原因')")
        row.locator("input").fill("菌落总数超标")
        save_screenshot(page, "spot-checks-1-queue-390")
        row.locator("button.fail").click()
        page.wait_for_selector("#outcome:has-text('已下架')")
        save_screenshot(page, "spot-checks-2-failed-390")
        found = http.post("/webhooks/rest/webhook", json={"sender": "b1", "message": "桂花糕"}).json()
        assert product_id not in [i["id"] for r in found if (r.get("custom") or {}).get("type") == "products"
                                  for i in r["custom"]["items"]]

        delisting = http.get("/merchant/delistings", headers=key).json()["delistings"][0]
        http.post(f"/merchant/delistings/{delisting['delisting_id']}/appeal", json={"text": "复检合格"}, headers=key)
        page.set_viewport_size({"width": 1440, "height": 900})
        page.reload()
        appeal = page.locator("#appeals li:has-text('复检合格')")
        appeal.locator("input").fill("复检报告有效")
        appeal.locator("button.pass").click()
        page.wait_for_selector("#outcome:has-text('已恢复上架')")
        save_screenshot(page, "spot-checks-3-relisted-1440")
        back = http.post("/webhooks/rest/webhook", json={"sender": "b1", "message": "桂花糕"}).json()
        assert product_id in [i["id"] for r in back if (r.get("custom") or {}).get("type") == "products"
                              for i in r["custom"]["items"]]
