"""The Redis leader lease (against this machine's Redis) and the in-process twin."""

from __future__ import annotations

import redis.asyncio as aioredis

from tracking.leader import InProcessLeaderLock, RedisLeaderLock


async def test_in_process_lock_always_leads():
    lock = InProcessLeaderLock()
    assert await lock.acquire_or_renew() and lock.is_leader


async def test_one_leader_at_a_time_and_hand_over(redis_url, redis_prefix):
    key = redis_prefix + "leader"
    a = RedisLeaderLock(redis_url, key, ttl_ms=10_000, owner="a")
    b = RedisLeaderLock(redis_url, key, ttl_ms=10_000, owner="b")
    try:
        assert await a.acquire_or_renew() is True
        assert await b.acquire_or_renew() is False and not b.is_leader
        assert await a.acquire_or_renew() is True  # renewal
        await a.release()
        assert not a.is_leader
        assert await b.acquire_or_renew() is True
    finally:
        await a.aclose()
        await b.aclose()


async def test_an_expired_leader_cannot_renew_or_release_the_new_lease(redis_url, redis_prefix):
    key = redis_prefix + "leader"
    a = RedisLeaderLock(redis_url, key, ttl_ms=10_000, owner="a")
    b = RedisLeaderLock(redis_url, key, ttl_ms=10_000, owner="b")
    raw = aioredis.from_url(redis_url)
    try:
        assert await a.acquire_or_renew()
        assert 0 < await raw.pttl(key) <= 10_000
        await raw.delete(key)  # a's lease ran out while it stalled
        assert await b.acquire_or_renew()
        assert await a.acquire_or_renew() is False and not a.is_leader
        await a.release()
        assert await raw.get(key) == b"b"
    finally:
        await a.aclose()
        await b.aclose()
        await raw.aclose()


async def test_an_unreachable_redis_means_not_leading():
    import pytest

    from tracking.leader import LeaderLockError

    lock = RedisLeaderLock("redis://127.0.0.1:1/0", "k", owner="a")  # nothing listens on port 1
    lock._leader = True
    with pytest.raises(LeaderLockError):
        await lock.acquire_or_renew()
    assert not lock.is_leader
    await lock._client.aclose()
