"""`POST /sandbox/platforms/{platform}/products/{product_id}/price` and the price-walk job."""

from __future__ import annotations

import random
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI

from bot.routes.sandbox_prices import build_sandbox_price_router
from integrations.marketplaces.demo.factory import build_demo_marketplace, make_price_walk_job
from integrations.memory.cache import MemoryCache
from shop.catalog import SearchQuery
from shop.search import SearchAggregator


@pytest.fixture
async def world():
    demo = build_demo_marketplace(latency_ms=0, jitter_ms=0, timeout_seconds=30)
    await demo.start(in_process=True)
    agg = SearchAggregator(demo.connectors, MemoryCache(), deadline_seconds=30)
    app = FastAPI()
    app.include_router(build_sandbox_price_router(demo, after_change=agg.invalidate))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        yield demo, agg, client
    await demo.stop()


async def test_setting_a_price_shows_in_the_next_search_and_lookup(world):
    _, agg, client = world
    before = await agg.search(SearchQuery(product="Mate 60 Pro", platforms=("jd",), page_size=20))
    pid = before.items[0].product.id
    response = await client.post(f"/sandbox/platforms/jd/products/{pid}/price", json={"price": "3999.00"})
    assert response.status_code == 200
    assert response.json() == {"platform": "jd", "product_id": pid, "price": "3999.00"}
    after = await agg.search(SearchQuery(product="Mate 60 Pro", platforms=("jd",), page_size=20))
    assert not after.from_cache
    assert next(h for h in after.items if h.product.id == pid).offer.price == Decimal("3999.00")
    assert (await agg.get_prices([pid]))[pid]["jd"] == Decimal("3999.00")


@pytest.mark.parametrize("body", [{"price": "-1"}, {"price": "0"}, {"price": "abc"}, {"price": "1.005"},
                                  {"price": 12.5}, {"price": "NaN"}, {"price": "99999999"}, {}, ["3999"]])
async def test_bad_prices_are_refused(world, body):
    demo, _, client = world
    before = demo.servers["jd"].store.get("p0005").price
    response = await client.post("/sandbox/platforms/jd/products/p0005/price", json=body)
    assert response.status_code == 422 and response.json()["detail"]
    assert demo.servers["jd"].store.get("p0005").price == before


async def test_unknown_platform_or_product_is_404(world):
    _, _, client = world
    assert (await client.post("/sandbox/platforms/ebay/products/p0005/price", json={"price": "1"})).status_code == 404
    response = await client.post("/sandbox/platforms/jd/products/p9999/price", json={"price": "1"})
    assert response.status_code == 404 and "p9999" in response.json()["detail"]


async def test_price_walk_job_moves_prices_and_forgets_cached_searches(world):
    demo, agg, _ = world
    q = SearchQuery(product="手机")
    await agg.search(q)
    assert (await agg.search(q)).from_cache
    before = {k: v.price for k, v in demo.servers["pdd"].store.listings.items()}
    job = make_price_walk_job(demo, rng=random.Random(5), after_change=agg.invalidate)
    changed = await job()
    assert changed["pdd"] > 0
    assert sum(1 for k, v in demo.servers["pdd"].store.listings.items() if v.price != before[k]) == changed["pdd"]
    assert not (await agg.search(q)).from_cache
