"""Shopper notifications: shop events (order, shipment, ticket) → a readable reply, pushed.

`PushNotifier` implements `shop.notify.ShopperNotifier` over `dialogue.ports.PushPort`: each
event becomes one `Reply` whose text is in the shopper's language (zh or en) and whose
`custom` is the structured payload of contracts/channels.md.
"""

from __future__ import annotations

from typing import Any

from dialogue.messages import Button, Reply
from dialogue.ports import PushPort
from shop.notify import Recipient

STATUS_WORDS: dict[str, dict[str, dict[str, str]]] = {
    "zh": {
        "order": {
            "created": "已创建,待支付",
            "paid": "已支付",
            "submitted": "已提交给商家",
            "shipped": "已发货",
            "delivered": "已送达",
            "completed": "已完成",
            "cancelled": "已取消",
            "refunded": "已退款",
        },
        "shipment": {
            "created": "已发货",
            "collected": "已揽收",
            "in_transit": "运输中",
            "out_for_delivery": "派送中",
            "delivered": "已签收",
            "delayed": "延误",
            "lost": "丢件",
            "rejected": "拒收",
        },
        "ticket": {
            "open": "已提交",
            "merchant_processing": "商家处理中",
            "approved": "商家已同意",
            "rejected": "商家已拒绝",
            "return_shipping": "退货寄回中",
            "arbitration": "平台介入仲裁中",
            "resolved": "已解决",
        },
        "service_type": {
            "return": "退货",
            "exchange": "换货",
            "repair": "维修",
            "refund": "退款",
            "complaint": "投诉",
        },
    },
    "en": {
        "order": {
            "created": "created, awaiting payment",
            "paid": "paid",
            "submitted": "sent to the merchant",
            "shipped": "shipped",
            "delivered": "delivered",
            "completed": "completed",
            "cancelled": "cancelled",
            "refunded": "refunded",
        },
        "shipment": {
            "created": "shipped",
            "collected": "collected by the carrier",
            "in_transit": "in transit",
            "out_for_delivery": "out for delivery",
            "delivered": "delivered",
            "delayed": "delayed",
            "lost": "lost",
            "rejected": "refused at delivery",
        },
        "ticket": {
            "open": "opened",
            "merchant_processing": "being handled by the merchant",
            "approved": "approved by the merchant",
            "rejected": "rejected by the merchant",
            "return_shipping": "return parcel on its way",
            "arbitration": "under platform arbitration",
            "resolved": "resolved",
        },
        "service_type": {
            "return": "return",
            "exchange": "exchange",
            "repair": "repair",
            "refund": "refund",
            "complaint": "complaint",
        },
    },
}

TEMPLATES: dict[str, dict[str, str]] = {
    "zh": {
        "order": "订单 {order_id} {status}(合计 ¥{total})",
        "order_pay": "订单 {order_id} {status},请支付 ¥{total}:{payment_url}",
        "shipment": "订单 {order_id} 的包裹 {carrier} {tracking_number}:{status}",
        "shipment_where": "({location},{description})",
        "ticket": "售后单 {ticket_id}({service_type},订单 {order_id}):{status}",
        "track": "查看物流",
        "tickets": "查看售后",
    },
    "en": {
        "order": "Order {order_id} is {status} (total ¥{total}).",
        "order_pay": "Order {order_id} is {status}. Pay ¥{total} here: {payment_url}",
        "shipment": "Parcel {carrier} {tracking_number} of order {order_id}: {status}",
        "shipment_where": " ({location}: {description})",
        "ticket": "After-sales ticket {ticket_id} ({service_type}, order {order_id}): {status}",
        "track": "Track parcel",
        "tickets": "My tickets",
    },
}


def _lang(language: str) -> str:
    return "en" if language.lower().startswith("en") else "zh"


def render(kind: str, payload: dict[str, Any], language: str) -> Reply:
    """One reply for one shop event: text in the language, buttons, and the payload as `custom`."""
    lang = _lang(language)
    words, t = STATUS_WORDS[lang], TEMPLATES[lang]
    buttons: tuple[Button, ...] = ()
    if kind == "order":
        status = words["order"].get(payload["status"], payload["status"])
        key = "order_pay" if payload.get("payment_url") else "order"
        text = t[key].format(
            order_id=payload["order_id"],
            status=status,
            total=payload["total"],
            payment_url=payload.get("payment_url", ""),
        )
        if payload["status"] == "shipped":
            buttons = (Button(t["track"], f'/track_order{{"order_id": "{payload["order_id"]}"}}'),)
    elif kind == "shipment":
        status = words["shipment"].get(payload["status"], payload["status"])
        text = t["shipment"].format(
            order_id=payload["order_id"],
            carrier=payload["carrier"],
            tracking_number=payload["tracking_number"],
            status=status,
        )
        if payload.get("events"):
            last = payload["events"][-1]
            text += t["shipment_where"].format(location=last["location"], description=last["description"])
    elif kind == "ticket":
        text = t["ticket"].format(
            ticket_id=payload["ticket_id"],
            order_id=payload["order_id"],
            service_type=words["service_type"].get(payload["service_type"], payload["service_type"]),
            status=words["ticket"].get(payload["status"], payload["status"]),
        )
        buttons = (Button(t["tickets"], "/list_tickets"),)
    else:
        raise ValueError(f"unknown notification kind {kind!r}")
    return Reply(text=text, buttons=buttons, custom=dict(payload))


class PushNotifier:
    """`ShopperNotifier` that pushes a rendered reply to the shopper's own channel."""

    def __init__(self, push: PushPort) -> None:
        self._push = push

    async def notify(self, recipient: Recipient, kind: str, payload: dict[str, Any]) -> None:
        reply = render(kind, payload, recipient.language)
        await self._push.push(recipient.channel, recipient.recipient_id, [reply])
