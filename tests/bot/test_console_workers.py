"""Across workers (Redis): console events published on one worker reach sockets subscribed on
another, and an agent's reply sent on one worker reaches the shopper served by another."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest
from redis.asyncio import Redis

from bot.console.redis_events import RedisHandoffEvents
from integrations.memory.clock import FakeClock
from tests.apps import create_app_with_console

pytestmark = pytest.mark.redis


async def test_redis_events_reach_subscribers_on_other_connections(redis_url, redis_prefix):
    a, b = Redis.from_url(redis_url), Redis.from_url(redis_url)
    try:
        worker_a, worker_b = RedisHandoffEvents(a, redis_prefix), RedisHandoffEvents(b, redis_prefix)
        other_deployment = RedisHandoffEvents(b, redis_prefix + "other:")
        async with worker_b.subscribe() as stream, other_deployment.subscribe() as elsewhere:
            await worker_a.publish({"type": "message", "conversation_id": "rest:u1", "text": "还在吗"})
            got = await asyncio.wait_for(anext(stream), 5)
            assert got == {"type": "message", "conversation_id": "rest:u1", "text": "还在吗"}
            with pytest.raises(TimeoutError):  # another prefix is another deployment
                await asyncio.wait_for(anext(elsewhere), 0.3)
    finally:
        await a.aclose()
        await b.aclose()


@contextlib.asynccontextmanager
async def worker(settings):
    app = create_app_with_console(settings, FakeClock())
    async with app.router.lifespan_context(app), \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as c:
        yield app, c


async def test_agent_on_one_worker_reaches_the_shopper_on_another(settings, redis_url, redis_prefix):
    cfg = settings.model_copy(update={"redis_url": redis_url, "redis_prefix": redis_prefix, "demo_platforms": False,
                                      "console_secret_key": "shared-test-key"})
    async with worker(cfg) as (app1, shopper), worker(cfg) as (app2, console):
        await app2.state.console.auth.add_staff("alice", "agent", "correct horse battery")
        async with app2.state.console.events.subscribe() as live:
            replies = (await shopper.post("/webhooks/rest/webhook", json={"sender": "u1", "message": "转人工"})).json()
            assert replies[-1]["custom"]["status"] == "waiting"
            assert (await asyncio.wait_for(anext(live), 30))["type"] == "waiting"  # worker 1 → worker 2's socket
        login = await console.post("/console/api/login", json={"username": "alice", "password": "correct horse battery"})
        headers = {"X-CSRF-Token": login.json()["csrf_token"]}
        hid = (await console.get("/console/api/queues")).json()["waiting"][0]["id"]
        assert (await console.post(f"/console/api/handoffs/{hid}/take", headers=headers)).status_code == 200
        joined = (await shopper.get("/webhooks/rest/outbox", params={"sender": "u1"})).json()
        assert joined[-1]["custom"]["status"] == "agent_joined"
        waiter = asyncio.create_task(app1.state.runtime.outbox.wait("rest:u1", 30))
        assert (await console.post(f"/console/api/handoffs/{hid}/reply", json={"text": "我在"},
                                   headers=headers)).status_code == 200
        assert await waiter
        pushed = (await shopper.get("/webhooks/rest/outbox", params={"sender": "u1"})).json()
        assert [p["text"] for p in pushed] == ["alice:我在"]  # the shopper sees who answers
