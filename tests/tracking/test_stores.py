"""One suite, every TrackerStore adapter: in-memory, Redis (real), SQL on SQLite and PostgreSQL (real)."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot import db
from tests.conftest import fresh_pg_database
from tracking import events as ev
from tracking.redis_store import RedisTrackerStore
from tracking.sql_store import SQLTrackerStore
from tracking.store import InMemoryTrackerStore


@pytest.fixture(params=["memory", "redis", "sqlite", "postgres"])
async def store(request, redis_url, redis_prefix, tmp_path):
    kind = request.param
    if kind == "memory":
        yield InMemoryTrackerStore()
    elif kind == "redis":
        client = Redis.from_url(redis_url)
        yield RedisTrackerStore(client, redis_prefix)
        await client.aclose()
    else:
        if kind == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path / 't.db'}"
            engine = db.create_engine(url)
            await db.upgrade(engine)
            yield SQLTrackerStore(engine)
            await engine.dispose()
        else:
            async for pg in fresh_pg_database():
                engine = db.create_engine(pg)
                await db.upgrade(engine)
                yield SQLTrackerStore(engine)
                await engine.dispose()


async def test_unknown_conversation_is_empty(store):
    tracker = await store.load("rest:nobody")
    assert tracker.events == [] and tracker.state.slots == {} and tracker.active_flow is None


async def test_events_round_trip_and_reduce_to_the_same_state(store):
    tracker = await store.load("rest:u1")
    tracker.add(ev.language_set("zh"))
    tracker.add(ev.user_uttered("想买手机", {"intent": {"name": "search_product"}}))
    tracker.add(ev.slot_set("budget", {"price_max": "5000"}))
    tracker.add(ev.flow_started("search", {"awaiting": "product"}))
    tracker.add(ev.flow_updated("search", {"awaiting": None, "product": "手机"}))
    tracker.add(ev.bot_uttered({"text": "找到 3 件"}))
    await store.save(tracker)

    again = await store.load("rest:u1")
    assert [e.type for e in again.events] == [e.type for e in tracker.events]
    assert again.state.language == "zh"
    assert again.slot("budget") == {"price_max": "5000"}
    assert again.active_flow is not None and again.active_flow.frame["product"] == "手机"
    assert again.transcript()[0]["text"] == "想买手机"
    assert "rest:u1" in await store.conversation_ids()


async def test_save_appends_only_new_events(store):
    t1 = await store.load("rest:u2")
    t1.add(ev.slot_set("a", 1))
    await store.save(t1)
    t2 = await store.load("rest:u2")
    t2.add(ev.slot_set("b", 2))
    await store.save(t2)
    await store.save(t2)  # nothing new: nothing appended
    final = await store.load("rest:u2")
    assert len(final.events) == 2
    assert final.state.slots == {"a": 1, "b": 2}


async def test_conversations_are_separate(store):
    a = await store.load("rest:a")
    a.add(ev.paused("agent"))
    await store.save(a)
    b = await store.load("rest:b")
    assert not b.state.paused
    assert (await store.load("rest:a")).state.paused


async def test_concurrent_appends_keep_every_event(store):
    async def one(i: int) -> None:
        await store.append("rest:busy", [ev.slot_set(f"s{i}", i)])

    await asyncio.gather(*(one(i) for i in range(20)))
    tracker = await store.load("rest:busy")
    assert len(tracker.state.slots) == 20
