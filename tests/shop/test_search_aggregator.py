"""The search aggregator over in-memory platform twins: merge, partial results, filters, sorts,
pagination, cache, bad input."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from integrations.memory.cache import MemoryCache
from integrations.memory.marketplace import InMemoryMarketplaceConnector
from shop.catalog import Offer, Product, Promotion, PromotionKind, SearchQuery
from shop.ports import PlatformDataError, PlatformUnavailable
from shop.search import SearchAggregator

D = Decimal


def make(pid: str, title: str, title_en: str, brand: str, category: str,
         prices: dict[str, str], promos: dict[str, tuple[Promotion, ...]] | None = None,
         sales: int = 100, rating: float = 4.8, keywords: tuple[str, ...] = ()) -> Product:
    offers = [Offer(platform=p, platform_product_id=f"{p}-{pid}", price=D(v), original_price=D(v) + 100,
                    promotions=(promos or {}).get(p, ()), stock=10, sales=sales, rating=rating,
                    merchant=f"{brand}旗舰店") for p, v in prices.items()]
    return Product(id=pid, title=title, title_en=title_en, brand=brand, category=category,
                   keywords=keywords, offers=offers)


CATALOG = [
    make("p1", "华为 Mate 60 Pro 手机", "Huawei Mate 60 Pro phone", "Huawei", "phones",
         {"jd": "6499.00", "taobao": "6399.00", "pdd": "6199.00"}, sales=500, keywords=("手机",)),
    make("p2", "小米 14 手机", "Xiaomi 14 phone", "Xiaomi", "phones",
         {"jd": "3999.00", "taobao": "4099.00"}, sales=900, rating=4.6, keywords=("手机",)),
    make("p3", "苹果 iPhone 15 手机", "Apple iPhone 15 phone", "Apple", "phones",
         {"jd": "5999.00"}, promos={"jd": (Promotion(PromotionKind.FULL_REDUCTION, "满5000减600",
                                                      amount=D("600"), threshold=D("5000")),)},
         sales=800, rating=4.9, keywords=("手机", "iphone")),
    make("p4", "联想 小新 Pro 14 轻薄笔记本电脑", "Lenovo Xiaoxin Pro 14 laptop", "Lenovo", "laptops",
         {"jd": "5299.00", "pdd": "4999.00"}, keywords=("笔记本电脑", "轻薄本")),
    make("p5", "耐克 Pegasus 41 跑步鞋", "Nike Pegasus 41 running shoes", "Nike", "running_shoes",
         {"taobao": "899.00", "pdd": "799.00"}, keywords=("跑鞋", "running shoes")),
    make("p6", "华为 nova 12 手机", "Huawei nova 12 phone", "Huawei", "phones",
         {"jd": "2999.00", "pdd": "2799.00"}, sales=2000, rating=4.7, keywords=("手机",)),
]


@pytest.fixture
def platforms() -> dict[str, InMemoryMarketplaceConnector]:
    return {p: InMemoryMarketplaceConnector(p, CATALOG) for p in ("taobao", "jd", "pdd")}


@pytest.fixture
def agg(platforms) -> SearchAggregator:
    return SearchAggregator(platforms, MemoryCache(), deadline_seconds=0.3)


async def test_same_product_on_three_platforms_is_one_item_with_three_offers(agg):
    result = await agg.search(SearchQuery(product="Mate 60"))
    assert [h.product.id for h in result.items] == ["p1"]
    hit = result.items[0]
    assert sorted(o.platform for o in hit.product.offers) == ["jd", "pdd", "taobao"]
    assert hit.offer.platform == "pdd" and hit.price.total.amount == D("6199.00")


async def test_a_failing_platform_is_named_and_the_others_still_answer(agg, platforms):
    platforms["pdd"].fail_with = PlatformUnavailable("pdd: HTTP 500")
    platforms["jd"].fail_with = PlatformDataError("jd: malformed JSON")
    result = await agg.search(SearchQuery(product="手机"))
    assert result.failed_platforms == ("jd", "pdd")
    assert result.partial and {h.product.id for h in result.items} == {"p1", "p2"}  # taobao's phones
    assert all(o.platform == "taobao" for h in result.items for o in h.product.offers)


async def test_a_hung_platform_does_not_delay_results_past_the_deadline(agg, platforms):
    platforms["jd"].hang = True
    started = time.perf_counter()
    result = await agg.search(SearchQuery(product="手机"))
    elapsed = time.perf_counter() - started
    platforms["jd"].release()
    assert result.late_platforms == ("jd",)
    assert elapsed < 0.3 + 10  # the deadline cut it short: a hung platform never answers on its own
    assert {h.product.id for h in result.items} == {"p1", "p2", "p6"}


async def test_price_range_applies_to_the_effective_price(agg):
    # iPhone lists at 5999 but costs 5399 after 满5000减600
    result = await agg.search(SearchQuery(product="手机", price_max=D("5500")))
    ids = {h.product.id for h in result.items}
    assert "p3" in ids and "p1" not in ids
    iphone = next(h for h in result.items if h.product.id == "p3")
    assert iphone.price.total.amount == D("5399.00") and iphone.price.promotion_labels == ("满5000减600",)


async def test_brand_in_chinese_filters_and_platform_filter_restricts_offers(agg, platforms):
    result = await agg.search(SearchQuery(product="手机", brand="华为", platforms=("京东",)))
    assert {h.product.id for h in result.items} == {"p1", "p6"}
    assert all(o.platform == "jd" for h in result.items for o in h.product.offers)
    assert platforms["pdd"].calls == 0 and platforms["taobao"].calls == 0


async def test_brand_named_in_the_product_text_filters_too(agg):
    result = await agg.search(SearchQuery(product="华为手机"))
    assert {h.product.id for h in result.items} == {"p1", "p6"}


async def test_category_words_in_chinese_and_english(agg):
    for text in ("笔记本", "轻薄本", "laptop"):
        result = await agg.search(SearchQuery(product=text))
        assert [h.product.id for h in result.items] == ["p4"], text
    result = await agg.search(SearchQuery(product="running shoes", price_max=D("850")))
    assert [h.product.id for h in result.items] == ["p5"]
    assert result.items[0].offer.platform == "pdd"


@pytest.mark.parametrize("sort_by, expected", [
    ("price_asc", ["p6", "p2", "p3", "p1"]),
    ("price_desc", ["p1", "p3", "p2", "p6"]),
    ("sales", ["p6", "p2", "p1", "p3"]),  # sales summed over platforms: 4000, 1800, 1500, 800
    ("rating", ["p3", "p1", "p6", "p2"]),
])
async def test_sorts(agg, sort_by, expected):
    result = await agg.search(SearchQuery(product="手机", sort_by=sort_by, page_size=10))
    assert [h.product.id for h in result.items] == expected


async def test_pagination(agg):
    first = await agg.search(SearchQuery(product="手机", sort_by="price_asc", page_size=3))
    second = await agg.search(SearchQuery(product="手机", sort_by="price_asc", page_size=3, page=2))
    assert first.total == second.total == 4 and first.pages == 2
    assert [h.product.id for h in second.items] == ["p1"]
    beyond = await agg.search(SearchQuery(product="手机", page=9, page_size=3))
    assert beyond.items == [] and beyond.total == 4


async def test_cached_search_does_not_call_the_platforms_again(agg, platforms):
    q = SearchQuery(product="手机", sort_by="price_asc")
    first = await agg.search(q)
    calls = sum(c.calls for c in platforms.values())
    second = await agg.search(q)
    assert second.from_cache and not first.from_cache
    assert sum(c.calls for c in platforms.values()) == calls
    assert [h.product.id for h in second.items] == [h.product.id for h in first.items]
    assert second.items[0].price.total == first.items[0].price.total


async def test_cache_expires_and_invalidate_forgets(platforms):
    now = [0.0]
    agg = SearchAggregator(platforms, MemoryCache(clock=lambda: now[0]), cache_ttl_seconds=60)
    q = SearchQuery(product="手机")
    await agg.search(q)
    assert (await agg.search(q)).from_cache
    now[0] = 61.0
    assert not (await agg.search(q)).from_cache
    assert (await agg.search(q)).from_cache
    await agg.invalidate()
    assert not (await agg.search(q)).from_cache


async def test_partial_results_are_not_cached(agg, platforms):
    platforms["jd"].fail_with = PlatformUnavailable("down")
    await agg.search(SearchQuery(product="手机"))
    platforms["jd"].fail_with = None
    again = await agg.search(SearchQuery(product="手机"))
    assert not again.from_cache and again.failed_platforms == ()


@pytest.mark.parametrize("query, reason", [
    (SearchQuery(product="手机", platforms=("amazon",)), "unknown_platform"),
    (SearchQuery(product="手机", brand="Nokiaa"), "unknown_brand"),
    (SearchQuery(product="手机", price_max=D("-5")), "invalid_price_range"),
    (SearchQuery(product="qwertyuiop"), "no_match"),
    (SearchQuery(product="手机", category="furniture"), "no_match"),
])
async def test_bad_input_gives_a_clear_empty_result(agg, query, reason):
    result = await agg.search(query)
    assert result.items == [] and result.total == 0
    assert result.reason == reason and result.message


async def test_unknown_platform_calls_nobody(agg, platforms):
    await agg.search(SearchQuery(product="手机", platforms=("jd", "ebay")))
    assert sum(c.calls for c in platforms.values()) == 0


async def test_reversed_and_negative_ranges_are_repaired_and_noted(agg):
    swapped = await agg.search(SearchQuery(product="手机", price_min=D("4500"), price_max=D("3000")))
    assert "price_range_swapped" in swapped.notes
    assert {h.product.id for h in swapped.items} == {"p2"}  # 3999 within 3000..4500
    negative = await agg.search(SearchQuery(product="手机", price_min=D("-100"), price_max=D("3000")))
    assert "negative_price_min_ignored" in negative.notes
    assert {h.product.id for h in negative.items} == {"p6"}


async def test_a_thousand_character_query_is_answered(agg):
    result = await agg.search(SearchQuery(product="手机" + "好" * 998))
    assert "query_truncated" in result.notes
    assert result.total >= 0


async def test_get_product_merges_every_platform_and_get_prices(agg):
    await agg.search(SearchQuery(product="Mate 60"))
    product = await agg.get_product("p1")
    assert product is not None and len(product.offers) == 3
    assert await agg.get_product("p404") is None
    prices = await agg.get_prices(["p1", "p2", "p404"])
    assert prices["p1"] == {"jd": D("6499.00"), "taobao": D("6399.00"), "pdd": D("6199.00")}
    assert set(prices) == {"p1", "p2"}
    offer, price = await agg.best_offer("p3")
    assert offer.platform == "jd" and price.total.amount == D("5399.00")


async def test_get_product_when_every_platform_is_down_raises(agg, platforms):
    for c in platforms.values():
        c.fail_with = PlatformUnavailable("down")
    with pytest.raises(PlatformUnavailable):
        await agg.get_product("p1")


async def test_every_platform_down_says_so(agg, platforms):
    for c in platforms.values():
        c.fail_with = PlatformUnavailable("down")
    result = await agg.search(SearchQuery(product="手机"))
    assert result.reason == "platforms_unavailable" and result.failed_platforms == ("jd", "pdd", "taobao")


class RecordingHistory:
    def __init__(self) -> None:
        self.points: list = []

    async def record_many(self, points) -> None:
        self.points.extend(points)


async def test_every_offer_price_seen_is_recorded(platforms):
    history = RecordingHistory()
    agg = SearchAggregator(platforms, MemoryCache(), price_recorder=history)
    await agg.search(SearchQuery(product="Mate 60"))
    await agg.drain()
    assert {(p.product_id, p.platform, p.price) for p in history.points} >= {
        ("p1", "jd", D("6499.00")), ("p1", "taobao", D("6399.00")), ("p1", "pdd", D("6199.00"))}
    assert all(p.platform_product_id == f"{p.platform}-{p.product_id}" for p in history.points)
    seen = len(history.points)
    await agg.search(SearchQuery(product="Mate 60"))  # from the cache: nothing new seen
    await agg.drain()
    assert len(history.points) == seen


async def test_another_workers_invalidate_shows_within_a_second(platforms):
    now = [0.0]
    shared = MemoryCache(clock=lambda: now[0])
    worker_a = SearchAggregator(platforms, shared, clock=lambda: now[0])
    worker_b = SearchAggregator(platforms, shared, clock=lambda: now[0])
    q = SearchQuery(product="手机")
    await worker_b.search(q)
    assert (await worker_b.search(q)).from_cache
    await worker_a.invalidate()
    now[0] = 1.0
    assert not (await worker_b.search(q)).from_cache


async def test_another_sort_of_the_same_search_comes_from_the_cache_in_its_own_order(agg, platforms):
    fresh = SearchAggregator(platforms, None)  # no cache: every order computed from the platforms
    await agg.search(SearchQuery(product="手机"))
    calls = sum(c.calls for c in platforms.values())
    for sort_by in ("price_asc", "price_desc", "sales", "rating", None):
        q = SearchQuery(product="手机", sort_by=sort_by, page_size=2, page=2)
        cached, direct = await agg.search(q), await fresh.search(q)
        assert cached.from_cache and not direct.from_cache
        assert [h.product.id for h in cached.items] == [h.product.id for h in direct.items], sort_by
        assert [h.price.total.amount for h in cached.items] == [h.price.total.amount for h in direct.items]
    assert sum(c.calls for c in platforms.values()) == calls + 5 * len(platforms)  # only `fresh` asked
    prices = [h.price.total.amount for h in (await agg.search(SearchQuery(product="手机", sort_by="price_asc",
                                                                    page_size=50))).items]
    assert prices == sorted(prices) and len(prices) > 2


async def test_a_poor_merchants_offer_ranks_lower(platforms):
    class Scores:
        async def refresh(self, force: bool = False) -> None:
            return None

        def score(self, merchant: str) -> int | None:
            return 20 if merchant == "Huawei旗舰店" else 80

    plain = SearchAggregator(platforms, None, deadline_seconds=5)
    scored = SearchAggregator(platforms, None, deadline_seconds=5)
    scored.merchant_scores = Scores()
    query = SearchQuery(product="手机", page_size=10)
    before = [h.product.brand for h in (await plain.search(query)).items]
    after = [h.product.brand for h in (await scored.search(query)).items]
    assert sorted(before) == sorted(after)  # lower, not gone
    assert before[0] == "Huawei" and after[-2:] == ["Huawei", "Huawei"]
