"""Price quotes as shoppers read them: discount labels per language and the `price_breakdown`.

A discount's Chinese label is the platform's own ("跨店每满300减50"); the English one is
written from its rule and parameters ("¥50.00 off every ¥300.00 (cross-store)").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dialogue import responses
from dialogue.presentation.money import format_money
from shop.money import Money
from shop.pricing import Discount, DiscountRule, PriceQuote


def discount_label(discount: Discount, language: str) -> str:
    """The discount's name in `language`: the platform's label in Chinese, a description in English."""
    if not language.startswith("en"):
        return discount.label_zh
    promo = discount.promotion
    currency = discount.amount.currency
    fields: dict[str, Any] = {
        "amount": format_money(Money(promo.amount, currency)),
        "threshold": format_money(Money(promo.threshold, currency)),
        "percent": f"{(Decimal(100) - promo.rate * 100).normalize():f}",
        "count": promo.min_quantity,
    }
    key = f"discount_{discount.rule.value}"
    if discount.rule is DiscountRule.COUPON and promo.threshold <= 0:
        key = "discount_coupon_any"
    return responses.text(key, "en", **fields)


def promotion_text(quote: PriceQuote, language: str) -> str | None:
    """"满3000减300 + 10元券" (or its English); None when nothing was taken off."""
    return " + ".join(discount_label(d, language) for d in quote.discounts) or None


def price_breakdown(quote: PriceQuote, language: str) -> list[dict[str, str]]:
    """The `price_breakdown` of a payload: what each discount took off (negative), then shipping."""
    out = [{"label": discount_label(d, language), "amount": str(-d.amount)} for d in quote.discounts]
    if quote.shipping:
        out.append({"label": responses.text("price_shipping", language), "amount": str(quote.shipping)})
    return out


def breakdown_lines(quote: PriceQuote, language: str) -> list[str]:
    """The same breakdown as text lines: "满3000减300 -¥300.00"."""
    return [responses.text("price_breakdown_line", language, label=row["label"],
                           amount=format_money(row["amount"], language, quote.currency))
            for row in price_breakdown(quote, language)]
