"""Effective price: what the shopper pays for a quantity after the best applicable promotions.

Order of application, as the platforms apply them at checkout:
1. 直降 (direct discount) off the unit price — the largest one;
2. 多件折 (multi-item rate) on the subtotal when the quantity qualifies — the lowest rate;
3. 满减 (full reduction) on that subtotal — the one saving most (per threshold when stackable);
4. 券 (coupon) on what is left when its threshold is reached — the one saving most.
The result never drops below 0.01 per item. All money is Decimal yuan.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from shop.catalog import Offer, Promotion, PromotionKind

CENT = Decimal("0.01")


@dataclass(frozen=True)
class EffectivePrice:
    """The price of `quantity` items of one offer after promotions, with its explanation."""

    quantity: int
    list_total: Decimal  # price x quantity
    total: Decimal  # what the shopper pays
    applied: tuple[Promotion, ...]

    @property
    def savings(self) -> Decimal:
        return self.list_total - self.total

    @property
    def unit_price(self) -> Decimal:
        """The effective price of one item of this purchase (total / quantity)."""
        return (self.total / self.quantity).quantize(CENT, ROUND_HALF_UP)

    @property
    def explanation(self) -> str:
        """E.g. "满300减40 + 10元券"; empty when no promotion applies."""
        return " + ".join(p.label for p in self.applied)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _full_reduction_saving(promo: Promotion, subtotal: Decimal) -> Decimal:
    if promo.threshold <= 0 or subtotal < promo.threshold:
        return Decimal(0)
    if promo.stackable:
        times = (subtotal / promo.threshold).to_integral_value(ROUND_FLOOR)
        return promo.amount * times
    return promo.amount


def effective_price(offer: Offer, quantity: int = 1) -> EffectivePrice:
    """The best price for `quantity` items of `offer` and the promotions that give it."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    floor_total = CENT * quantity
    list_total = _q(offer.price * quantity)
    applied: list[Promotion] = []
    promos = offer.promotions

    unit = offer.price
    directs = [p for p in promos if p.kind is PromotionKind.DIRECT_DISCOUNT and 0 < p.amount < unit]
    if directs:
        best = max(directs, key=lambda p: p.amount)
        unit -= best.amount
        applied.append(best)
    subtotal = _q(unit * quantity)

    multis = [p for p in promos if p.kind is PromotionKind.MULTI_ITEM
              and quantity >= p.min_quantity and 0 < p.rate < 1]
    if multis:
        best = min(multis, key=lambda p: p.rate)
        subtotal = _q(subtotal * best.rate)
        applied.append(best)

    reductions = [(p, _full_reduction_saving(p, subtotal)) for p in promos
                  if p.kind is PromotionKind.FULL_REDUCTION]
    reductions = [(p, s) for p, s in reductions if s > 0]
    if reductions:
        best, saving = max(reductions, key=lambda ps: ps[1])
        subtotal = subtotal - saving
        applied.append(best)

    coupons = [p for p in promos if p.kind is PromotionKind.COUPON
               and p.amount > 0 and subtotal >= p.threshold]
    if coupons:
        best = max(coupons, key=lambda p: p.amount)
        subtotal = subtotal - best.amount
        applied.append(best)

    total = max(_q(subtotal), floor_total)
    return EffectivePrice(quantity=quantity, list_total=list_total, total=total, applied=tuple(applied))


def best_offer(offers: list[Offer], quantity: int = 1) -> tuple[Offer, EffectivePrice] | None:
    """The in-stock offer with the lowest effective price (any offer when none is in stock)."""
    if not offers:
        return None
    pool = [o for o in offers if o.stock > 0] or offers
    priced = [(o, effective_price(o, quantity)) for o in pool]
    return min(priced, key=lambda oe: (oe[1].total, -oe[0].sales))
