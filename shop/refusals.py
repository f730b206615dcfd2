"""Placement refusals (issue 18.3): an offer that can no longer be bought as ordered.

Right before a paid order goes to its platform, each line's offer is read again: a line the
platform no longer has or has fewer of than ordered is refused as `out_of_stock`; one whose
listed price rose more than the tolerance (percent, from settings) above the price ordered is
refused as `price_moved`. A platform may also refuse at placement itself (`OrderRefused` from
its connector). A refused order is refunded in full at once (its part of a checkout's payment)
and the shopper is asked whether to pick another offer; the other orders of the checkout go on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Protocol

from shop.catalog import Product
from shop.orders import Order
from shop.ports import MarketplaceError

OUT_OF_STOCK = "out_of_stock"
PRICE_MOVED = "price_moved"
REASONS = (OUT_OF_STOCK, PRICE_MOVED)

OfferCheck = Callable[[Order], Awaitable[str | None]]


class ProductLookup(Protocol):
    async def get_product(self, product_id: str) -> Product | None: ...


def offer_check(lookup: ProductLookup, tolerance_percent: Decimal,
                grouped: Callable[[Order], Awaitable[bool]] | None = None) -> OfferCheck:
    """A check of an order's offers as they are now: the refusal reason, or None to place it
    (also when the platform cannot be asked: the placement itself then decides). An order a
    group buy made (`grouped`) is held to the offer's group price (gone: `price_moved`)."""
    factor = 1 + tolerance_percent / 100

    async def check(order: Order) -> str | None:
        group = grouped is not None and await grouped(order)
        for line in order.lines:
            try:
                product = await lookup.get_product(line.product_id)
            except MarketplaceError:
                return None
            offer = next((o for o in product.offers if o.platform == order.platform), None) if product else None
            if offer is None or offer.stock < line.quantity:
                return OUT_OF_STOCK
            price = offer.price if not group else (offer.group.price if offer.group else None)
            if price is None or price > line.unit_price * factor:
                return PRICE_MOVED
        return None

    return check
