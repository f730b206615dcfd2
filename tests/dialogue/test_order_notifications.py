"""Shop events become readable pushes in the shopper's language, with the payload as `custom`."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogue.notifications import PushNotifier, render
from shop.logistics import ShipmentStatus, TrackingEvent
from shop.notify import Recipient
from shop.shipments import Shipment

ORDER = {
    "type": "order",
    "order_id": "SO2026010100001",
    "status": "shipped",
    "items": [],
    "total": "5999.00",
    "currency": "CNY",
}
SHIPMENT = {
    "type": "shipment",
    "order_id": "SO2026010100001",
    "carrier": "SF",
    "tracking_number": "SF1",
    "status": "in_transit",
    "events": [
        {
            "time": "2026-01-01T08:00:00+00:00",
            "status": "in_transit",
            "location": "杭州转运中心",
            "description": "快件运输中",
        }
    ],
}
TICKET = {
    "type": "ticket",
    "ticket_id": "AS2026010100001",
    "order_id": "SO2026010100001",
    "service_type": "return",
    "status": "arbitration",
}


class RecordingPush:
    def __init__(self):
        self.pushed = []

    async def push(self, channel, recipient_id, replies, event_key=None):
        self.pushed.append((channel, recipient_id, replies))


def test_texts_in_both_languages():
    assert render("order", ORDER, "zh").text == "订单 SO2026010100001:已发货,合计 ¥5,999.00"
    assert render("order", ORDER, "en").text == "Order SO2026010100001: shipped, ¥5,999.00 in total."
    assert render("order", ORDER, "zh").buttons[0].payload == '/track_shipment{"order_id": "SO2026010100001"}'
    assert (
        "运输中" in render("shipment", SHIPMENT, "zh").text
        and "杭州转运中心" in render("shipment", SHIPMENT, "zh").text
    )
    assert "in transit" in render("shipment", SHIPMENT, "en-US").text
    assert (
        render("ticket", TICKET, "zh").text
        == "售后单 AS2026010100001(退货,订单 SO2026010100001):平台仲裁中"
    )
    assert "in platform arbitration" in render("ticket", TICKET, "en").text
    assert render("ticket", TICKET, "en").buttons[0].payload == "/check_ticket"


def test_unpaid_order_carries_the_pay_link():
    payload = {**ORDER, "status": "created", "payment_url": "http://x/pay/p1"}
    assert "http://x/pay/p1" in render("order", payload, "zh").text


async def test_push_notifier_sends_one_reply_with_the_payload():
    push = RecordingPush()
    at = datetime(2026, 1, 1, 8, tzinfo=UTC)
    shipment = Shipment("s1", "SO2026010100001", "SF", "SF1", ShipmentStatus.IN_TRANSIT, True, at, at,
                        events=(TrackingEvent(at, ShipmentStatus.IN_TRANSIT, "杭州转运中心", "快件运输中"),))
    await PushNotifier(push).shipment_changed(Recipient("telegram", "42", "en"), shipment)
    [(channel, recipient, replies)] = push.pushed
    assert (channel, recipient) == ("telegram", "42")
    assert replies[0].custom == SHIPMENT
    assert replies[0].to_dict("42")["custom"]["tracking_number"] == "SF1"
