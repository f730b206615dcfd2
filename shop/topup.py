"""凑单: how much more a store's lines need to reach the next 满减, and what to add to get there.

`top_up_hints` looks at every 满减 / 每满减 / 跨店满减 a store's lines carry: the next threshold
their amount does not reach yet, the saving reaching it would really add to the cart (the cart
is priced again with that much more, so a reduction the store already gets from another
promotion is not promised twice), and the add-ons that reach it at the lowest cost — an exact
search over the candidates (one more of a line already in the cart, or another offer carrying
the promotion), up to `MAX_PICKS` different items: the cheapest combination whose price reaches
the gap, the fewest items among equals. A hint is given only when the gap is small: less than
half the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from shop.catalog import Offer, Promotion, PromotionKind
from shop.money import Money
from shop.pricing import CartItem, DiscountRule, quote, quote_cart, rule_of, store_of

MAX_PICKS = 3
MAX_CANDIDATES = 60


@dataclass(frozen=True)
class AddOn:
    """Something the shopper could add: one item of `offer` (`in_cart`: one more of a cart line)."""

    product_id: str
    title: str
    offer: Offer
    in_cart: bool = False

    @property
    def price(self) -> Decimal:
        return quote(self.offer, 1, items_only=True).goods_total.amount


@dataclass(frozen=True)
class TopUpHint:
    platform: str
    merchant: str
    promotion: Promotion
    short: Money  # how much more to spend on lines carrying the promotion
    saving: Money  # what reaching it takes off the cart in addition
    add_ons: tuple[AddOn, ...]  # the cheapest combination that reaches it; () when none does


def _base(items: Sequence[CartItem], promo: Promotion, platform: str, merchant: str) -> Decimal:
    cross = rule_of(promo) is DiscountRule.CROSS_STORE
    return sum((quote(it.offer, it.quantity, items_only=True).goods_total.amount for it in items
                if promo in it.offer.promotions and it.offer.platform == platform
                and (cross or store_of(it.offer)[1] == merchant)), Decimal(0))


def _next_threshold(promo: Promotion, base: Decimal) -> Decimal | None:
    if promo.threshold <= 0:
        return None
    if not promo.stackable:
        return promo.threshold if base < promo.threshold else None
    times = (base / promo.threshold).to_integral_value(ROUND_FLOOR)
    return promo.threshold * (times + 1)


def cheapest_reaching(gap: Decimal, candidates: Sequence[tuple[Decimal, int]], max_picks: int = MAX_PICKS) -> list[int]:
    """Exact search: the indexes of at most `max_picks` different candidates ((price, index))
    whose prices add up to at least `gap` at the lowest sum (the fewest items among equals);
    [] when none reaches it."""
    pool = sorted((c for c in candidates if c[0] > 0), key=lambda c: c[0])
    best: tuple[Decimal, int, list[int]] | None = None

    def walk(start: int, total: Decimal, picked: list[int]) -> None:
        nonlocal best
        if total >= gap:
            if best is None or (total, len(picked)) < (best[0], best[1]):
                best = (total, len(picked), list(picked))
            return
        if len(picked) == max_picks:
            return
        for k in range(start, len(pool)):
            price, index = pool[k]
            if best is not None and total + price > best[0]:
                break  # prices only grow from here: nothing after this one does better
            picked.append(index)
            walk(k + 1, total + price, picked)
            picked.pop()
            if total + price >= gap:
                break  # a dearer one at this place reaches it too, at a higher sum

    walk(0, Decimal(0), [])
    return best[2] if best is not None else []


def top_up_hints(items: Sequence[CartItem], candidates: Sequence[AddOn] = (),
                 currency: str = "CNY") -> dict[tuple[str, str], TopUpHint]:
    """The 凑单 hint of each store of the cart ((platform, merchant) → hint) that has one."""
    items = list(items)
    if not items:
        return {}
    before = quote_cart(items, currency).total.amount
    hints: dict[tuple[str, str], TopUpHint] = {}
    for store in dict.fromkeys(store_of(it.offer) for it in items):
        platform, merchant = store
        promos = dict.fromkeys(p for it in items if store_of(it.offer) == store for p in it.offer.promotions
                               if p.kind is PromotionKind.FULL_REDUCTION)
        found: TopUpHint | None = None
        for promo in promos:
            base = _base(items, promo, platform, merchant)
            target = _next_threshold(promo, base)
            if target is None:
                continue
            short = target - base
            if short * 2 >= promo.threshold:
                continue  # not a small add-on
            filler = Offer(platform, "", short, short, currency, (promo,), stock=1, merchant=merchant)
            after = quote_cart([*items, CartItem(filler, 1)], currency).total.amount
            extra = short - (after - before)
            if extra <= 0 or (found is not None and short >= found.short.amount):
                continue
            cross = rule_of(promo) is DiscountRule.CROSS_STORE
            eligible = [c for c in candidates if promo in c.offer.promotions and c.offer.platform == platform
                        and (cross or store_of(c.offer)[1] == merchant)][:MAX_CANDIDATES]
            picks = cheapest_reaching(short, [(c.price, i) for i, c in enumerate(eligible)])
            found = TopUpHint(platform, merchant, promo, Money(short, currency), Money(extra, currency),
                              tuple(eligible[i] for i in picks))
        if found is not None:
            hints[store] = found
    return hints


def cart_add_ons(items: Sequence[CartItem], titles: Sequence[str], product_ids: Sequence[str]) -> list[AddOn]:
    """One more of each cart line, as add-on candidates."""
    return [AddOn(pid, title, it.offer, in_cart=True) for it, title, pid in zip(items, titles, product_ids, strict=True)
            if it.offer.stock > it.quantity]
