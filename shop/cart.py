"""The cart: what a shopper put aside to buy later, across platforms (issue 18.1).

A `CartLine` is one offer (product on a platform) in one variant, with a quantity; adding the
same offer and variant again raises that line's quantity. Lines are kept per shopper by a
`CartRepository` (SQL in integrations/db/cart_repo.py, an in-memory twin in
integrations/memory/cart.py). Prices are never stored: `price_cart` quotes each line with
`shop.pricing.quote` on the offer as it is now, so the cart shows the same price as every
other screen.

Errors (all `CartError`): `CartFull` (too many lines), `BadQuantity` (outside 1..MAX_QUANTITY),
`LineNotFound` (no such line in this shopper's cart).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from shop.catalog import Offer
from shop.money import Money
from shop.pricing import PriceQuote, quote

MAX_QUANTITY = 99  # per line, as the buy flow allows
MAX_LINES = 50  # per cart


class CartError(Exception):
    """Something the shopper asked of the cart that cannot be done."""


class CartFull(CartError):
    """The cart already holds MAX_LINES lines."""


class BadQuantity(CartError):
    """A quantity outside 1..MAX_QUANTITY."""


class LineNotFound(CartError):
    """No line with that id in this shopper's cart."""


def new_line_id() -> str:
    return "L" + uuid.uuid4().hex[:12]


def check_quantity(quantity: int) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise BadQuantity(str(quantity))
    return quantity


def variant_key(variant: Mapping[str, str]) -> str:
    """A stable text for a variant ({"colour": "黑色", "storage": "256G"} → "colour=黑色;storage=256G")."""
    return ";".join(f"{k}={variant[k]}" for k in sorted(variant))


@dataclass(frozen=True)
class CartLine:
    line_id: str
    shopper_id: str
    product_id: str
    platform: str
    title: str
    variant: tuple[tuple[str, str], ...]  # (dimension, option), sorted
    quantity: int
    added_at: datetime

    @property
    def variant_dict(self) -> dict[str, str]:
        return dict(self.variant)


class CartRepository(Protocol):
    """A shopper's cart lines, oldest first."""

    async def lines(self, shopper_id: str) -> list[CartLine]: ...

    async def add(self, shopper_id: str, product_id: str, platform: str, title: str,
                  variant: Mapping[str, str], quantity: int) -> CartLine:
        """Add an offer; the same offer and variant again raises its line's quantity (capped at
        MAX_QUANTITY). Raises CartFull, BadQuantity."""
        ...

    async def set_quantity(self, shopper_id: str, line_id: str, quantity: int) -> CartLine:
        """Raises LineNotFound, BadQuantity."""
        ...

    async def remove(self, shopper_id: str, line_id: str) -> CartLine:
        """Raises LineNotFound."""
        ...

    async def clear(self, shopper_id: str) -> int:
        """Empty the cart; returns how many lines it held."""
        ...


@dataclass(frozen=True)
class PricedLine:
    line: CartLine
    offer: Offer | None  # None: the offer is gone (delisted) or that platform no longer sells it
    price: PriceQuote | None

    @property
    def available(self) -> bool:
        return self.offer is not None and self.price is not None and self.offer.stock > 0


@dataclass(frozen=True)
class StoreTotal:
    platform: str
    subtotal: Money  # what the lines of this platform cost, promotions applied
    savings: Money


@dataclass(frozen=True)
class PricedCart:
    lines: tuple[PricedLine, ...]
    stores: tuple[StoreTotal, ...]
    total: Money
    savings: Money

    @property
    def currency(self) -> str:
        return self.total.currency


def price_cart(lines: Sequence[CartLine], offers: Mapping[tuple[str, str], Offer], currency: str = "CNY") -> PricedCart:
    """Each line quoted on its offer as it is now ((product_id, platform) → offer); lines whose
    offer is gone or out of stock are listed but not counted."""
    priced: list[PricedLine] = []
    stores: dict[str, tuple[Decimal, Decimal]] = {}
    for line in lines:
        offer = offers.get((line.product_id, line.platform))
        price = quote(offer, line.quantity) if offer is not None else None
        entry = PricedLine(line, offer, price)
        priced.append(entry)
        if entry.available and price is not None:
            sub, saved = stores.get(line.platform, (Decimal(0), Decimal(0)))
            stores[line.platform] = (sub + price.goods_total.amount, saved + price.savings.amount)
    totals = tuple(StoreTotal(p, Money(s, currency), Money(v, currency)) for p, (s, v) in stores.items())
    total = sum((s.subtotal.amount for s in totals), Decimal(0))
    savings = sum((s.savings.amount for s in totals), Decimal(0))
    return PricedCart(tuple(priced), totals, Money(total, currency), Money(savings, currency))
