"""Helpers the shopping flows share: entities → search query, ordinals → listed products."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from dialogue.context import TurnContext
from dialogue.flows.currency import conversion_note, in_yuan
from shop.catalog import SearchQuery

LAST_SEARCH = "last_search"  # the normalised query, JSON-able (refine_search changes it)
LAST_RESULTS = "last_results"  # the listed page: [{"id", "title", "platform", "price"}]
CURRENT_PRODUCT = "current_product"  # the product being discussed: {"id", "title"}
PENDING_PICK = "pending_pick"  # the intent a "which one?" question waits an ordinal for ("buy", …)
VIEWED = "viewed"  # recently viewed products: [{"id", "category", "brand", "price"}]
MAX_VIEWED = 20
APPROX_SPREAD = Decimal("0.15")  # "五千左右" → 4250..5750

NO_LIMIT_WORDS = ("随便", "都行", "不限", "无所谓", "没要求", "没有预算", "no limit", "any price", "whatever",
                  "don't care", "dont care", "doesn't matter", "no budget", "any budget", "anything")


def to_decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def foreign_currency(ctx: TurnContext) -> str | None:
    """The currency of the budget when it is not yuan and a rate is set for it."""
    code = str(ctx.entity("currency") or "").upper()
    return code if code and code != "CNY" and code in ctx.services.currency_rates else None


def currency_note(ctx: TurnContext) -> str | None:
    """"$300 ≈ ¥2,160" when the message's budget was in another currency."""
    code = foreign_currency(ctx)
    if code is None:
        return None
    lo, hi = to_decimal(ctx.entity("price_min")), to_decimal(ctx.entity("price_max"))
    approx = to_decimal(ctx.entity("price_approx"))
    if lo is None and hi is None:
        lo = approx
    if lo is None and hi is None:
        return None
    return ctx.t("ack_currency", note=conversion_note(lo, hi, code, ctx.services.currency_rates))


def budget_from(ctx: TurnContext) -> tuple[Decimal | None, Decimal | None] | None:
    """(min, max) in yuan when the message names a budget (converted from another currency at
    the configured rate); None when it names none."""
    lo, hi = to_decimal(ctx.entity("price_min")), to_decimal(ctx.entity("price_max"))
    approx = to_decimal(ctx.entity("price_approx"))
    code = foreign_currency(ctx)
    if code is not None:
        rates = ctx.services.currency_rates
        lo, hi, approx = in_yuan(lo, code, rates), in_yuan(hi, code, rates), in_yuan(approx, code, rates)
    if approx is not None and lo is None and hi is None:
        spread = (approx * APPROX_SPREAD).quantize(Decimal(1))
        return approx - spread, approx + spread
    if lo is None and hi is None:
        return None
    return lo, hi


def says_no_limit(ctx: TurnContext) -> bool:
    text = (ctx.msg.text or "").lower()
    return ctx.intent == "deny" or any(w in text for w in NO_LIMIT_WORDS)


def query_to_slot(q: SearchQuery) -> dict[str, Any]:
    return {
        "product": q.product, "brand": q.brand, "category": q.category,
        "price_min": None if q.price_min is None else str(q.price_min),
        "price_max": None if q.price_max is None else str(q.price_max),
        "platforms": list(q.platforms), "sort_by": q.sort_by, "page": q.page, "page_size": q.page_size,
    }


def query_from_slot(data: dict[str, Any]) -> SearchQuery:
    return SearchQuery(
        product=data.get("product"), brand=data.get("brand"), category=data.get("category"),
        price_min=to_decimal(data.get("price_min")), price_max=to_decimal(data.get("price_max")),
        platforms=tuple(data.get("platforms") or ()), sort_by=data.get("sort_by"),
        page=int(data.get("page") or 1), page_size=int(data.get("page_size") or 5),
    )


def ordinal_index(value: Any, count: int) -> int | None:
    """1-based ordinal (−1 = the last, −2 = second to last) → list index; None when out of range."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    idx = n - 1 if n > 0 else count + n
    return idx if 0 <= idx < count else None


def listed(ctx: TurnContext) -> list[dict[str, Any]]:
    return list(ctx.slot(LAST_RESULTS) or [])


def pick_listed(ctx: TurnContext) -> tuple[dict[str, Any] | None, str | None]:
    """The listed product the message points at, by ordinal or by name; else the current one.

    Returns (item, error_key): error_key is set when the shopper pointed past the list.
    """
    items = listed(ctx)
    ordinals = ctx.entities("ordinal")
    by_id = ctx.entity("product_id")
    if by_id:  # a button or card names its own product: an older card acts on it, whatever is listed now
        for item in items:
            if item["id"] == by_id:
                return item, None
        return {"id": str(by_id), "title": str(by_id)}, None
    if ordinals and not items:
        return None, None  # "the second one" with no list: the caller says there is none
    if ordinals:
        idx = ordinal_index(ordinals[0], len(items))
        if idx is None:
            return None, "ordinal_out_of_range"
        return items[idx], None
    platform = ctx.entity("platform")
    on_platform = [item for item in items if platform and item.get("platform") == platform]
    if on_platform and not (ctx.entity("product") or ctx.entity("brand")):
        return on_platform[0], None  # "the JD one": the first listed item sold there
    name = ctx.entity("product") or ctx.entity("brand")
    if name and items:
        folded = str(name).lower()
        for item in items:
            if folded in item["title"].lower() or folded in str(item.get("brand", "")).lower():
                return item, None
    current = ctx.slot(CURRENT_PRODUCT)
    if current:
        return current, None
    return None, None


def remember_viewed(ctx: TurnContext, product_id: str, category: str, brand: str, price: str,
                    title: str = "") -> None:
    viewed = [v for v in (ctx.slot(VIEWED) or []) if v["id"] != product_id]
    viewed.insert(0, {"id": product_id, "category": category, "brand": brand, "price": price, "title": title})
    ctx.set_slot(VIEWED, viewed[:MAX_VIEWED])
