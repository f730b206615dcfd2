"""The demo connector: validation of platform data, errors, retries, circuit breaker, timeout."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import httpx
import pytest

from integrations.marketplaces.demo.connector import DemoMarketplaceConnector
from integrations.marketplaces.demo.factory import build_demo_marketplace
from integrations.marketplaces.demo.parse import parse_sales_tip
from integrations.marketplaces.demo.server import DemoPlatformServer
from integrations.marketplaces.demo.store import PlatformStore, load_catalog
from integrations.marketplaces.resilience import CircuitBreaker
from shop.catalog import SearchQuery
from shop.ports import PlatformDataError, PlatformOrderLine, PlatformOrderRequest, PlatformUnavailable
from shop.search import SearchAggregator


def jd_sku(sku_id: int, price, market=None, **extra) -> dict:
    item = {"skuId": sku_id, "outerId": f"p{sku_id:04d}", "skuName": f"商品{sku_id}", "skuNameEn": f"item {sku_id}",
            "brandName": "Huawei", "categoryName": "phones", "priceFen": price, "stockNum": 5,
            "salesVolume": 10, "goodRate": 98, "shopName": "店", "promotionList": []}
    if market is not None:
        item["marketPriceFen"] = market
    item.update(extra)
    return item


def mock_jd(skus: list[dict], counter: list[int] | None = None) -> DemoMarketplaceConnector:
    def handler(request: httpx.Request) -> httpx.Response:
        if counter is not None:
            counter.append(1)
        return httpx.Response(200, json={"code": 0, "message": "success",
                                         "result": {"totalCount": len(skus), "skuList": skus}})
    return DemoMarketplaceConnector("jd", "http://jd.test", transport=httpx.MockTransport(handler))


async def test_bad_prices_never_reach_the_shopper():
    connector = mock_jd([
        jd_sku(1, 599900, 649900),                # fine
        jd_sku(2, -100),                          # negative
        jd_sku(3, None),                          # missing
        jd_sku(4, "12.5"),                        # a string where fen integers are due
        jd_sku(5, 10**12),                        # absurd (10 billion yuan)
        jd_sku(6, 0),                             # zero
        jd_sku(7, 199900, 99900),                 # original below price: corrected
        jd_sku(8, 10000, promotionList=[{"promoType": 1, "desc": "满100减500", "quotaFen": 10000, "discountFen": 50000},
                                        {"promoType": 2, "desc": "5元券", "quotaFen": 0, "discountFen": 500},
                                        {"promoType": 4, "desc": "2件0折", "rebate": 0, "minNum": 2},
                                        {"promoType": 2, "desc": "负券", "discountFen": -500},
                                        "garbage"]),
        {"skuName": "no id", "priceFen": 100},
        "not a dict",
    ])
    products = {p.offers[0].platform_product_id: p for p in await connector.search(SearchQuery(product="x"))}
    assert set(products) == {"1", "7", "8"}
    assert products["1"].offers[0].price == Decimal("5999.00")
    assert products["1"].offers[0].original_price == Decimal("6499.00")
    assert products["7"].offers[0].original_price == products["7"].offers[0].price == Decimal("1999.00")
    assert [p.label for p in products["8"].offers[0].promotions] == ["5元券"]
    assert products["1"].id == "p0001" and products["1"].offers[0].rating == 4.9


async def test_malformed_json_and_a_500_become_marketplace_errors():
    bad_json = DemoMarketplaceConnector("taobao", "http://t.test", retries=0, transport=httpx.MockTransport(
        lambda r: httpx.Response(200, content=b'{"items_search_response": {"items": [')))
    with pytest.raises(PlatformDataError):
        await bad_json.search(SearchQuery(product="手机"))
    calls: list[int] = []

    def fail(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500, json={"error": "boom"})
    down = DemoMarketplaceConnector("pdd", "http://p.test", retries=2, transport=httpx.MockTransport(fail))
    with pytest.raises(PlatformUnavailable):
        await down.search(SearchQuery(product="手机"))
    assert len(calls) == 3  # an idempotent search is retried


async def test_placing_an_order_is_never_retried():
    calls: list[int] = []

    def fail(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503)
    connector = DemoMarketplaceConnector("jd", "http://jd.test", retries=3, transport=httpx.MockTransport(fail))
    request = PlatformOrderRequest(order_id="SO9", lines=(PlatformOrderLine("1", 1, Decimal(1)),),
                                   total=Decimal(1), receiver_name="a", phone="1", address="x")
    with pytest.raises(PlatformUnavailable):
        await connector.place_order(request)
    assert len(calls) == 1


async def test_circuit_breaker_skips_a_failing_platform_then_tries_again():
    now = [0.0]
    calls: list[int] = []
    healthy = [False]

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if not healthy[0]:
            return httpx.Response(500)
        return httpx.Response(200, json={"code": 0, "result": {"totalCount": 0, "skuList": []}})
    breaker = CircuitBreaker("jd", failure_threshold=3, reset_seconds=30, clock=lambda: now[0])
    connector = DemoMarketplaceConnector("jd", "http://jd.test", retries=0, breaker=breaker,
                                         transport=httpx.MockTransport(handler))
    for _ in range(3):
        with pytest.raises(PlatformUnavailable):
            await connector.search(SearchQuery(product="a"))
    assert breaker.state == "open" and len(calls) == 3
    with pytest.raises(PlatformUnavailable, match="circuit open"):
        await connector.search(SearchQuery(product="a"))
    assert len(calls) == 3  # skipped without a request
    now[0] = 31.0
    assert breaker.state == "half_open"
    with pytest.raises(PlatformUnavailable):  # the trial call fails: open again
        await connector.search(SearchQuery(product="a"))
    assert breaker.state == "open" and len(calls) == 4
    now[0] = 62.0
    healthy[0] = True
    assert await connector.search(SearchQuery(product="a")) == []
    assert breaker.state == "closed"


async def test_timeout_on_a_hung_real_server():
    store = PlatformStore("jd", load_catalog())
    server = DemoPlatformServer(store)
    server.behaviour.hang = True
    await server.start()
    try:
        connector = DemoMarketplaceConnector("jd", server.base_url, timeout_seconds=0.2, retries=0)
        started = time.perf_counter()
        with pytest.raises(PlatformUnavailable, match="timed out"):
            await connector.search(SearchQuery(product="手机"))
        assert time.perf_counter() - started < 10  # gave up (a hung server never answers), whatever the load
        await connector.aclose()
    finally:
        await server.stop()


async def test_aggregator_over_demo_platforms_with_one_malformed_and_one_failing():
    demo = build_demo_marketplace(latency_ms=0, jitter_ms=0, timeout_seconds=30)
    await demo.start(in_process=True)
    try:
        demo.servers["pdd"].behaviour.malformed_rate = 1.0
        demo.servers["taobao"].behaviour.failure_rate = 1.0
        agg = SearchAggregator(demo.connectors, None, deadline_seconds=30)
        result = await agg.search(SearchQuery(product="华为手机"))
        assert result.failed_platforms == ("pdd", "taobao") and result.late_platforms == ()
        assert result.items and all(o.platform == "jd" for h in result.items for o in h.product.offers)
        assert all(h.product.brand == "Huawei" for h in result.items)
    finally:
        await demo.stop()


async def test_demo_prices_match_the_platform_data_for_every_platform():
    demo = build_demo_marketplace(latency_ms=0, jitter_ms=0, timeout_seconds=30)
    await demo.start(in_process=True)
    try:
        for platform, connector in demo.connectors.items():
            store = demo.servers[platform].store
            listing = next(iter(store.listings.values()))
            product = await connector.get_product(listing.catalog_id)
            assert product is not None and product.id == listing.catalog_id
            offer = product.offers[0]
            assert offer.price == listing.price and offer.original_price == listing.original_price
            assert len(offer.promotions) == len(listing.promotions)
            assert await connector.get_product("nope") is None
            assert await connector.get_prices([listing.platform_product_id, "nope"]) == {
                listing.platform_product_id: listing.price}
    finally:
        await demo.stop()


def test_pdd_sales_tip():
    assert [parse_sales_tip(t) for t in ("10万+", "5.6万+", "999+", "42", "很多", None)] == [
        100000, 56000, 999, 42, 0, 0]


def test_catalog_json_is_valid_for_every_platform():
    catalog = load_catalog()
    assert json.loads(json.dumps(catalog)) == catalog


async def test_a_hung_platform_is_skipped_once_its_circuit_opens():
    demo = build_demo_marketplace(latency_ms=0, jitter_ms=0, timeout_seconds=0.4)
    await demo.start()
    try:
        jd = demo.servers["jd"].behaviour
        jd.hang = True
        # a generous deadline: the others answer whatever the machine's load; jd gives up after its timeout
        agg = SearchAggregator(demo.connectors, None, deadline_seconds=30)
        for _ in range(3):
            result = await agg.search(SearchQuery(product="手机"))
            assert result.failed_platforms == ("jd",) and result.items
        assert demo.connectors["jd"].breaker.state == "open"
        asked = jd.calls
        result = await agg.search(SearchQuery(product="笔记本"))
        assert result.failed_platforms == ("jd",) and result.items
        assert jd.calls == asked  # skipped: jd was not asked (nor waited for) once its circuit opened
    finally:
        await demo.stop()
