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
from typing import Protocol

from shop.catalog import Offer
from shop.money import Money
from shop.pricing import CartItem, PriceQuote, StoreQuote, quote, quote_cart
from shop.topup import AddOn, TopUpHint, cart_add_ons, top_up_hints

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


async def merge_carts(repo: CartRepository, guest_id: str, shopper_id: str) -> int:
    """A guest who signs in keeps what they put aside: each of the guest's lines joins the
    account's cart (the same offer and variant adds its quantity, capped at MAX_QUANTITY; no
    duplicate line) and leaves the guest's. A full cart keeps the lines it could not take with
    the guest. How many lines moved."""
    if guest_id == shopper_id:
        return 0
    moved = 0
    for line in await repo.lines(guest_id):
        try:
            await repo.add(shopper_id, line.product_id, line.platform, line.title, line.variant_dict, line.quantity)
        except CartFull:
            break
        await repo.remove(guest_id, line.line_id)
        moved += 1
    return moved


@dataclass(frozen=True)
class PricedLine:
    line: CartLine
    offer: Offer | None  # None: the offer is gone (delisted) or that platform no longer sells it
    price: PriceQuote | None  # the line with its item promotions (直降, 多件折)
    total: Money | None = None  # what the line costs in this cart: its share of the store's 满减 and coupon taken

    @property
    def available(self) -> bool:
        return self.offer is not None and self.price is not None and self.offer.stock > 0

    @property
    def unit_price(self) -> Money | None:
        """One item as the shopper pays it in this cart (all promotions applied)."""
        return self.total.split(self.line.quantity) if self.total is not None else None

    @property
    def savings(self) -> Money | None:
        return self.price.list_total - self.total if self.price is not None and self.total is not None else None


@dataclass(frozen=True)
class StoreTotal:
    platform: str
    subtotal: Money  # what the lines of this store cost, promotions applied
    savings: Money
    merchant: str = ""
    quote: StoreQuote | None = None
    hint: TopUpHint | None = None


@dataclass(frozen=True)
class PricedCart:
    lines: tuple[PricedLine, ...]
    stores: tuple[StoreTotal, ...]
    total: Money
    savings: Money

    @property
    def currency(self) -> str:
        return self.total.currency

    @property
    def available(self) -> tuple[PricedLine, ...]:
        return tuple(e for e in self.lines if e.available)


def price_cart(lines: Sequence[CartLine], offers: Mapping[tuple[str, str], Offer], currency: str = "CNY",
               candidates: Sequence[AddOn] = ()) -> PricedCart:
    """The cart priced store by store (`shop.pricing.quote_cart`: a store's 满减, 跨店满减 and
    coupon once on its lines together), each line on its offer as it is now ((product_id,
    platform) → offer); lines whose offer is gone or out of stock are listed but not counted.
    Each store gets its 凑单 hint (`shop.topup`), with one more of a line or `candidates` as add-ons."""
    found = [(line, offers.get((line.product_id, line.platform))) for line in lines]
    live = [(line, offer) for line, offer in found if offer is not None and offer.stock > 0]
    items = [CartItem(offer, line.quantity, line.line_id) for line, offer in live]
    cart = quote_cart(items, currency)
    per_line: dict[str, tuple[PriceQuote, Money]] = {}
    for store in cart.stores:
        for item, item_quote, total in zip(store.items, store.item_quotes, store.line_totals, strict=True):
            per_line[item.key] = (item_quote, total)
    add_ons = cart_add_ons(items, [line.title for line, _ in live], [line.product_id for line, _ in live])
    hints = top_up_hints(items, [*add_ons, *candidates], currency)
    priced: list[PricedLine] = []
    for line, offer in found:
        if line.line_id in per_line:
            item_quote, total = per_line[line.line_id]
            priced.append(PricedLine(line, offer, item_quote, total))
        else:
            priced.append(PricedLine(line, offer, quote(offer, line.quantity) if offer is not None else None))
    stores = tuple(StoreTotal(s.platform, s.goods_total, s.savings, s.merchant, s, hints.get((s.platform, s.merchant)))
                   for s in cart.stores)
    return PricedCart(tuple(priced), stores, cart.total, cart.savings)
