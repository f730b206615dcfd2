"""Issue 20.1-20.2 in a real browser: a merchant applies (a bad credit code is refused, said
why), a merchant reviewer opens /console/merchants, sees the application with its documents,
starts the review and approves it; the applicant gets the key once and it opens the merchant API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.apps import create_app_with_console
from tests.browser.conftest import save_screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
APPLICATION = {"company_name": "深圳市腾讯计算机系统有限公司", "credit_code": "91440300708461136T",
               "licence_number": "91440300708461136T", "phone": "0755-86013388", "email": "m@example.com",
               "categories": ["groceries"],
               "documents": [{"kind": "food_business_licence", "number": "JY14403000000001",
                              "url": "https://files.example.com/jy.jpg"}]}


@pytest.fixture
def desk_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_reviewer_approves_an_application_in_the_console(settings, live_server, desk_page):
    app = create_app_with_console(settings.model_copy(update={"demo_platforms": False}))
    server = live_server(app)
    server.call(app.state.console.auth.add_staff("rita", "merchant_reviewer", PASSWORD, "审核员小李"))
    page = desk_page

    with httpx.Client(base_url=server.url, timeout=30) as applicant:
        bad = applicant.post("/merchant/applications", json=APPLICATION | {"credit_code": "91440300708461136A"})
        assert bad.status_code == 400 and "校验位" in bad.json()["problems"][0]["message"]
        sent = applicant.post("/merchant/applications", json=APPLICATION).json()
        token = {"X-Application-Token": sent["status_token"]}

        page.goto(server.url + "/console")
        page.fill("#username", "rita")
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        page.wait_for_selector("#whoami:has-text('审核员小李')")
        page.goto(server.url + "/console/merchants")
        page.click("#applications button:has-text('腾讯')")
        page.wait_for_selector("#documents li:has-text('food_business_licence')")
        page.wait_for_selector("#fields dd:has-text('91440300708461136T')")
        save_screenshot(page, "merchants-1-submitted")
        page.click("#start-review")
        page.wait_for_selector("#fields dd:has-text('审核中')")
        page.fill("#note", "资质齐全")
        page.click("#approve")
        page.wait_for_selector("#fields dd:has-text('已通过')")
        page.wait_for_selector("#audit li:has-text('资质齐全')")
        save_screenshot(page, "merchants-2-approved")

        key = applicant.get("/merchant/applications/status", headers=token).json()["api_key"]
        assert applicant.get("/merchant/orders", headers={"X-Merchant-Key": key}).status_code == 200


@pytest.mark.parametrize("width", [1440, 390])
def test_a_reviewer_opens_a_document_the_applicant_uploaded(settings, live_server, chromium, width):
    """Issue 20.1: the licence scan sent with the application (base64) opens from the review desk."""
    import base64

    from tests.browser.test_ticket_photo import png

    app = create_app_with_console(settings.model_copy(update={"demo_platforms": False}))
    server = live_server(app)
    server.call(app.state.console.auth.add_staff("rita", "merchant_reviewer", PASSWORD, "审核员小李"))
    scan = png(320, 200)
    upload = {"kind": "food_business_licence", "number": "JY14403000000009",
              "content_base64": base64.b64encode(scan).decode()}
    with httpx.Client(base_url=server.url, timeout=30) as applicant:
        sent = applicant.post("/merchant/applications", json=APPLICATION | {"documents": [upload]})
        assert sent.status_code == 201, sent.text

    context = chromium.new_context(viewport={"width": width, "height": 860}, locale="zh-CN")
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(server.url + "/console")
        page.fill("#username", "rita")
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        page.wait_for_selector("#whoami:has-text('审核员小李')")
        page.goto(server.url + "/console/merchants")
        page.click("#applications button:has-text('腾讯')")
        link = page.locator("#documents li:has-text('JY14403000000009') a")
        assert (link.get_attribute("href") or "").startswith("/console/api/documents/")
        save_screenshot(page, f"merchant-documents-{width}")
        with page.expect_popup() as opened:
            link.click()
        popup = opened.value
        popup.wait_for_load_state()
        shown = popup.context.request.get(popup.url)
        assert shown.status == 200 and shown.body() == scan
        save_screenshot(popup, f"merchant-documents-{width}-opened")
    finally:
        context.close()
