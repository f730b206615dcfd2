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

import functools
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


def quote(offer: Offer, quantity: int = 1, *, shipping: Money | None = None, items_only: bool = False) -> PriceQuote:
    """The best price for `quantity` items of `offer`, with the discounts that give it.

    `items_only` stops after the item promotions (直降, 多件折): the cart applies the store's
    满减 and coupons on all its lines of one store together (`quote_cart`)."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    # the price's exponent is part of the key: 149 == 149.00, but the quote shows the offer's own
    return _quote(offer, quantity, shipping, items_only, offer.price.as_tuple().exponent)


@functools.lru_cache(maxsize=4096)
def _quote(offer: Offer, quantity: int, shipping: Money | None, items_only: bool, _exponent: object) -> PriceQuote:
    # memoised: a quote is a pure function of the (immutable) offer, and a search prices the
    # same offers again and again (every offer of every candidate, each time it is searched)
    currency = offer.currency
    promos = offer.promotions
    if not promos:  # half the offers: the list price, floored at a fen an item, plus shipping
        ship = shipping if shipping is not None else Money.zero(currency)
        goods = max(cents(offer.price * quantity), Decimal("0.01") * quantity)
        return PriceQuote(platform=offer.platform, quantity=quantity, unit_list_price=Money(offer.price, currency),
                          discounts=(), shipping=ship, total=Money(goods, currency) + ship)
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
                  if p.kind is PromotionKind.FULL_REDUCTION and not items_only]
    reductions = [(p, s) for p, s in reductions if s > 0]
    if reductions:
        best, saving = max(reductions, key=lambda ps: ps[1])
        subtotal -= saving
        steps.append((best, saving))

    coupons = [p for p in promos if p.kind is PromotionKind.COUPON
               and p.amount > 0 and subtotal >= p.threshold and not items_only]
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


# -- the cart: store promotions on several lines together -------------------------------------


@dataclass(frozen=True)
class CartItem:
    """One cart line to price: `quantity` items of `offer`; `key` is the caller's id for it."""

    offer: Offer
    quantity: int
    key: str = ""


@dataclass(frozen=True)
class StoreQuote:
    """The lines of one store (platform and merchant) priced together: each line's item
    promotions (直降, 多件折), then the store's 满减 / 跨店满减 (its share) and coupon, once for
    the store however many lines reach them. `line_totals` add up to `goods_total`."""

    platform: str
    merchant: str
    items: tuple[CartItem, ...]
    item_quotes: tuple[PriceQuote, ...]  # each line with its item promotions only
    discounts: tuple[Discount, ...]  # the store's share of 满减 / 跨店满减, and its coupon
    line_totals: tuple[Money, ...]  # each line after its share of the store's discounts
    currency: str = "CNY"

    @property
    def list_total(self) -> Money:
        return sum((q.list_total for q in self.item_quotes), Money.zero(self.currency))

    @property
    def goods_total(self) -> Money:
        return sum(self.line_totals, Money.zero(self.currency))

    @property
    def savings(self) -> Money:
        return self.list_total - self.goods_total

    def line_savings(self, index: int) -> Money:
        return self.item_quotes[index].list_total - self.line_totals[index]


@dataclass(frozen=True)
class CartQuote:
    stores: tuple[StoreQuote, ...]
    currency: str = "CNY"

    @property
    def total(self) -> Money:
        return sum((s.goods_total for s in self.stores), Money.zero(self.currency))

    @property
    def savings(self) -> Money:
        return sum((s.savings for s in self.stores), Money.zero(self.currency))


def store_of(offer: Offer) -> tuple[str, str]:
    """The store an offer is sold by: (platform, merchant); the platform itself when unnamed."""
    return offer.platform, offer.merchant or offer.platform


def _share(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`amount` shared in proportion to `weights`, in cents, the last taking the remainder."""
    whole = sum(weights, Decimal(0))
    if whole <= 0:
        return [Decimal(0)] * len(weights)
    shares = [cents(amount * w / whole) for w in weights]
    shares[-1] = amount - sum(shares[:-1], Decimal(0))
    return shares


Plan = list[tuple[Promotion, list[int], Decimal]]  # (promotion, the lines it counts, saving)


def _best_reduction(promos: Iterable[Promotion], idxs: list[int], goods: list[Decimal],
                    offers: list[Offer]) -> tuple[Promotion, list[int], Decimal] | None:
    best: tuple[Promotion, list[int], Decimal] | None = None
    for promo in promos:
        carrying = [i for i in idxs if promo in offers[i].promotions]
        saving = _full_reduction_saving(promo, sum((goods[i] for i in carrying), Decimal(0)))
        if saving > 0 and (best is None or saving > best[2]):
            best = (promo, carrying, saving)
    return best


def _store_reductions(idxs: list[int], goods: list[Decimal], offers: list[Offer], merchants: list[str]) -> Plan:
    plan: Plan = []
    for merchant in dict.fromkeys(merchants[i] for i in idxs):
        mine = [i for i in idxs if merchants[i] == merchant]
        promos = dict.fromkeys(p for i in mine for p in offers[i].promotions if p.kind is PromotionKind.FULL_REDUCTION)
        found = _best_reduction(promos, mine, goods, offers)
        if found is not None:
            plan.append(found)
    return plan


def reduction_plan(idxs: list[int], goods: list[Decimal], offers: list[Offer], merchants: list[str]) -> Plan:
    """The 满减 of one platform's lines (`goods`: each line after its item promotions): each
    store's best 满减 on its lines together, or a 跨店满减 on every line of the platform that
    carries it (the other lines keeping their store's 满减) — whichever saves most. As in
    `quote`, a line counts toward one reduction only."""
    best = _store_reductions(idxs, goods, offers, merchants)
    best_saving = sum((s for _, _, s in best), Decimal(0))
    crosses = dict.fromkeys(p for i in idxs for p in offers[i].promotions if rule_of(p) is DiscountRule.CROSS_STORE)
    for cross in crosses:
        found = _best_reduction([cross], idxs, goods, offers)
        if found is None:
            continue
        rest = [i for i in idxs if i not in found[1]]
        plan = [found, *_store_reductions(rest, goods, offers, merchants)]
        saving = sum((s for _, _, s in plan), Decimal(0))
        if saving > best_saving:
            best, best_saving = plan, saving
    return best


def quote_cart(items: Iterable[CartItem], currency: str = "CNY") -> CartQuote:
    """The price of a cart, store by store (see `StoreQuote`); one line alone costs what
    `quote` says for it."""
    items = list(items)
    offers = [it.offer for it in items]
    merchants = [store_of(o)[1] for o in offers]
    item_quotes = [quote(it.offer, it.quantity, items_only=True) for it in items]
    goods = [q.goods_total.amount for q in item_quotes]
    taken: list[dict[Promotion, Decimal]] = [{} for _ in items]
    for platform in dict.fromkeys(o.platform for o in offers):
        idxs = [i for i, o in enumerate(offers) if o.platform == platform]
        for promo, carrying, saving in reduction_plan(idxs, goods, offers, merchants):
            for i, part in zip(carrying, _share(saving, [goods[i] for i in carrying]), strict=True):
                taken[i][promo] = taken[i].get(promo, Decimal(0)) + part
    after = [goods[i] - sum(taken[i].values(), Decimal(0)) for i in range(len(items))]
    for store in dict.fromkeys(store_of(o) for o in offers):
        mine = [i for i, o in enumerate(offers) if store_of(o) == store]
        coupons = dict.fromkeys(p for i in mine for p in offers[i].promotions
                                if p.kind is PromotionKind.COUPON and p.amount > 0)
        best: tuple[Promotion, list[int]] | None = None
        for coupon in coupons:
            carrying = [i for i in mine if coupon in offers[i].promotions]
            if sum((after[i] for i in carrying), Decimal(0)) >= coupon.threshold and (
                    best is None or coupon.amount > best[0].amount):
                best = (coupon, carrying)
        if best is not None:
            for i, part in zip(best[1], _share(best[0].amount, [after[i] for i in best[1]]), strict=True):
                taken[i][best[0]] = taken[i].get(best[0], Decimal(0)) + part
                after[i] -= part
    for i, it in enumerate(items):  # never below ¥0.01 an item: the last discounts give back the difference
        excess = Decimal("0.01") * it.quantity - after[i]
        for promo in reversed(list(taken[i])):
            if excess <= 0:
                break
            back = min(excess, taken[i][promo])
            taken[i][promo] -= back
            after[i] += back
            excess -= back
    stores: list[StoreQuote] = []
    for platform, merchant in dict.fromkeys(store_of(o) for o in offers):
        mine = [i for i, o in enumerate(offers) if store_of(o) == (platform, merchant)]
        amounts: dict[Promotion, Decimal] = {}
        for i in mine:
            for promo, amount in taken[i].items():
                amounts[promo] = amounts.get(promo, Decimal(0)) + amount
        discounts = tuple(Discount(rule_of(p), p.label, Money(cents(a), currency), p) for p, a in amounts.items() if a > 0)
        stores.append(StoreQuote(platform, merchant, tuple(items[i] for i in mine), tuple(item_quotes[i] for i in mine),
                                 discounts, tuple(Money(cents(after[i]), currency) for i in mine), currency))
    return CartQuote(tuple(stores), currency)
