"""The `products`, `product` and comparison items of contracts/channels.md, from search results.

Every item's `price` is `quote(offer, 1).unit_price`: the price one unit costs the shopper on
that offer, promotions applied; `price_breakdown` says what was taken off, by which rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogue.presentation.prices import price_breakdown, promotion_text
from shop.catalog import Offer, Product, SearchQuery
from shop.pricing import PriceQuote, best_quote, quote
from shop.search_result import SearchResult
from shop.vocabulary import PLATFORM_NAMES, canonical_brand, variant_word


def product_title(product: Product, language: str) -> str:
    return product.title_en if language.startswith("en") and product.title_en else product.title


def variant_shown(variant: Mapping[str, str], language: str | None) -> str:
    """A chosen variant as the shopper reads it: "White / 256GB" (the options, in their language)."""
    return " / ".join(variant_word(option, language) for option in variant.values() if option)


_STORE_KINDS = (("官方旗舰店", "official flagship store"), ("旗舰店", "flagship store"), ("品牌店", "brand store"),
                ("专营店", "authorised dealer"), ("专卖店", "brand shop"), ("自营店", "self-operated store"))


def merchant_name(merchant: str, language: str | None) -> str:
    """A store's name as the shopper reads it: 罗马仕官方旗舰店 -> "Romoss official flagship store" for
    an English shopper (the brand's English name and the kind of store); "the seller" when the name
    cannot be put in English."""
    if not (language or "zh").startswith("en") or not any("\u4e00" <= ch <= "\u9fff" for ch in merchant):
        return merchant
    for suffix, kind in _STORE_KINDS:
        if merchant.endswith(suffix):
            brand = canonical_brand(merchant[: -len(suffix)])
            if brand:
                return f"{brand} {kind}"
    return "the seller"


def platform_name(platform: str, language: str | None) -> str:
    """The one place a platform's display name is decided: 京东 / JD (the key itself when unknown)."""
    names = PLATFORM_NAMES.get(platform, (platform, platform))
    return names[1] if (language or "zh").startswith("en") else names[0]


def query_payload(query: SearchQuery) -> dict[str, Any]:
    """The `query` of a `products` payload: the normalised search."""
    return {
        "product": query.product,
        "brand": query.brand,
        "price_min": None if query.price_min is None else str(query.price_min),
        "price_max": None if query.price_max is None else str(query.price_max),
        "platform": list(query.platforms) or None,
        "sort_by": query.sort_by,
    }


def products_payload(result: SearchResult, language: str = "zh") -> dict[str, Any]:
    """The `products` custom payload, titles and labels in `language`."""
    payload: dict[str, Any] = {
        "type": "products",
        "query": query_payload(result.query),
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "items": [item_payload(h.product, h.offer, h.price, language) for h in result.items],
    }
    if result.failed_platforms or result.late_platforms:
        payload["unavailable_platforms"] = sorted({*result.failed_platforms, *result.late_platforms})
    if result.reason:
        payload["reason"] = result.reason
    return payload


def item_payload(product: Product, offer: Offer, price: PriceQuote, language: str = "zh") -> dict[str, Any]:
    """One item: `price` is the unit price of `price` (the quote of `offer`), promotions applied."""
    out: dict[str, Any] = {
        "id": product.id,
        "title": product_title(product, language),
        "brand": product.brand,
        "category": product.category,
        "platform": offer.platform,
        "platform_name": platform_name(offer.platform, language),
        "price": str(price.unit_price),
        "list_price": str(price.unit_list_price),
        "currency": price.currency,
        "original_price": str(offer.original_price),
        "promotion": promotion_text(price, language),
        "sales": offer.sales,
        "rating": offer.rating,
        "url": offer.url,
        "image_url": product.image_url,
        "platforms": sorted({o.platform for o in product.offers}),
    }
    if price.discounts:
        out["price_breakdown"] = price_breakdown(price, language)
    return out


def offer_payload(offer: Offer, quantity: int = 1, language: str = "zh") -> dict[str, Any]:
    """One platform's offer with its quoted price for `quantity` items."""
    price = quote(offer, quantity)
    out: dict[str, Any] = {
        "platform": offer.platform,
        "platform_product_id": offer.platform_product_id,
        "price": str(price.unit_price),
        "total": str(price.total),
        "quantity": quantity,
        "list_price": str(price.unit_list_price),
        "original_price": str(offer.original_price),
        "currency": price.currency,
        "promotion": promotion_text(price, language),
        "savings": str(price.savings),
        "stock": offer.stock,
        "sales": offer.sales,
        "rating": offer.rating,
        "merchant": offer.merchant,
        "url": offer.url,
    }
    if price.discounts:
        out["price_breakdown"] = price_breakdown(price, language)
    if offer.edition:
        out["edition"] = offer.edition[0 if language == "zh" else 1]
    if offer.group is not None:  # a group buy (拼团): each of `group_size` people pays `group_price`
        out["group_price"] = str(offer.group.price)
        out["group_size"] = offer.group.size
    return out


def product_payload(product: Product, language: str = "zh", quantity: int = 1) -> dict[str, Any]:
    """The `product` custom payload: the best offer's item, specs, variants and every offer."""
    best = best_quote(product.offers, quantity)
    if best is None:
        raise ValueError(f"product {product.id} has no offer")
    offer, price = best
    item = item_payload(product, offer, price, language)
    item["specs"] = product.specs_in(language)
    item["variants"] = product.variants_in(language)
    reviews = product.reviews.get("en" if language.startswith("en") else "zh")
    if reviews:
        item["reviews"] = list(reviews)
    item["offers"] = [offer_payload(o, quantity, language) for o in
                      sorted(product.offers, key=lambda o: quote(o, quantity).total.amount)]
    if len({o.edition for o in product.offers}) > 1:  # offers differ in what they sell: a variant trap
        item["variant_traps"] = [{"platform": o.platform, "edition": o.edition[0 if language == "zh" else 1]}
                                 for o in product.offers if o.edition]
    return {"type": "product", "item": item}
