"""One price: what the shopper pays after the best promotions, and why (shop.pricing.quote)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop.catalog import Offer, Promotion, PromotionKind
from shop.money import Money
from shop.pricing import DiscountRule, best_quote, quote

D = Decimal


def M(amount: str) -> Money:
    return Money(D(amount))


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
    p = quote(offer("99.90"))
    assert p.total == M("99.90") and not p.savings and p.promotion_labels == ()


def test_full_reduction_and_coupon_stack_with_explanation():
    p = quote(offer("320.00", full("300", "40"), coupon("10")))
    assert p.total == M("270.00")
    assert p.savings == M("50.00")
    assert p.promotion_labels == ('满300减40', '10元券',)


def test_full_reduction_needs_the_threshold_but_quantity_can_reach_it():
    o = offer("200.00", full("300", "40"))
    assert quote(o, 1).total == M("200.00")
    two = quote(o, 2)
    assert two.total == M("360.00") and two.unit_price == M("180.00")


def test_stackable_full_reduction_counts_each_threshold():
    p = quote(offer("650.00", full("300", "50", stackable=True)))
    assert p.total == M("550.00")  # two times 300 reached


def test_best_of_each_kind_is_chosen():
    p = quote(offer("1000.00", full("500", "30"), full("1000", "100"), coupon("20"), coupon("50")))
    assert p.total == M("850.00")
    assert p.promotion_labels == ('满1000减100', '50元券',)


def test_coupon_threshold_is_checked_after_reductions():
    # 310 - 40 = 270 < 300: the 满300 coupon no longer applies
    p = quote(offer("310.00", full("300", "40"), coupon("30", threshold="300")))
    assert p.total == M("270.00")


def test_direct_discount_then_multi_item_rate():
    o = offer("100.00", direct("10"), multi("0.9", 2))
    assert quote(o, 1).total == M("90.00")
    assert quote(o, 2).total == M("162.00")  # (100-10)*2*0.9
    assert quote(o, 2).promotion_labels == ('直降10元', '2件0.9折',)


def test_price_never_drops_below_a_cent_per_item():
    p = quote(offer("5.00", coupon("20")))
    assert p.total == M("0.01")


def test_quantity_must_be_positive():
    with pytest.raises(ValueError):
        quote(offer("1.00"), 0)


def test_best_offer_prefers_the_cheapest_after_promotions_and_in_stock():
    a = offer("5999.00", platform="jd")
    b = offer("6099.00", full("3000", "300"), platform="taobao")  # 5799 after 满减
    c = offer("5000.00", platform="pdd", stock=0)
    chosen, price = best_quote([a, b, c])
    assert chosen.platform == "taobao" and price.total == M("5799.00")
    assert best_quote([]) is None


def test_each_discount_names_its_rule_and_the_amounts_add_up_to_the_total():
    cross = Promotion(PromotionKind.FULL_REDUCTION, "跨店每满300减50", amount=D("50"), threshold=D("300"),
                      stackable=True)
    subsidy = Promotion(PromotionKind.DIRECT_DISCOUNT, "百亿补贴直降20元", amount=D("20"))
    q = quote(offer("339.90", subsidy, cross, coupon("10")), 3)
    # (339.90 - 20) x 3 = 959.70; 3 x 300 reached: -150 → 809.70; coupon -10 → 799.70
    assert [(d.rule, d.amount) for d in q.discounts] == [
        (DiscountRule.SUBSIDY, M("60.00")), (DiscountRule.CROSS_STORE, M("150.00")), (DiscountRule.COUPON, M("10.00"))]
    assert q.total == M("799.70") and q.unit_price == M("266.57")
    assert q.list_total - q.savings + q.shipping == q.total


def test_per_threshold_and_plain_full_reductions_and_direct_discounts_have_their_rules():
    q = quote(offer("650.00", full("300", "50", stackable=True), direct("5")))
    assert [d.rule for d in q.discounts] == [DiscountRule.DIRECT, DiscountRule.PER_FULL_REDUCTION]
    assert quote(offer("650.00", full("300", "50"))).discounts[0].rule is DiscountRule.FULL_REDUCTION


def test_the_cent_floor_gives_back_what_the_coupon_took_below_it():
    q = quote(offer("5.00", coupon("20")), 2)
    assert q.total == M("0.02") and q.savings == M("9.98")
    assert q.list_total - q.savings == q.total


def test_shipping_is_added_after_the_discounts():
    q = quote(offer("320.00", full("300", "40")), shipping=M("8.00"))
    assert q.total == M("288.00") and q.goods_total == M("280.00") and q.unit_price == M("280.00")


def test_money_rounds_half_up_and_keeps_its_currency():
    assert Money(D("0.125")).rounded() == M("0.13") and Money(D("2.675")).rounded() == M("2.68")
    assert str(Money(D("5219"))) == "5219.00"
    with pytest.raises(ValueError):
        Money(D("1"), "CNY") + Money(D("1"), "USD")
    with pytest.raises(TypeError):
        Money.of(1.5)  # type: ignore[arg-type]
