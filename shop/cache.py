"""Cache port for search results (Redis in production, in-process in the embedded mode),
and the JSON codec that turns products into cacheable text and back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from shop.catalog import GroupDeal, Offer, Product, Promotion, PromotionKind


class Cache(Protocol):
    """A text key-value store with a time to live."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl_seconds: float) -> None: ...

    async def delete(self, key: str) -> None: ...


def promotion_to_dict(p: Promotion) -> dict[str, Any]:
    return {"kind": p.kind.value, "label": p.label, "amount": str(p.amount),
            "threshold": str(p.threshold), "rate": str(p.rate),
            "min_quantity": p.min_quantity, "stackable": p.stackable}


def promotion_from_dict(d: dict[str, Any]) -> Promotion:
    return Promotion(kind=PromotionKind(d["kind"]), label=d["label"], amount=Decimal(d["amount"]),
                     threshold=Decimal(d["threshold"]), rate=Decimal(d["rate"]),
                     min_quantity=int(d["min_quantity"]), stackable=bool(d["stackable"]))


def offer_to_dict(o: Offer) -> dict[str, Any]:
    return {"platform": o.platform, "platform_product_id": o.platform_product_id,
            "price": str(o.price), "original_price": str(o.original_price), "currency": o.currency,
            "promotions": [promotion_to_dict(p) for p in o.promotions], "stock": o.stock,
            "sales": o.sales, "rating": o.rating, "merchant": o.merchant, "url": o.url,
            "edition": list(o.edition) if o.edition else None,
            "group": {"price": str(o.group.price), "size": o.group.size, "hours": o.group.hours} if o.group else None}


def offer_from_dict(d: dict[str, Any]) -> Offer:
    return Offer(platform=d["platform"], platform_product_id=d["platform_product_id"],
                 price=Decimal(d["price"]), original_price=Decimal(d["original_price"]),
                 currency=d["currency"],
                 promotions=tuple(promotion_from_dict(p) for p in d["promotions"]),
                 stock=int(d["stock"]), sales=int(d["sales"]), rating=float(d["rating"]),
                 merchant=d["merchant"], url=d["url"],
                 edition=(str(d["edition"][0]), str(d["edition"][1])) if d.get("edition") else None,
                 group=GroupDeal(Decimal(d["group"]["price"]), int(d["group"]["size"]), int(d["group"]["hours"]))
                 if d.get("group") else None)


def product_to_dict(p: Product) -> dict[str, Any]:
    """A product with all its offers as JSON-ready data (money as strings)."""
    return {"id": p.id, "title": p.title, "title_en": p.title_en, "brand": p.brand,
            "category": p.category, "specs": p.specs, "variants": p.variants,
            "specs_en": p.specs_en, "variants_en": p.variants_en, "reviews": p.reviews,
            "image_url": p.image_url, "keywords": list(p.keywords),
            "offers": [offer_to_dict(o) for o in p.offers]}


def product_from_dict(d: dict[str, Any]) -> Product:
    """The inverse of `product_to_dict`."""
    return Product(id=d["id"], title=d["title"], title_en=d["title_en"], brand=d["brand"],
                   category=d["category"], specs=dict(d["specs"]),
                   variants={k: list(v) for k, v in d["variants"].items()},
                   specs_en=dict(d.get("specs_en") or {}),
                   variants_en={k: list(v) for k, v in (d.get("variants_en") or {}).items()},
                   reviews={k: list(v) for k, v in (d.get("reviews") or {}).items()},
                   image_url=d["image_url"], keywords=tuple(d["keywords"]),
                   offers=[offer_from_dict(o) for o in d["offers"]])
