"""The web chat page of the real app on the full catalog, in Chromium, as a shopper of each
language sees it: a list or details reply shown once (cards under a one-line header, no
"Details #n" chips beside the cards' own buttons), and an English shopper reads no Chinese.
Screenshots at phone (390 px) and desktop (1440 px) width go to test-artifacts/webchat-lang-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from integrations.marketplaces.demo.store import full_catalog_path
from tests.browser.conftest import save_screenshot
from tests.browser.test_shop_e2e import ONLINE, press_in, type_message

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def full_catalog(tmp_path_factory) -> Path:
    return full_catalog_path(tmp_path_factory.mktemp("var"), per_leaf=4)


@pytest.fixture
def settings(settings: Any, full_catalog: Path) -> Any:
    """The conftest settings on the full catalog (English specs, variants and reviews)."""
    return settings.model_copy(update={"demo_catalog": str(full_catalog)})


def _shots(page: Any, name: str) -> None:
    save_screenshot(page, f"webchat-lang-{name}-390")
    page.set_viewport_size({"width": 1440, "height": 900})
    save_screenshot(page, f"webchat-lang-{name}-1440")
    page.set_viewport_size({"width": 390, "height": 844})


def _list_and_details(page: Any, query: str) -> tuple[Any, Any]:
    row = type_message(page, query)
    cards = row.locator("[data-testid=product-card]")
    expect(cards.first).to_be_visible()
    texts = row.locator("[data-testid=bot-text]")
    assert texts.count() == 1 and "\n" not in texts.inner_text().strip(), texts.inner_text()
    chips = [b.inner_text() for b in row.locator("[data-testid=reply-button]").all()]
    assert not [c for c in chips if re.search(r"Details #|第\d+个详情", c)], chips
    detail_row = press_in(page, cards.nth(0), "[data-testid=details]")
    detail = detail_row.locator("[data-testid=product-detail]")
    expect(detail).to_be_visible()
    header = detail_row.locator("[data-testid=bot-text]")
    assert header.count() <= 1 and "\n" not in header.inner_text().strip() if header.count() else True
    return row, detail_row


def test_english_shopper_sees_each_reply_once_and_no_chinese(live_shop, browser_page_en) -> None:
    page = browser_page_en
    page.goto(live_shop.url + "/")
    page.wait_for_selector(ONLINE)
    row, detail_row = _list_and_details(page, "I need a power bank")
    assert not CJK.search(row.inner_text()), row.inner_text()
    detail = detail_row.locator("[data-testid=product-detail]").inner_text()
    assert not CJK.search(detail), detail
    assert "Colour" in detail or "Size" in detail or "Brand" in detail, detail
    _shots(page, "en")


def test_chinese_shopper_sees_each_reply_once(live_shop, browser_page) -> None:
    page = browser_page
    page.goto(live_shop.url + "/")
    page.wait_for_selector(ONLINE)
    _, detail_row = _list_and_details(page, "买个充电宝")
    assert "品牌" in detail_row.locator("[data-testid=product-detail]").inner_text()
    _shots(page, "zh")
