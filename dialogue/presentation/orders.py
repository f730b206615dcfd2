"""The `order` payload and order texts: each item's paid unit price and what was taken off.

An order keeps its lines at list price and the total the shopper confirmed (the quote's
total); the difference is the discount the confirmed quote gave, under the labels the shopper
saw (`Order.savings`). Each item's `price` is its share of the total per unit, so a one-line
order's item shows the same unit price as the summary and the product card did.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dialogue import responses
from dialogue.presentation.money import format_money
from dialogue.presentation.products import variant_shown
from shop.aftersales import AfterSalesTicket
from shop.money import Money, cents
from shop.orders import Order, OrderLine, OrderStatus
from shop.price_history import PriceBadges
from shop.shipments import Shipment


def _paid(order: Order) -> list[Decimal]:
    """What each line costs after the order's discount (shared in proportion, cents to the last)."""
    subtotal = sum((line.amount for line in order.lines), Decimal(0))
    if subtotal <= 0 or subtotal <= order.total:
        return [cents(line.amount) for line in order.lines]
    shares = [cents(line.amount * order.total / subtotal) for line in order.lines]
    shares[-1] = order.total - sum(shares[:-1], Decimal(0))
    return shares


def order_discount(order: Order) -> Money:
    """What the order's promotions took off its list price (zero when none)."""
    subtotal = sum((line.amount for line in order.lines), Decimal(0))
    return Money(max(cents(subtotal) - order.total, Decimal(0)), order.currency)


def _label(order: Order, language: str) -> str:
    return order.savings or responses.text("price_discount", language)


def _item(order: Order, line: OrderLine, paid: Decimal, language: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "product_id": line.product_id,
        "title": line.title,
        "variant": dict(line.variant),
        "variant_shown": variant_shown(line.variant, language),
        "quantity": line.quantity,
        "unit_price": str(cents(line.unit_price)),
        "price": str(Money(paid, order.currency).split(line.quantity)),
        "amount": str(cents(paid)),
        "currency": order.currency,
    }
    taken = cents(line.amount) - paid
    if taken > 0:
        out["price_breakdown"] = [{"label": _label(order, language), "amount": str(-taken)}]
    return out


def order_payload(order: Order, payment_url: str | None = None, language: str | None = None) -> dict[str, Any]:
    """The `order` payload of contracts/channels.md (with the pay link while unpaid)."""
    lang = language or order.language
    out: dict[str, Any] = {
        "type": "order",
        "order_id": order.id,
        "status": order.status.value,
        "items": [_item(order, line, paid, lang) for line, paid in zip(order.lines, _paid(order), strict=True)],
        "total": str(cents(order.total)),
        "currency": order.currency,
    }
    discount = order_discount(order)
    if discount:
        out["price_breakdown"] = [{"label": _label(order, lang), "amount": str(-discount)}]
    if order.status is OrderStatus.CREATED and payment_url:
        out["payment_url"] = payment_url
    return out


def order_lines(order: Order, language: str) -> list[str]:
    """Text lines of the order's items and discount: "华为 Mate 60 × 2 ¥6,344.00", "满3000减300 -¥300.00"."""
    lines = [responses.text("order_item_line", language, title=line.title, quantity=line.quantity,
                            price=format_money(Money(paid, order.currency).split(line.quantity)))
             for line, paid in zip(order.lines, _paid(order), strict=True)]
    discount = order_discount(order)
    if discount:
        lines.append(responses.text("price_breakdown_line", language, label=_label(order, language),
                                    amount=format_money(-discount)))
    return lines


def payment_subject(order: Order, language: str | None = None) -> str:
    """What a payment is for, as the pay page and the provider show it: "华为 Mate 60 等2件"."""
    first = order.lines[0].title
    if len(order.lines) == 1:
        return first
    return responses.text("payment_subject_many", language or order.language, title=first, n=len(order.lines))


def shipment_payload(shipment: Shipment) -> dict[str, Any]:
    """The `shipment` payload of contracts/channels.md."""
    return {
        "type": "shipment",
        "order_id": shipment.order_id,
        "carrier": shipment.carrier_code,
        "tracking_number": shipment.tracking_number,
        "status": shipment.status.value,
        "events": [
            {"time": e.time.isoformat(), "status": e.status.value, "location": e.location,
             "description": e.description}
            for e in shipment.events
        ],
    }


def ticket_payload(ticket: AfterSalesTicket) -> dict[str, Any]:
    """The `ticket` payload of contracts/channels.md."""
    return {
        "type": "ticket",
        "ticket_id": ticket.id,
        "order_id": ticket.order_id,
        "service_type": ticket.service_type.value,
        "status": ticket.status.value,
    }


def badge_names(badges: PriceBadges) -> list[str]:
    """Badge names for a `product` / `products` item (e.g. `["lowest_30d", "all_time_low"]`)."""
    out = []
    if badges.lowest_in_30_days:
        out.append("lowest_30d")
    if badges.all_time_low:
        out.append("all_time_low")
    return out
