"""Search cache adapters: in-process (TTL, LRU) and Redis (real server, private key prefix)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from integrations.cache.redis_cache import RedisCache
from integrations.memory.cache import MemoryCache
from integrations.memory.marketplace import InMemoryMarketplaceConnector
from shop.catalog import Offer, Product, SearchQuery
from shop.search import SearchAggregator


async def test_memory_cache_expires_on_its_clock_and_evicts_the_oldest():
    now = [0.0]
    cache = MemoryCache(max_entries=2, clock=lambda: now[0])
    await cache.set("a", "1", 10)
    assert await cache.get("a") == "1"
    now[0] = 10.0
    assert await cache.get("a") is None
    await cache.set("a", "1", 10)
    await cache.set("b", "2", 10)
    await cache.get("a")  # a is now the most recent
    await cache.set("c", "3", 10)
    assert await cache.get("b") is None and await cache.get("a") == "1"
    await cache.delete("a")
    assert await cache.get("a") is None


async def test_redis_cache_round_trip_ttl_and_prefix(redis_url, redis_prefix):
    import redis.asyncio as aioredis

    async with RedisCache(redis_url, prefix=redis_prefix) as cache:
        await cache.set("k", "值 value", 30)
        assert await cache.get("k") == "值 value"
        raw = aioredis.Redis.from_url(redis_url)
        try:
            ttl = await raw.pttl(redis_prefix + "k")
            assert 0 < ttl <= 30_000
        finally:
            await raw.aclose()
        await cache.delete("k")
        assert await cache.get("k") is None


async def test_redis_cache_is_not_usable_before_start(redis_url, redis_prefix):
    cache = RedisCache(redis_url, prefix=redis_prefix)
    with pytest.raises(RuntimeError):
        await cache.get("k")


async def test_redis_down_fails_at_start_and_is_a_cache_miss_later():
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):
        await RedisCache("redis://127.0.0.1:1/0").start()  # nothing listens on port 1
    cache = RedisCache("redis://127.0.0.1:1/0")
    await cache.start(check=False)
    try:
        assert await cache.get("k") is None
        await cache.set("k", "v", 1)  # logged, not raised
    finally:
        await cache.close()


async def test_search_results_cached_in_redis(redis_url, redis_prefix):
    product = Product(id="p1", title="华为 Mate 60 手机", title_en="Huawei Mate 60 phone", brand="Huawei",
                      category="phones", keywords=("手机",),
                      offers=[Offer("jd", "1", Decimal("6499.00"), Decimal("6999.00"), stock=3)])
    jd = InMemoryMarketplaceConnector("jd", [product])
    async with RedisCache(redis_url, prefix=redis_prefix) as cache:
        agg = SearchAggregator({"jd": jd}, cache)
        first = await agg.search(SearchQuery(product="手机"))
        second = await agg.search(SearchQuery(product="手机"))
        assert second.from_cache and jd.calls == 1
        assert second.items[0].product.offers[0].price == first.items[0].product.offers[0].price == Decimal("6499.00")
        await agg.invalidate()
        assert not (await agg.search(SearchQuery(product="手机"))).from_cache
