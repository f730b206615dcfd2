"""Shopper notifications: shop events (order, shipment, ticket) → a readable reply, pushed.

`PushNotifier` implements `shop.notify.ShopperNotifier` over `dialogue.ports.PushPort`: each
event becomes one `Reply` whose text is in the shopper's language (zh or en) and whose
`custom` is the structured payload of contracts/channels.md.
"""

from __future__ import annotations

import re
from typing import Any

from dialogue import responses
from dialogue.messages import Button, Reply, button_payload
from dialogue.ports import PushPort
from dialogue.presentation.group_buys import group_payload
from dialogue.presentation.money import format_money
from dialogue.presentation.orders import order_payload, payment_subject, shipment_payload, ticket_payload
from dialogue.presentation.products import platform_name
from shop.aftersales import NEEDS_RETURN, AfterSalesTicket, TicketStatus
from shop.group_buys import GroupBuyChanged, GroupMember
from shop.notify import Recipient
from shop.orders import Order, OrderStatus, OrderStatusChanged
from shop.refusals import REASONS
from shop.sharing import share_url
from shop.shipments import Shipment

_CJK = re.compile(r"[\u3400-\u9fff]")


def render(kind: str, payload: dict[str, Any], language: str) -> Reply:
    """One reply for one shop event: text in the language, buttons, and the payload as `custom`.

    Texts come from the response catalogs (dialogue/responses/<lang>*.yml).
    """
    lang = "en" if language.lower().startswith("en") else "zh"

    def t(key: str, **fields: Any) -> str:
        return responses.text(key, lang, **fields)

    buttons: tuple[Button, ...] = ()
    if kind == "order":
        fields = {"order_id": payload["order_id"], "status": t(f"order_status_{payload['status']}"),
                  "total": format_money(payload["total"], lang, payload.get("currency", "CNY"))}
        if payload.get("payment_url"):
            text = t("order_push_pay", url=payload["payment_url"], **fields)
        else:
            text = t("order_push", **fields)
        if payload["status"] == "shipped":
            buttons = (Button(t("button_track"), button_payload("track_shipment", order_id=payload["order_id"])),)
    elif kind == "shipment":
        text = t("shipment_head", order_id=payload["order_id"], carrier=payload["carrier"],
                 tracking_number=payload["tracking_number"], status=t(f"shipment_status_{payload['status']}"))
        if payload.get("events"):
            last = payload["events"][-1]
            if lang == "zh" or not _CJK.search(f"{last['location']}{last['description']}"):
                text += t("shipment_push_where", location=last["location"], description=last["description"])
            # an English shopper reads the status in English, not the carrier's Chinese words
    elif kind == "ticket":
        text = t("ticket_push", ticket_id=payload["ticket_id"], order_id=payload["order_id"],
                 service=t(f"service_{payload['service_type']}"), status=t(f"ticket_status_{payload['status']}"))
        buttons = (Button(t("button_my_tickets"), "/check_ticket"),)
    else:
        raise ValueError(f"unknown notification kind {kind!r}")
    return Reply(text=text, buttons=buttons, custom=dict(payload))


def render_refusal(order: Order, reason: str) -> Reply:
    """The platform refused a paid order: it is refunded; ask whether to buy it elsewhere."""
    lang = "en" if order.language.lower().startswith("en") else "zh"
    key = f"order_refused_{reason}" if reason in REASONS else "order_refused"
    text = responses.text(key, lang, order_id=order.id, platform=platform_name(order.platform, lang),
                          title=payment_subject(order, lang), total=format_money(order.total, lang, order.currency))
    buttons = (Button(responses.text("button_other_offers", lang),
                      button_payload("show_details", product_id=order.lines[0].product_id)),)
    return Reply(text=text, buttons=buttons, custom=order_payload(order, None, lang))


class PushNotifier:
    """`ShopperNotifier` that pushes a rendered reply to the shopper's own channel."""

    def __init__(self, push: PushPort, *, ask_rating: bool = False, base_url: str = "") -> None:
        self._push = push
        self._base_url = base_url.rstrip("/")
        self._ask_rating = ask_rating  # on delivery, ask the shopper to rate (reviews are kept)

    def group_url(self, group_id: str) -> str:
        return share_url(self._base_url, group_id)

    def group_qr(self, group_id: str) -> str:
        return f"{self._base_url}/shares/{group_id}/qr.png"

    async def shipment_changed(self, recipient: Recipient, shipment: Shipment) -> None:
        await self._tell(recipient, "shipment", shipment_payload(shipment))

    async def ticket_changed(self, recipient: Recipient, ticket: AfterSalesTicket) -> None:
        payload = ticket_payload(ticket)
        reply = render("ticket", payload, recipient.language)
        told = return_instructions(ticket, recipient.language)
        if told is not None:  # approved and the item goes back: where to, and ask for the parcel
            reply = Reply(text=told, buttons=reply.buttons, custom=reply.custom)
        await self._push.push(recipient.channel, recipient.recipient_id, [reply],
                              event_key=event_key("ticket", payload))

    async def _tell(self, recipient: Recipient, kind: str, payload: dict[str, Any]) -> None:
        reply = render(kind, payload, recipient.language)
        await self._push.push(recipient.channel, recipient.recipient_id, [reply], event_key=event_key(kind, payload))

    async def group_changed(self, event: GroupBuyChanged) -> None:
        """Every member is told (a late payer only, for `full`); one push per member and step."""
        if event.what == "full":
            targets = [event.who] if event.who is not None else []
        elif event.what == "failed":
            targets = list(event.members)
        elif event.what == "started":  # the starter paid: the group is open, the link is theirs to share
            targets = [event.who] if event.who is not None else []
        else:  # joined, complete: who is (or may still be) in the group
            targets = [m for m in event.members if m.status.value in ("pending", "paid", "confirmed")]
        for member in targets:
            reply = render_group(event, member, self.group_url(event.group.group_id), self.group_qr(event.group.group_id))
            who = event.who.shopper_id if event.who is not None else ""
            await self._push.push(member.channel, member.recipient_id, [reply],
                                  event_key=f"group:{event.group.group_id}:{event.what}:{who}:{member.shopper_id}")

    async def order_changed(self, event: OrderStatusChanged) -> None:
        order = event.order
        if event.refusal is not None:
            reply = render_refusal(order, event.refusal)
        else:
            reply = render("order", order_payload(order, event.payment_url, order.language), order.language)
        await self._push.push(order.channel, order.recipient_id, [reply],
                              event_key=f"order:{order.id}:{order.status.value}")
        if order.status is OrderStatus.DELIVERED and self._ask_rating:
            await self._push.push(order.channel, order.recipient_id, [rating_request(order)],
                                  event_key=f"rating_request:{order.id}")


def return_instructions(ticket: AfterSalesTicket, language: str) -> str | None:
    """For an approved return, exchange or repair: the merchant's return address and the request
    for the parcel's carrier and tracking number (None for any other ticket or status)."""
    if ticket.status is not TicketStatus.APPROVED or ticket.service_type not in NEEDS_RETURN:
        return None
    lang = "en" if language.lower().startswith("en") else "zh"
    fields: dict[str, Any] = {"ticket_id": ticket.id, "order_id": ticket.order_id,
              "service": responses.text(f"service_{ticket.service_type.value}", lang),
              "after": return_after(ticket, lang)}
    if ticket.return_address:
        return responses.text("ticket_return_address", lang, address=ticket.return_address, **fields)
    return responses.text("ticket_return_no_address", lang, **fields)


def return_after(ticket: AfterSalesTicket, lang: str) -> str:
    """What happens once the merchant has the parcel back, in words."""
    kind = {"return": "refund", "exchange": "exchange"}.get(ticket.service_type.value, "repair")
    return responses.text(f"return_after_{kind}", lang)


def render_group(event: GroupBuyChanged, member: GroupMember, share_url: str, qr_url: str) -> Reply:
    """What one member of a group reads when it moves: someone joined (n of size), complete (the
    order goes to the platform), failed (expired or delisted: the payment is given back), or
    full (this member's payment came after the group filled: given back)."""
    group = event.group
    lang = "en" if member.language.lower().startswith("en") else "zh"
    what = event.what if event.what != "failed" else f"failed_{group.reason or 'expired'}"
    if event.what == "failed" and member.status.value == "cancelled":
        what = f"{what}_unpaid"
    text = responses.text(f"group_push_{what}", lang, title=group.title, joined=event.joined, size=group.size,
                          left=max(0, group.size - event.joined), url=share_url, order_id=member.order_id,
                          total=format_money(group.group_price, lang, group.currency))
    buttons: tuple[Button, ...] = ()
    if event.what in ("joined", "started"):
        buttons = (Button(responses.text("button_group_status", lang),
                          button_payload("group_buy_status", group_id=group.group_id)),)
    elif event.what in ("failed", "full"):
        buttons = (Button(responses.text("button_group_start", lang),
                          button_payload("start_group_buy", product_id=group.product_id, platform=group.platform)),)
    return Reply(text=text, buttons=buttons, custom=group_payload(group, event.members, share_url, qr_url))


def rating_request(order: Order) -> Reply:
    """After delivery: rate the (first) item, 1–5 stars; the chat then asks the seller's stars and
    some words (dialogue/flows/reviews.py). `custom` is the contract's `rating_request`."""
    lang = "en" if order.language.lower().startswith("en") else "zh"
    first = order.lines[0]
    items = [{"line_no": n, "product_id": line.product_id, "title": line.title, "platform": order.platform,
              "merchant": order.merchant} for n, line in enumerate(order.lines)]
    buttons = tuple(Button(responses.text("rating_star_button", lang, n=n),
                           button_payload("rate_order", order_id=order.id, line_no=0, product_stars=n))
                    for n in (5, 4, 3, 2, 1))
    text = responses.text("rating_ask_product", lang, order_id=order.id, title=first.title)
    return Reply(text=text, buttons=buttons, custom={"type": "rating_request", "order_id": order.id, "items": items})


def event_key(kind: str, payload: dict[str, Any]) -> str | None:
    """What a shipment or ticket push is about: told once per status (None: no key, always sent)."""
    if kind == "shipment":
        events = payload.get("events") or [{}]
        return f"shipment:{payload.get('tracking_number')}:{payload.get('status')}:{events[-1].get('time', '')}"
    if kind == "ticket":
        return f"ticket:{payload.get('ticket_id')}:{payload.get('status')}"
    return None
