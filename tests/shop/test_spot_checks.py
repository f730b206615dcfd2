"""How spot checks pick: riskier merchants and products are sampled more often."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from shop.spot_checks import ListedProduct, MerchantSignals, merchant_risk, product_risk, weighted_sample

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def test_new_merchants_complaints_and_failed_checks_weigh_more():
    plain = merchant_risk(MerchantSignals(approved_at=NOW - timedelta(days=400)), NOW)
    assert merchant_risk(MerchantSignals(approved_at=NOW - timedelta(days=3)), NOW) > plain
    assert merchant_risk(MerchantSignals(complaints=2), NOW) > plain
    assert merchant_risk(MerchantSignals(average_rating=2.5), NOW) > plain
    assert merchant_risk(MerchantSignals(failed_checks=1), NOW) > plain


def test_regulated_and_low_rated_products_weigh_more():
    phone = ListedProduct("m", "jd", "p1", "1", "手机", "phones", 4.8)
    assert product_risk(ListedProduct("m", "jd", "p2", "2", "饼干", "biscuits", 4.8)) > product_risk(phone)
    assert product_risk(ListedProduct("m", "jd", "p3", "3", "手机", "phones", 3.1)) > product_risk(phone)


def test_sampling_follows_the_weights_and_never_repeats():
    rng = random.Random(7)
    picks = [weighted_sample(["calm", "risky"], [1.0, 9.0], 1, rng)[0] for _ in range(2000)]
    assert 0.85 < picks.count("risky") / len(picks) < 0.95
    assert sorted(weighted_sample(["a", "b", "c"], [1, 1, 1], 5, rng)) == ["a", "b", "c"]
    assert weighted_sample(["a", "b"], [0, 1], 2, rng) == ["b"]
