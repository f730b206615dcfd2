"""Issue 17.6 in a real browser, at 1440 px and 390 px: a shopper with a return ticket in progress
picks a photo in the web chat (📷); the chat confirms it went with the ticket; an agent opens the
console's ticket list and sees the photo on that ticket. Screenshots:
test-artifacts/ticket-photo-<width>-<n>-<step>.png."""

from __future__ import annotations

import struct
import zlib

import httpx
import pytest

from tests.browser.conftest import ShopServer, save_screenshot
from tests.browser.test_console_tools import PASSWORD, log_in, new_page, no_sideways_scroll
from tests.browser.test_shop_e2e import ONLINE
from tests.orders_harness import summary

pytestmark = pytest.mark.browser


def png(width: int = 64, height: int = 48) -> bytes:
    """A small orange picture (a real PNG the browser can draw)."""
    row = b"\x00" + b"\xe0\x7a\x1f" * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.fixture
def live_shop(settings):
    """The real app on a live server, without the demo platforms: the order of the test stays paid
    (a platform would refuse its made-up product, and the order would be refunded)."""
    from bot.app import create_app
    from bot.settings import Settings

    def make_app(url: str):
        return create_app(Settings(**{**settings.model_dump(), "public_url": url, "demo_platforms": False}))

    server = ShopServer(make_app).__enter__()
    yield server
    server.__exit__(None, None, None)


@pytest.mark.parametrize("width", [1440, 390])
def test_shopper_uploads_a_photo_to_a_return_ticket_and_the_agent_sees_it(live_shop, chromium, width, tmp_path) -> None:
    runtime = live_shop.app.state.runtime
    services = runtime.services
    live_shop.call(runtime.console.auth.add_staff("alice", "agent", PASSWORD, "小王"), timeout=60)
    shopper, alice = new_page(chromium, width), new_page(chromium, width)
    try:
        shopper.goto(live_shop.url + "/")
        shopper.wait_for_selector(ONLINE)
        sender = shopper.evaluate("window.shopbot.sender")

        who = live_shop.call(services.shoppers.by_identity("webchat", sender))
        order = live_shop.call(services.orders.create_from_summary(summary(shopper=who.id), f"photo-{width}"))
        intent = live_shop.call(services.orders.start_payment(order.id))
        with httpx.Client(base_url=live_shop.url, timeout=30) as c:
            assert c.post(f"/sandbox/payments/{intent.payment_id}/pay", json={"method": "alipay"}).status_code == 200
        ticket = live_shop.call(services.aftersales.open_ticket(order.id, 0, "return", "屏幕碎了", who.id, notify=False))

        photo = tmp_path / "cracked.png"
        photo.write_bytes(png())
        shopper.set_input_files("[data-testid=photo-input]", str(photo))
        shopper.wait_for_selector("[data-testid=sent-photo]")
        shopper.wait_for_selector(f"[data-testid=bot-text]:has-text('照片已附在工单 {ticket.id}')")
        assert no_sideways_scroll(shopper)
        save_screenshot(shopper, f"ticket-photo-{width}-1-shopper-sent")

        stored = live_shop.call(services.aftersales.get(ticket.id)).photos
        assert len(stored) == 1 and stored[0].endswith(".jpg")  # made smaller in the browser, as JPEG

        log_in(alice, live_shop.url, "alice", "小王")
        alice.click("#tickets-tab")
        row = alice.wait_for_selector(f"#tickets tr[data-id='{ticket.id}']")
        img = row.wait_for_selector("a.photo img")
        alice.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img)  # the picture itself loads
        save_screenshot(alice, f"ticket-photo-{width}-2-agent-sees-it")
    finally:
        for page in (shopper, alice):
            page.context.close()
