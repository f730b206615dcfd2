"""The `cart` payload (contracts/channels.md) and its readable lines, from a priced cart."""

from __future__ import annotations

from typing import Any

from dialogue import responses
from dialogue.presentation.money import format_money
from dialogue.presentation.prices import discount_label, price_breakdown
from dialogue.presentation.products import platform_name, variant_shown
from shop.cart import PricedCart, PricedLine, StoreTotal
from shop.money import cents
from shop.pricing import Discount, rule_of
from shop.topup import TopUpHint


def hint_text(hint: TopUpHint, language: str) -> str:
    """"京东 再买 ¥23.00 可减 ¥50.00(满300减50),比如加 …" / "JD: spend ¥23.00 more to save ¥50.00 …"."""
    label = discount_label(Discount(rule_of(hint.promotion), hint.promotion.label, hint.saving, hint.promotion), language)
    text = responses.text("cart_hint", language, platform=platform_name(hint.platform, language),
                          short=format_money(hint.short), saving=format_money(hint.saving), promotion=label)
    if hint.add_ons:
        joiner = "、" if not language.startswith("en") else ", "
        names = joiner.join(a.title + (responses.text("cart_hint_one_more", language) if a.in_cart else "")
                            for a in hint.add_ons)
        text += responses.text("cart_hint_add_ons", language, add_ons=names)
    return text


def _line_breakdown(entry: PricedLine, language: str) -> list[dict[str, str]]:
    """What each promotion took off the line: its item promotions, then its share of the store's."""
    rows = price_breakdown(entry.price, language) if entry.price is not None else []
    if entry.price is not None and entry.total is not None:
        shared = entry.price.goods_total - entry.total
        if shared.amount > 0:
            rows.append({"label": responses.text("cart_store_discount", language), "amount": str(-shared)})
    return rows


def _store(s: StoreTotal, language: str) -> dict[str, Any]:
    out: dict[str, Any] = {"platform": s.platform, "merchant": s.merchant, "subtotal": str(s.subtotal),
                           "savings": str(s.savings), "hint": hint_text(s.hint, language) if s.hint else None}
    if s.quote is not None and s.quote.discounts:
        out["discounts"] = [{"label": discount_label(d, language), "amount": str(-d.amount)} for d in s.quote.discounts]
    if s.hint is not None:
        out["add_ons"] = [{"product_id": a.product_id, "title": a.title, "platform": a.offer.platform,
                           "price": str(cents(a.price)), "in_cart": a.in_cart} for a in s.hint.add_ons]
    return out


def cart_payload(cart: PricedCart, language: str = "zh") -> dict[str, Any]:
    """items: one per line (`price` is one unit as the shopper pays it in this cart, every
    promotion applied; `unit_price` the list price of one unit); stores: a subtotal per store
    (platform and merchant), its discounts and its 凑单 hint."""
    items: list[dict[str, Any]] = []
    for entry in cart.lines:
        line, price = entry.line, entry.price
        unit = entry.unit_price if entry.unit_price is not None else (price.unit_price if price else None)
        total = entry.total if entry.total is not None else (price.goods_total if price else None)
        item: dict[str, Any] = {
            "line_id": line.line_id, "product_id": line.product_id, "title": line.title,
            "platform": line.platform, "variant": line.variant_dict,
            "variant_shown": variant_shown(line.variant_dict, language), "quantity": line.quantity,
            "unit_price": str(cents(price.unit_list_price.amount)) if price else None,
            "price": str(unit) if unit is not None else None,
            "line_total": str(total) if total is not None else None,
            "available": entry.available,
        }
        breakdown = _line_breakdown(entry, language)
        if breakdown:
            item["price_breakdown"] = breakdown
        items.append(item)
    return {
        "type": "cart",
        "items": items,
        "stores": [_store(s, language) for s in cart.stores],
        "total": str(cart.total),
        "savings": str(cart.savings),
        "currency": cart.currency,
    }
