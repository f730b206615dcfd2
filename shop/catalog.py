"""Catalog domain: products, per-platform offers, promotions and search queries.

Pure Python; money is Decimal (yuan) end to end. Owned by the aggregator work (issue 4):
promotion arithmetic and ranking live beside this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from shop.vocabulary import variant_word

PLATFORMS: tuple[str, ...] = ("taobao", "jd", "pdd")


class PromotionKind(str, Enum):
    FULL_REDUCTION = "full_reduction"  # 满减: spend `threshold`, save `amount` (per threshold when `stackable`)
    DIRECT_DISCOUNT = "direct_discount"  # 直降: `amount` off the unit price
    COUPON = "coupon"  # 券: `amount` off when the order reaches `threshold`
    MULTI_ITEM = "multi_item"  # 多件多折: `rate` (e.g. 0.9) when quantity >= `min_quantity`


@dataclass(frozen=True)
class Promotion:
    kind: PromotionKind
    label: str  # as the platform shows it, e.g. "满300减40"
    amount: Decimal = Decimal(0)
    threshold: Decimal = Decimal(0)
    rate: Decimal = Decimal(1)
    min_quantity: int = 1
    stackable: bool = False


@dataclass(frozen=True)
class GroupDeal:
    """A group buy (拼团) an offer carries: `size` shoppers who each pay `price` within `hours`."""

    price: Decimal
    size: int
    hours: int


@dataclass(frozen=True)
class Offer:
    """One platform's offer of a product."""

    platform: str
    platform_product_id: str
    price: Decimal
    original_price: Decimal
    currency: str = "CNY"
    promotions: tuple[Promotion, ...] = ()
    stock: int = 0
    sales: int = 0
    rating: float = 0.0  # 0..5 stars, not money
    merchant: str = ""
    url: str = ""
    # what this offer sells when it differs from the model's usual edition: 港版, 2-pack bundle …
    # (Chinese, English); offers of one product with different editions are a variant trap
    edition: tuple[str, str] | None = None
    group: GroupDeal | None = None  # a group price below `price` (pdd's 拼团), when the platform has one


@dataclass
class Product:
    """A product as the shopper sees it; `offers` holds every platform's offer of it."""

    id: str
    title: str
    title_en: str
    brand: str
    category: str
    specs: dict[str, str] = field(default_factory=dict)
    variants: dict[str, list[str]] = field(default_factory=dict)  # e.g. {"colour": [...], "storage": [...]}
    # English forms, when the platform gives them: spec labels/values, and variant options in the
    # same order as `variants` (an order stores the `variants` option; English only labels it)
    specs_en: dict[str, str] = field(default_factory=dict)
    variants_en: dict[str, list[str]] = field(default_factory=dict)
    reviews: dict[str, list[str]] = field(default_factory=dict)  # review snippets per language ("zh", "en")
    image_url: str = ""
    keywords: tuple[str, ...] = ()
    offers: list[Offer] = field(default_factory=list)

    def specs_in(self, language: str) -> dict[str, str]:
        """Spec labels and values in `language` (the Chinese ones when no English form is known)."""
        return dict(self.specs_en) if language.startswith("en") and self.specs_en else dict(self.specs)

    def variant_labels(self, language: str) -> dict[str, dict[str, str]]:
        """Per dimension, each option (as `variants` names it) and how the shopper reads it."""
        out: dict[str, dict[str, str]] = {}
        for dim, options in self.variants.items():
            en = self.variants_en.get(dim, []) if language.startswith("en") else []
            out[dim] = {o: (en[i] if len(en) == len(options) and en[i] else variant_word(o, language))
                        for i, o in enumerate(options)}
        return out

    def variants_in(self, language: str) -> dict[str, list[str]]:
        """Variant options as the shopper reads them in `language`."""
        return {dim: list(labels.values()) for dim, labels in self.variant_labels(language).items()}


@dataclass(frozen=True)
class SearchQuery:
    """A normalised search; see the `products` payload's `query` in contracts/channels.md."""

    product: str | None = None
    brand: str | None = None
    category: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    platforms: tuple[str, ...] = ()
    sort_by: str | None = None  # price_asc, price_desc, sales, rating; None = relevance
    page: int = 1
    page_size: int = 5
