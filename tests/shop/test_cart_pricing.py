"""A cart priced store by store (shop.pricing.quote_cart) and its 凑单 hints (shop.topup)."""

from __future__ import annotations

import random
from decimal import Decimal

from shop.catalog import Offer, Promotion, PromotionKind
from shop.pricing import CartItem, quote, quote_cart
from shop.topup import AddOn, cheapest_reaching, top_up_hints

D = Decimal


def full(threshold: str, amount: str, stackable: bool = False, cross: bool = False) -> Promotion:
    label = f"{'跨店' if cross else ''}{'每' if stackable else ''}满{threshold}减{amount}"
    return Promotion(PromotionKind.FULL_REDUCTION, label, amount=D(amount), threshold=D(threshold), stackable=stackable)


def coupon(amount: str, threshold: str = "0") -> Promotion:
    return Promotion(PromotionKind.COUPON, f"{amount}元券", amount=D(amount), threshold=D(threshold))


def offer(price: str, *promos: Promotion, platform: str = "jd", merchant: str = "A", pid: str = "1") -> Offer:
    return Offer(platform=platform, platform_product_id=pid, price=D(price), original_price=D(price),
                 promotions=promos, stock=10, merchant=merchant)


def test_two_lines_of_one_store_share_one_full_reduction_instead_of_taking_it_twice():
    fr = full("300", "50")
    a, b = offer("350", fr, pid="a"), offer("320", fr, pid="b")
    per_line = quote(a).total.amount + quote(b).total.amount  # what the cart used to say: 50 off each
    cart = quote_cart([CartItem(a, 1, "a"), CartItem(b, 1, "b")])
    assert per_line == D("570.00")
    assert cart.total.amount == D("620.00") and cart.savings.amount == D("50.00")
    (store,) = cart.stores
    assert [d.label_zh for d in store.discounts] == ["满300减50"]
    assert sum(t.amount for t in store.line_totals) == D("620.00")


def test_lines_below_the_threshold_alone_reach_it_together():
    fr = full("300", "50")
    cart = quote_cart([CartItem(offer("200", fr, pid="a"), 1), CartItem(offer("150", fr, pid="b"), 1)])
    assert cart.total.amount == D("300.00")


def test_cross_store_reduction_counts_every_store_of_the_platform_and_each_store_is_its_own_group():
    cross = full("300", "50", stackable=True, cross=True)
    a = offer("200", cross, platform="taobao", merchant="A", pid="a")
    b = offer("250", cross, platform="taobao", merchant="B", pid="b")
    c = offer("100", platform="jd", merchant="C", pid="c")
    cart = quote_cart([CartItem(a, 1), CartItem(b, 1), CartItem(c, 1)])
    assert [(s.platform, s.merchant) for s in cart.stores] == [("taobao", "A"), ("taobao", "B"), ("jd", "C")]
    assert cart.total.amount == D("500.00")  # 450 reaches 300 once: 50 off, shared by A and B
    assert sum(s.savings.amount for s in cart.stores[:2]) == D("50.00")


def test_a_store_coupon_is_used_once_for_the_store():
    cpn = coupon("20", "100")
    cart = quote_cart([CartItem(offer("80", cpn, pid="a"), 1), CartItem(offer("60", cpn, pid="b"), 1)])
    assert cart.total.amount == D("120.00")


def test_one_line_alone_costs_what_the_cards_say_for_every_demo_shape_of_offer():
    rng = random.Random(7)
    shapes = [full("300", "40"), full("299", "30", stackable=True), full("300", "50", True, True),
              coupon("10"), coupon("30", "500"),
              Promotion(PromotionKind.DIRECT_DISCOUNT, "直降20元", amount=D("20")),
              Promotion(PromotionKind.MULTI_ITEM, "2件9折", rate=D("0.9"), min_quantity=2)]
    for _ in range(300):
        promos = tuple(rng.sample(shapes, rng.randint(0, 4)))
        o = offer(f"{rng.randint(1, 9000)}.{rng.randint(0, 99):02d}", *promos)
        n = rng.randint(1, 5)
        assert quote_cart([CartItem(o, n)]).total == quote(o, n).total


def test_the_hint_says_how_much_more_reaches_the_next_threshold_with_the_cheapest_add_ons():
    fr = full("300", "50")
    cart = [CartItem(offer("200", fr, pid="a"), 1), CartItem(offer("77", fr, pid="b"), 1)]
    candidates = [AddOn(n, n, offer(p, fr, pid=n)) for n, p in (("x", "25"), ("y", "30"), ("z", "12"), ("w", "11"))]
    (hint,) = top_up_hints(cart, candidates).values()
    assert (hint.platform, hint.merchant) == ("jd", "A")
    assert hint.short.amount == D("23") and hint.saving.amount == D("50")
    assert sorted(a.product_id for a in hint.add_ons) == ["w", "z"]  # 11 + 12 = 23, cheaper than 25


def test_no_hint_when_the_gap_is_not_small_or_the_store_already_saves_it():
    fr = full("300", "50")
    assert top_up_hints([CartItem(offer("100", fr), 1)]) == {}  # ¥200 more is not a small add-on
    assert top_up_hints([CartItem(offer("310", fr), 1)]) == {}  # reached; not per threshold


def test_add_ons_must_carry_the_promotion_in_the_same_store():
    fr = full("300", "50")
    other = [AddOn("o", "o", offer("30", fr, merchant="B", pid="o")), AddOn("n", "n", offer("30", pid="n"))]
    (hint,) = top_up_hints([CartItem(offer("280", fr), 1)], other).values()
    assert hint.add_ons == ()


def test_exact_search_finds_the_cheapest_combination_of_at_most_three():
    prices = [(D(p), i) for i, p in enumerate(["5", "6", "12", "7", "40"])]
    assert sorted(cheapest_reaching(D("23"), prices)) == [0, 1, 2]  # 23 exactly
    assert cheapest_reaching(D("100"), prices) == []
    assert cheapest_reaching(D("39"), prices) == [4]  # one item beats 12 + 7 + 6 + … (at most three)
