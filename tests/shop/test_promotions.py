"""Effective price: what the shopper pays after the best promotions, and why."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop.catalog import Offer, Promotion, PromotionKind
from shop.promotions import best_offer, effective_price

D = Decimal


def offer(price: str, *promos: Promotion, platform: str = "jd", stock: int = 10, sales: int = 0) -> Offer:
    return Offer(platform=platform, platform_product_id="1", price=D(price), original_price=D(price),
                 promotions=promos, stock=stock, sales=sales)


def full(threshold: str, amount: str, stackable: bool = False) -> Promotion:
    label = f"{'每' if stackable else ''}满{threshold}减{amount}"
    return Promotion(PromotionKind.FULL_REDUCTION, label, amount=D(amount), threshold=D(threshold), stackable=stackable)


def coupon(amount: str, threshold: str = "0") -> Promotion:
    return Promotion(PromotionKind.COUPON, f"{amount}元券", amount=D(amount), threshold=D(threshold))


def direct(amount: str) -> Promotion:
    return Promotion(PromotionKind.DIRECT_DISCOUNT, f"直降{amount}元", amount=D(amount))


def multi(rate: str, n: int) -> Promotion:
    return Promotion(PromotionKind.MULTI_ITEM, f"{n}件{rate}折", rate=D(rate), min_quantity=n)


def test_no_promotion_is_the_list_price():
    p = effective_price(offer("99.90"))
    assert p.total == D("99.90") and p.savings == 0 and p.explanation == ""


def test_full_reduction_and_coupon_stack_with_explanation():
    p = effective_price(offer("320.00", full("300", "40"), coupon("10")))
    assert p.total == D("270.00")
    assert p.savings == D("50.00")
    assert p.explanation == "满300减40 + 10元券"


def test_full_reduction_needs_the_threshold_but_quantity_can_reach_it():
    o = offer("200.00", full("300", "40"))
    assert effective_price(o, 1).total == D("200.00")
    two = effective_price(o, 2)
    assert two.total == D("360.00") and two.unit_price == D("180.00")


def test_stackable_full_reduction_counts_each_threshold():
    p = effective_price(offer("650.00", full("300", "50", stackable=True)))
    assert p.total == D("550.00")  # two times 300 reached


def test_best_of_each_kind_is_chosen():
    p = effective_price(offer("1000.00", full("500", "30"), full("1000", "100"), coupon("20"), coupon("50")))
    assert p.total == D("850.00")
    assert p.explanation == "满1000减100 + 50元券"


def test_coupon_threshold_is_checked_after_reductions():
    # 310 - 40 = 270 < 300: the 满300 coupon no longer applies
    p = effective_price(offer("310.00", full("300", "40"), coupon("30", threshold="300")))
    assert p.total == D("270.00")


def test_direct_discount_then_multi_item_rate():
    o = offer("100.00", direct("10"), multi("0.9", 2))
    assert effective_price(o, 1).total == D("90.00")
    assert effective_price(o, 2).total == D("162.00")  # (100-10)*2*0.9
    assert effective_price(o, 2).explanation == "直降10元 + 2件0.9折"


def test_price_never_drops_below_a_cent_per_item():
    p = effective_price(offer("5.00", coupon("20")))
    assert p.total == D("0.01")


def test_quantity_must_be_positive():
    with pytest.raises(ValueError):
        effective_price(offer("1.00"), 0)


def test_best_offer_prefers_the_cheapest_after_promotions_and_in_stock():
    a = offer("5999.00", platform="jd")
    b = offer("6099.00", full("3000", "300"), platform="taobao")  # 5799 after 满减
    c = offer("5000.00", platform="pdd", stock=0)
    chosen, price = best_offer([a, b, c])
    assert chosen.platform == "taobao" and price.total == D("5799.00")
    assert best_offer([]) is None
