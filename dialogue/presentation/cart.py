"""The `cart` payload (contracts/channels.md) and its readable lines, from a priced cart."""

from __future__ import annotations

from typing import Any

from dialogue.presentation.prices import price_breakdown
from shop.cart import PricedCart
from shop.money import cents


def cart_payload(cart: PricedCart, language: str = "zh") -> dict[str, Any]:
    """items: one per line (`price` is one unit as the shopper pays it, promotions applied;
    `unit_price` the list price of one unit); stores: a subtotal per platform."""
    items: list[dict[str, Any]] = []
    for entry in cart.lines:
        line, price = entry.line, entry.price
        item: dict[str, Any] = {
            "line_id": line.line_id, "product_id": line.product_id, "title": line.title,
            "platform": line.platform, "variant": line.variant_dict, "quantity": line.quantity,
            "unit_price": str(cents(price.unit_list_price.amount)) if price else None,
            "price": str(price.unit_price) if price else None,
            "line_total": str(price.goods_total) if price else None,
            "available": entry.available,
        }
        if price is not None and price.discounts:
            item["price_breakdown"] = price_breakdown(price, language)
        items.append(item)
    return {
        "type": "cart",
        "items": items,
        "stores": [{"platform": s.platform, "subtotal": str(s.subtotal), "savings": str(s.savings), "hint": None}
                   for s in cart.stores],
        "total": str(cart.total),
        "savings": str(cart.savings),
        "currency": cart.currency,
    }
