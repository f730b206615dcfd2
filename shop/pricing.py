"""One price: what a shopper pays for a quantity of one offer, and why (`quote` → `PriceQuote`).

Every screen that shows a price — search cards, details, comparison, recommendations, the buy
summary, the order, the pay page, price history and price alerts — takes it from `quote`.

Promotions apply in the order the platforms apply them at checkout:
1. 直降 / 百亿补贴 (direct discount, subsidy) off the unit price — the largest one;
2. 多件折 (multi-item rate) on the subtotal when the quantity qualifies — the lowest rate;
3. 满减 / 每满减 / 跨店满减 (full reduction, per threshold when stackable) on that subtotal —
   the one saving most;
4. 券 (coupon) on what is left when its threshold is reached — the one saving most.
The goods never drop below ¥0.01 per item; shipping is added last. Each discount in the
quote carries its rule, the platform's own label (Chinese) and the amount it took off the
whole purchase; the amounts add up exactly: list total − discounts + shipping = total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import Enum

from shop.catalog import Offer, Product, Promotion, PromotionKind
from shop.money import Money, cents


class DiscountRule(str, Enum):
    """The kind of promotion a discount came from, as shoppers know them."""

    DIRECT = "direct"  # 直降
    SUBSIDY = "subsidy"  # 百亿补贴 (a platform-funded direct discount)
    MULTI_ITEM = "multi_item"  # 多件折
    FULL_REDUCTION = "full_reduction"  # 满减
    PER_FULL_REDUCTION = "per_full_reduction"  # 每满减
    CROSS_STORE = "cross_store"  # 跨店满减 (per threshold, across shops of the platform)
    COUPON = "coupon"  # 券


def rule_of(promo: Promotion) -> DiscountRule:
    """The rule of a platform promotion; the subsidy and cross-store kinds are named in their labels."""
    if promo.kind is PromotionKind.DIRECT_DISCOUNT:
        return DiscountRule.SUBSIDY if "补贴" in promo.label else DiscountRule.DIRECT
    if promo.kind is PromotionKind.FULL_REDUCTION:
        if "跨店" in promo.label:
            return DiscountRule.CROSS_STORE
        return DiscountRule.PER_FULL_REDUCTION if promo.stackable else DiscountRule.FULL_REDUCTION
    if promo.kind is PromotionKind.MULTI_ITEM:
        return DiscountRule.MULTI_ITEM
    return DiscountRule.COUPON


@dataclass(frozen=True)
class Discount:
    """One promotion applied to a purchase: `amount` (positive) is what it took off in total."""

    rule: DiscountRule
    label_zh: str  # the platform's own label, e.g. "跨店每满300减50"
    amount: Money
    promotion: Promotion


@dataclass(frozen=True)
class PriceQuote:
    """The price of `quantity` items of one offer: list price, discounts, shipping, total."""

    platform: str
    quantity: int
    unit_list_price: Money
    discounts: tuple[Discount, ...]
    shipping: Money
    total: Money  # what the shopper pays, shipping included

    @property
    def currency(self) -> str:
        return self.total.currency

    @property
    def list_total(self) -> Money:
        return (self.unit_list_price * self.quantity).rounded()

    @property
    def goods_total(self) -> Money:
        """What the items cost after promotions (the total without shipping)."""
        return self.total - self.shipping

    @property
    def savings(self) -> Money:
        return sum((d.amount for d in self.discounts), Money.zero(self.currency))

    @property
    def unit_price(self) -> Money:
        """The price of one item of this purchase after promotions (goods total / quantity)."""
        return self.goods_total.split(self.quantity)

    @property
    def promotion_labels(self) -> tuple[str, ...]:
        return tuple(d.label_zh for d in self.discounts)


def _full_reduction_saving(promo: Promotion, subtotal: Decimal) -> Decimal:
    if promo.threshold <= 0 or subtotal < promo.threshold:
        return Decimal(0)
    if promo.stackable:
        times = (subtotal / promo.threshold).to_integral_value(ROUND_FLOOR)
        return promo.amount * times
    return promo.amount


def quote(offer: Offer, quantity: int = 1, *, shipping: Money | None = None) -> PriceQuote:
    """The best price for `quantity` items of `offer`, with the discounts that give it."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    currency = offer.currency
    promos = offer.promotions
    steps: list[tuple[Promotion, Decimal]] = []  # (promotion, amount it took off the purchase)

    unit = offer.price
    directs = [p for p in promos if p.kind is PromotionKind.DIRECT_DISCOUNT and 0 < p.amount < unit]
    if directs:
        best = max(directs, key=lambda p: p.amount)
        unit -= best.amount
        steps.append((best, cents(offer.price * quantity) - cents(unit * quantity)))
    subtotal = cents(unit * quantity)

    multis = [p for p in promos if p.kind is PromotionKind.MULTI_ITEM
              and quantity >= p.min_quantity and 0 < p.rate < 1]
    if multis:
        best = min(multis, key=lambda p: p.rate)
        after = cents(subtotal * best.rate)
        steps.append((best, subtotal - after))
        subtotal = after

    reductions = [(p, _full_reduction_saving(p, subtotal)) for p in promos
                  if p.kind is PromotionKind.FULL_REDUCTION]
    reductions = [(p, s) for p, s in reductions if s > 0]
    if reductions:
        best, saving = max(reductions, key=lambda ps: ps[1])
        subtotal -= saving
        steps.append((best, saving))

    coupons = [p for p in promos if p.kind is PromotionKind.COUPON
               and p.amount > 0 and subtotal >= p.threshold]
    if coupons:
        best = max(coupons, key=lambda p: p.amount)
        subtotal -= best.amount
        steps.append((best, best.amount))

    floor_total = Decimal("0.01") * quantity
    goods = max(cents(subtotal), floor_total)
    # The floor gives back what the last discounts took below it, so the amounts still add up.
    excess = goods - cents(subtotal)
    while excess > 0 and steps:
        promo, amount = steps.pop()
        if amount > excess:
            steps.append((promo, amount - excess))
            excess = Decimal(0)
        else:
            excess -= amount
    ship = shipping if shipping is not None else Money.zero(currency)
    discounts = tuple(Discount(rule_of(p), p.label, Money(cents(a), currency), p) for p, a in steps if a > 0)
    return PriceQuote(platform=offer.platform, quantity=quantity,
                      unit_list_price=Money(offer.price, currency), discounts=discounts,
                      shipping=ship, total=Money(goods, currency) + ship)


def best_quote(offers: Iterable[Offer], quantity: int = 1) -> tuple[Offer, PriceQuote] | None:
    """The in-stock offer with the lowest quoted total (any offer when none is in stock)."""
    offers = list(offers)
    if not offers:
        return None
    pool = [o for o in offers if o.stock > 0] or offers
    priced = [(o, quote(o, quantity)) for o in pool]
    return min(priced, key=lambda oq: (oq[1].total.amount, -oq[0].sales))


def quote_product(product: Product, platform: str | None = None, quantity: int = 1) -> tuple[Offer, PriceQuote] | None:
    """The quote of `product` on `platform` (its best offer when None); None when not offered there."""
    return best_quote([o for o in product.offers if platform is None or o.platform == platform], quantity)
