"""Orders in the chat: place the confirmed order, "我的订单", "快递到哪了", "我要退货", tickets.

An order is found by its id, by "the last order", or picked from a list of recent ones.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from dialogue.context import TurnContext
from dialogue.flows.aftersales_steps import (
    ask_item,
    ask_quantity,
    ask_reason,
    chosen_item,
    chosen_quantity,
    item_buttons,
    items_named,
    items_of_kind,
    quantity_buttons,
    say_missed,
    typed_reason,
)
from dialogue.flows.base import Flow
from dialogue.flows.handoff import REASON_COMPLAINT, request_handoff
from dialogue.flows.search import platform_label
from dialogue.flows.share import count_shared_order
from dialogue.messages import Button, button_payload
from dialogue.presentation.orders import (
    order_lines,
    order_payload,
    payment_subject,
    shipment_payload,
    ticket_payload,
)
from shop.aftersales import ServiceType
from shop.orders import Order, OrderError, OrderLine, OrderStatus, OrderSummary
from shop.parcels import carrier_name
from shop.payments import PaymentError, RefundPending

_CJK = re.compile(r"[\u3400-\u9fff]")

RECENT = 5
SERVICE_TYPES = tuple(s.value for s in ServiceType)
CANCELS_UNSHIPPED = frozenset({ServiceType.REFUND.value, ServiceType.RETURN.value})
UNSHIPPED = frozenset({OrderStatus.CREATED, OrderStatus.PAID, OrderStatus.SUBMITTED})
LEAVES_AFTER_SALES = ("cancel", "human_handoff", "track_shipment", "check_order")
_ANSWER_LIKE = ("inform", "nlu_fallback", "request_after_sales", "out_of_scope", "affirm", "deny")


def order_status(ctx: TurnContext, status: str) -> str:
    return ctx.t(f"order_status_{status}")


async def place_order(ctx: TurnContext, summary: dict[str, Any], idempotency_key: str) -> None:
    """Turn the confirmed summary into an order and answer with its payment link."""
    if ctx.shopper is None:
        ctx.say("orders_unavailable")
        return
    line = OrderLine(product_id=summary["product_id"], platform_product_id=summary["platform_product_id"],
                     title=summary["title"], quantity=int(summary["quantity"]),
                     unit_price=Decimal(summary["list_price"]), variant=summary.get("variant") or {})
    order_summary = OrderSummary(
        shopper_id=ctx.shopper.id, channel=ctx.msg.channel, recipient_id=ctx.msg.sender_id,
        platform=summary["platform"], lines=(line,), total=Decimal(summary["total"]),
        receiver_name=summary["receiver_name"], phone=summary["phone"], address=summary["address"],
        language=ctx.language, merchant=summary.get("merchant") or "", savings=summary.get("promotion") or "")
    try:
        order, intent = await ctx.services.orders.place(order_summary, idempotency_key, summary.get("payment_method"))
    except OrderError as exc:
        ctx.say("order_failed", reason=str(exc))
        return
    url = intent.pay_url or intent.code_url
    await count_shared_order(ctx, order.id, [line.product_id for line in order.lines])
    order_created(ctx, order, url)


def order_created(ctx: TurnContext, order: Order, url: str | None) -> None:
    """The order as created, with its payment link."""
    payload = order_payload(order, url, ctx.language)
    ctx.say("order_created", order_id=order.id, total=ctx.money(order.total), url=url or "",
            custom=payload, buttons=[Button(ctx.t("button_my_orders"), "/check_order")])


async def pick_order(ctx: TurnContext, intent: str) -> Order | None:
    """The order the message names (id, "the last one"), the only one, or None after listing them."""
    orders = ctx.services.orders
    if ctx.shopper is None:
        ctx.say("orders_unavailable")
        return None
    order_id = ctx.entity("order_id")
    if order_id:
        try:
            order = await orders.get(str(order_id).upper())
        except OrderError:
            order = None
        if order is None or order.shopper_id != ctx.shopper.id:
            ctx.say("order_not_found", order_id=order_id)
            return None
        return order
    recent = await orders.list_for_shopper(ctx.shopper.id, limit=RECENT)
    if not recent:
        ctx.say("no_orders")
        return None
    if len(recent) == 1 or ctx.entity("ordinal") in (1, -1, "1", "-1") or _says_last(ctx):
        return recent[0]
    naming = [o for o in recent if items_named(ctx, o)]
    if intent == "request_after_sales" and len(naming) == 1:  # "退一下那个充电盒": the one order holding it
        return naming[0]
    lines = [ctx.t("pick_order")]
    for o in recent:
        lines.append(ctx.t("order_line", order_id=o.id, title=payment_subject(o, ctx.language), total=ctx.money(o.total),
                           status=order_status(ctx, o.status.value)))
    ctx.say_lines(lines, buttons=[Button(o.id, button_payload(intent, order_id=o.id)) for o in recent])
    return None


def _says_last(ctx: TurnContext) -> bool:
    text = (ctx.msg.text or "").lower()
    return any(w in text for w in ("最近", "上一个", "刚才", "刚买", "最后", "last", "latest", "recent"))


class CheckOrder(Flow):
    name = "check_order"
    intents = ("check_order",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        orders = ctx.services.orders
        if ctx.shopper is None:
            ctx.say("orders_unavailable")
            return
        if ctx.entity("order_id"):
            order = await pick_order(ctx, "check_order")
            if order is not None:
                await self._show(ctx, order)
            return
        recent = await orders.list_for_shopper(ctx.shopper.id, limit=RECENT)
        if not recent:
            ctx.say("no_orders")
            return
        if len(recent) == 1:
            await self._show(ctx, recent[0])
            return
        lines = [ctx.t("your_orders", n=len(recent))]
        for o in recent:
            lines.append(ctx.t("order_line", order_id=o.id, title=payment_subject(o, ctx.language), total=ctx.money(o.total),
                               status=order_status(ctx, o.status.value)))
        ctx.say_lines(lines, buttons=[Button(o.id, button_payload("check_order", order_id=o.id)) for o in recent])

    async def _show(self, ctx: TurnContext, order: Order) -> None:
        payload = order_payload(order, await ctx.services.orders.payment_url(order), ctx.language)
        lines = [ctx.t("order_detail", order_id=order.id, status=order_status(ctx, order.status.value),
                       total=ctx.money(order.total),
                       platform=platform_label(order.platform, ctx.language))]
        lines.extend(f"• {line}" for line in order_lines(order, ctx.language))
        if payload.get("payment_url"):
            lines.append(ctx.t("order_pay_link", url=payload["payment_url"]))
        buttons = [Button(ctx.t("button_track"), button_payload("track_shipment", order_id=order.id)),
                   Button(ctx.t("button_after_sales"), button_payload("request_after_sales", order_id=order.id))]
        ctx.say_lines(lines, buttons=buttons, custom=payload)


class TrackShipment(Flow):
    name = "track_shipment"
    intents = ("track_shipment",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        order = await pick_order(ctx, "track_shipment")
        if order is None:
            return
        shipment = await ctx.services.shipments.shipment_for_order(order.id)
        if shipment is None:
            ctx.say("not_shipped_yet", order_id=order.id, status=order_status(ctx, order.status.value))
            return
        payload = shipment_payload(shipment)
        carrier = ctx.t("carrier_simulated") if shipment.carrier_code == "sim" else \
            carrier_name(shipment.carrier_code, ctx.language)
        lines = [ctx.t("shipment_head", order_id=order.id, carrier=carrier,
                       tracking_number=shipment.tracking_number,
                       status=ctx.t(f"shipment_status_{shipment.status.value}"))]
        for event in list(shipment.events)[-3:][::-1]:
            if ctx.language == "zh" or not _CJK.search(f"{event.location}{event.description}"):
                lines.append(f"• {event.time:%m-%d %H:%M} {event.location} {event.description}")
            else:  # the carrier writes Chinese: an English shopper reads the step in English
                lines.append(f"• {event.time:%m-%d %H:%M} {ctx.t(f'shipment_status_{event.status.value}')}")
        ctx.say_lines(lines, custom=payload)


def service_buttons(ctx: TurnContext) -> list[Button]:
    return [Button(ctx.t(f"service_{s}"), button_payload("inform", service_type=s)) for s in SERVICE_TYPES]


class RequestAfterSales(Flow):
    """request_after_sales: which order, which service; before shipment a refund or return cancels
    the order; else which item (of several), how many, the reason; then a ticket."""

    name = "after_sales"
    intents = ("request_after_sales",)

    async def start(self, ctx: TurnContext) -> None:
        order = await pick_order(ctx, "request_after_sales")
        if order is None:
            return
        frame: dict[str, Any] = {"order_id": order.id, "lines": len(order.lines)}
        service = ctx.entity("service_type")
        if service in SERVICE_TYPES:
            frame["service_type"] = service
        if len(order.lines) == 1:
            frame["line_no"] = 0
        elif len(named := items_named(ctx, order)) == 1 or len(named := await items_of_kind(ctx, order)) == 1:  # "退其中的耳机": the item is said already
            frame["line_no"] = named[0]
        item = order.lines[frame["line_no"]].title if "line_no" in frame else ""
        if item and ctx.entity("product"):
            item = f"{item} {ctx.entity('product')}"  # the kind's word names the item too, it is no reason
        reason = typed_reason(ctx.msg.text or "", item)
        if reason:
            frame["reason"] = reason
        ctx.start_flow(self.name, frame)
        await self._next(ctx, frame)

    async def _next(self, ctx: TurnContext, frame: dict[str, Any]) -> None:
        if "service_type" not in frame:
            frame["awaiting"] = "service_type"
            ctx.update_frame(self.name, frame)
            ctx.say("ask_service_type", buttons=service_buttons(ctx))
            return
        if frame["service_type"] in CANCELS_UNSHIPPED and await self._intercepted(ctx, frame):
            return
        if "line_no" not in frame or "quantity" not in frame:
            order = await ctx.services.orders.get(frame["order_id"])
            if "line_no" not in frame:
                frame["awaiting"] = "line_no"
                ctx.update_frame(self.name, frame)
                ask_item(ctx, order)
                return
            bought = order.lines[frame["line_no"]].quantity
            if bought == 1:
                frame["quantity"] = 1
            else:
                frame["awaiting"] = "quantity"
                frame["bought"] = bought
                ctx.update_frame(self.name, frame)
                ask_quantity(ctx, bought)
                return
        if "reason" not in frame:
            frame["awaiting"] = "reason"
            ctx.update_frame(self.name, frame)
            ask_reason(ctx, frame["service_type"])
            return
        ctx.end_flow(self.name)
        if ctx.shopper is None:
            ctx.say("orders_unavailable")
            return
        try:
            ticket = await ctx.services.aftersales.open_ticket(
                frame["order_id"], frame["line_no"], frame["service_type"], frame["reason"], ctx.shopper.id,
                photos=frame.get("photos", ()), quantity=frame["quantity"],
                idempotency_key=f"{ctx.tracker.conversation_id}:{len(ctx.tracker.events)}",
                notify=False)  # this answer shows the card
        except OrderError as exc:
            ctx.say("ticket_failed", reason=str(exc))
            return
        ctx.say("ticket_opened", ticket_id=ticket.id, service=ctx.t(f"service_{ticket.service_type.value}"),
                order_id=ticket.order_id, custom=ticket_payload(ticket))
        if ticket.service_type is ServiceType.COMPLAINT:
            await request_handoff(ctx, REASON_COMPLAINT)  # a complaint goes to a person too

    async def _intercepted(self, ctx: TurnContext, frame: dict[str, Any]) -> bool:
        """A refund or return of an order that has not shipped cancels it (refunded in full)
        instead of a ticket the merchant would ship past. True when the order was handled."""
        order = await ctx.services.orders.get(frame["order_id"])
        if order.status not in UNSHIPPED or ctx.shopper is None:
            return False
        ctx.end_flow(self.name)
        try:
            done = await ctx.services.orders.cancel_before_shipment(
                order.id, f"shopper:{ctx.shopper.id}", frame.get("reason") or f"{frame['service_type']} before shipment")
        except RefundPending:
            ctx.say("order_cancel_refund_pending", order_id=order.id, total=ctx.money(order.total))
            return True
        except (OrderError, PaymentError) as exc:  # shipped meanwhile, or partly refunded already
            ctx.say("ticket_failed", reason=str(exc))
            return True
        key = "order_cancelled_unpaid" if done.status is OrderStatus.CANCELLED else "order_cancelled_refunded"
        ctx.say(key, order_id=order.id, total=ctx.money(order.total),
                custom=order_payload(done, None, ctx.language))
        return True

    async def resume(self, ctx: TurnContext) -> bool:
        frame = dict(ctx.active_frame.frame)  # type: ignore[union-attr]
        step = frame.get("awaiting")
        text = (ctx.msg.text or "").strip()
        if step == "service_type":
            service = ctx.entity("service_type")
            if service not in SERVICE_TYPES:
                if ctx.intent not in _ANSWER_LIKE and ctx.parse.intent.confidence >= 0.6:
                    return False  # a new request the NLU is fairly sure of: the engine handles it
                say_missed(ctx, frame, "ticket_service_options", service_buttons(ctx),
                           options=ctx.t("list_join").join(ctx.t(f"service_{s}") for s in SERVICE_TYPES))
                ctx.update_frame(self.name, frame)
                return True
            frame["service_type"] = service
            reason = typed_reason(text)
            if reason and "reason" not in frame:
                frame["reason"] = reason
        elif step in ("line_no", "quantity"):
            if ctx.intent in LEAVES_AFTER_SALES:
                return False
            order = await ctx.services.orders.get(frame["order_id"])
            if step == "line_no":
                line_no = chosen_item(ctx, order)
                named = items_named(ctx, order) if line_no is None else [line_no]
                if not named:  # "the headphones" for a line titled "earbuds": by the product's kind
                    named = await items_of_kind(ctx, order)
                if len(named) == 1:
                    line_no = named[0]
                if line_no is None:
                    if len(named) >= 2:  # the words fit several items: ask between those
                        ctx.say("ticket_item_which_of", options=ctx.t("or_join").join(
                            order.lines[i].title for i in named), buttons=item_buttons(order, named))
                    else:
                        say_missed(ctx, frame, "ticket_item_options", item_buttons(order), items="; ".join(
                            f"{i + 1}. {line.title}" for i, line in enumerate(order.lines)))
                    ctx.update_frame(self.name, frame)
                    return True
                frame["line_no"] = line_no
            else:
                bought = int(frame["bought"])
                quantity = chosen_quantity(ctx, bought)
                if quantity is None:
                    say_missed(ctx, frame, "ticket_quantity_range", quantity_buttons(ctx, bought), n=bought)
                    ctx.update_frame(self.name, frame)
                    return True
                frame["quantity"] = quantity
        elif step == "reason":
            if ctx.intent in LEAVES_AFTER_SALES:
                return False
            chosen = ctx.entity("reason")
            if chosen:
                frame["reason"] = str(chosen)[:500]
            elif len(text) < 2 or text.startswith("/"):
                ask_reason(ctx, frame["service_type"])
                return True
            else:
                frame["reason"] = text[:500]
        frame["misses"] = 0
        await self._next(ctx, frame)
        return True

    async def reprompt(self, ctx: TurnContext) -> None:
        frame = dict(ctx.active_frame.frame) if ctx.active_frame else {}
        step = frame.get("awaiting")
        if step == "service_type":
            ctx.say("ask_service_type", buttons=service_buttons(ctx))
        elif step == "line_no":
            ask_item(ctx, await ctx.services.orders.get(frame["order_id"]))
        elif step == "quantity":
            ask_quantity(ctx, int(frame["bought"]))
        else:
            ask_reason(ctx, str(frame.get("service_type", "")))


class CheckTicket(Flow):
    name = "check_ticket"
    intents = ("check_ticket",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        if ctx.shopper is None:
            ctx.say("orders_unavailable")
            return
        found = await ctx.services.aftersales.list_for_shopper(ctx.shopper.id, limit=RECENT)
        if not found:
            ctx.say("no_tickets")
            return
        lines = [ctx.t("your_tickets", n=len(found))]
        for t in found:
            lines.append(ctx.t("ticket_line", ticket_id=t.id, service=ctx.t(f"service_{t.service_type.value}"),
                               order_id=t.order_id, status=ctx.t(f"ticket_status_{t.status.value}")))
        ctx.say_lines(lines, custom=ticket_payload(found[0]))


FLOWS: tuple[type[Flow], ...] = (CheckOrder, TrackShipment, RequestAfterSales, CheckTicket)
