"""Search results and the `products` / `product` payloads of contracts/channels.md."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shop.catalog import Offer, Product, SearchQuery
from shop.promotions import EffectivePrice, best_offer, effective_price
from shop.vocabulary import PLATFORM_NAMES


@dataclass(frozen=True)
class SearchHit:
    """One merged product of a search, with the offer that is cheapest after promotions."""

    product: Product
    offer: Offer
    price: EffectivePrice  # for one item of `offer`
    score: float = 0.0


@dataclass(frozen=True)
class SearchResult:
    """One page of a search; `reason` is set when the search could not match anything.

    reason: unknown_platform, unknown_brand, unknown_category, invalid_price_range, no_match,
    platforms_unavailable (every platform failed or was late).
    notes: price_range_swapped, negative_price_min_ignored, query_truncated, unknown_sort_ignored.
    """

    query: SearchQuery
    items: list[SearchHit]
    total: int
    page: int
    page_size: int
    failed_platforms: tuple[str, ...] = ()
    late_platforms: tuple[str, ...] = ()
    reason: str | None = None
    message: str | None = None
    notes: tuple[str, ...] = ()
    from_cache: bool = False

    @property
    def pages(self) -> int:
        return (self.total + self.page_size - 1) // self.page_size if self.total else 0

    @property
    def partial(self) -> bool:
        """True when some platform failed or was late: results may be missing."""
        return bool(self.failed_platforms or self.late_platforms)

    @classmethod
    def empty(cls, query: SearchQuery, reason: str, message: str) -> SearchResult:
        """No results, and why."""
        return cls(query=query, items=[], total=0, page=max(1, query.page),
                   page_size=max(1, query.page_size), reason=reason, message=message)

    @classmethod
    def page_of(cls, query: SearchQuery, hits: list[SearchHit], *, notes: tuple[str, ...] = (),
                failed: tuple[str, ...] = (), late: tuple[str, ...] = (),
                from_cache: bool = False) -> SearchResult:
        """The query's page of the ranked `hits`."""
        start = (query.page - 1) * query.page_size
        return cls(query=query, items=hits[start:start + query.page_size], total=len(hits),
                   page=query.page, page_size=query.page_size, failed_platforms=failed,
                   late_platforms=late, notes=notes, from_cache=from_cache)

    def to_products_payload(self, language: str = "zh") -> dict[str, Any]:
        """The `products` custom payload (contracts/channels.md), titles in `language`."""
        payload: dict[str, Any] = {
            "type": "products",
            "query": self.query.to_payload(),
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "items": [item_payload(h.product, h.offer, h.price, language) for h in self.items],
        }
        if self.failed_platforms or self.late_platforms:
            payload["unavailable_platforms"] = sorted({*self.failed_platforms, *self.late_platforms})
        if self.reason:
            payload["reason"] = self.reason
        return payload


def _title(product: Product, language: str) -> str:
    return product.title_en if language.startswith("en") and product.title_en else product.title


def item_payload(product: Product, offer: Offer, price: EffectivePrice, language: str = "zh") -> dict[str, Any]:
    """One item of a `products` payload: `price` is the effective price after promotions."""
    return {
        "id": product.id,
        "title": _title(product, language),
        "brand": product.brand,
        "category": product.category,
        "platform": offer.platform,
        "platform_name": PLATFORM_NAMES.get(offer.platform, (offer.platform, offer.platform))[
            0 if language.startswith("zh") else 1],
        "price": str(price.unit_price),
        "list_price": str(offer.price),
        "currency": offer.currency,
        "original_price": str(offer.original_price),
        "promotion": price.explanation or None,
        "sales": offer.sales,
        "rating": offer.rating,
        "url": offer.url,
        "image_url": product.image_url,
        "platforms": sorted({o.platform for o in product.offers}),
    }


def offer_payload(offer: Offer, quantity: int = 1) -> dict[str, Any]:
    """One platform's offer with its effective price for `quantity` items."""
    price = effective_price(offer, quantity)
    return {
        "platform": offer.platform,
        "platform_product_id": offer.platform_product_id,
        "price": str(price.unit_price),
        "total": str(price.total),
        "quantity": quantity,
        "list_price": str(offer.price),
        "original_price": str(offer.original_price),
        "currency": offer.currency,
        "promotion": price.explanation or None,
        "savings": str(price.savings),
        "stock": offer.stock,
        "sales": offer.sales,
        "rating": offer.rating,
        "merchant": offer.merchant,
        "url": offer.url,
    }


def product_payload(product: Product, language: str = "zh", quantity: int = 1) -> dict[str, Any]:
    """The `product` custom payload: the best offer's item, specs, variants and every offer."""
    best = best_offer(product.offers, quantity)
    if best is None:
        raise ValueError(f"product {product.id} has no offer")
    offer, price = best
    item = item_payload(product, offer, price, language)  # the best offer for `quantity` items
    item["specs"] = dict(product.specs)
    item["variants"] = {k: list(v) for k, v in product.variants.items()}
    item["offers"] = [offer_payload(o, quantity) for o in
                      sorted(product.offers, key=lambda o: effective_price(o, quantity).total)]
    return {"type": "product", "item": item}
