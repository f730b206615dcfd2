from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from tracking.outbox import InMemoryOutbox
from tracking.redis_store import RedisOutbox


@pytest.fixture(params=["memory", "redis"])
async def outbox_pair(request, redis_url, redis_prefix):
    """Two handles on the same outbox (for Redis: two connections, as two workers would have)."""
    if request.param == "memory":
        box = InMemoryOutbox()
        yield box, box
    else:
        a, b = Redis.from_url(redis_url), Redis.from_url(redis_url)
        yield RedisOutbox(a, redis_prefix), RedisOutbox(b, redis_prefix)
        await a.aclose()
        await b.aclose()


async def test_drain_returns_in_order_and_removes(outbox_pair):
    writer, reader = outbox_pair
    await writer.put("rest:u1", [{"text": "一"}, {"text": "二"}])
    await writer.put("rest:u1", [{"text": "三"}])
    await writer.put("rest:u2", [{"text": "other"}])
    assert [i["text"] for i in await reader.peek("rest:u1")] == ["一", "二", "三"]
    assert [i["text"] for i in await reader.drain("rest:u1")] == ["一", "二", "三"]
    assert await reader.drain("rest:u1") == []
    assert [i["text"] for i in await reader.drain("rest:u2")] == ["other"]


async def test_wait_wakes_when_another_worker_puts(outbox_pair):
    writer, reader = outbox_pair
    waiter = asyncio.create_task(reader.wait("rest:u3", timeout=5))
    await asyncio.sleep(0.05)
    assert not waiter.done()
    await writer.put("rest:u3", [{"text": "快递到了"}])
    assert await asyncio.wait_for(waiter, 5) is True
    assert (await reader.drain("rest:u3"))[0]["text"] == "快递到了"


async def test_wait_times_out_when_nothing_arrives(outbox_pair):
    _, reader = outbox_pair
    assert await reader.wait("rest:quiet", timeout=0.1) is False
