"""Transcripts and carts expire after the retention period (issue 19.4) on the database stores
(SQLite and PostgreSQL: the scheduled `expire_transcripts` and `expire_carts` jobs; Redis
transcripts expire by key expiry, tests/tracking/test_redis_persistence.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select, update

from integrations.db.cart_repo import cart_lines
from tests.bot.test_cart import say, text
from tracking.sql_store import tracker_events


async def test_idle_transcripts_and_old_carts_are_purged_by_the_jobs(settings, db_url):
    from bot.app import create_app

    app = create_app(settings.model_copy(update={"database_url": db_url, "tracker_retention_days": 30.0,
                                                 "cart_retention_days": 30.0}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as client:
        runtime = app.state.runtime
        assert text(await say(client, "old-shopper", "你好"))
        await say(client, "recent-shopper", "你好")
        old_cart = await runtime.services.shoppers.by_identity("rest", "old-shopper")
        new_cart = await runtime.services.shoppers.by_identity("rest", "recent-shopper")
        await runtime.services.cart.add(old_cart.id, "P1", "jd", "旧耳机", {}, 1)
        await runtime.services.cart.add(new_cart.id, "P2", "jd", "新耳机", {}, 1)
        t, c = tracker_events.c, cart_lines.c
        async with runtime.db_engine.begin() as conn:  # the old shopper last wrote 31 days ago
            await conn.execute(update(tracker_events).where(t.conversation_id == "rest:old-shopper")
                               .values(timestamp=time.time() - 31 * 86400))
            await conn.execute(update(cart_lines).where(c.shopper_id == old_cart.id)
                               .values(added_at=datetime.now(UTC) - timedelta(days=31)))

        assert {"expire_transcripts", "expire_carts"} <= set((await client.get("/sandbox/jobs")).json()["jobs"])
        result = await client.post("/sandbox/jobs/expire_transcripts/run")
        assert result.status_code == 200 and result.json()["result"] == 1
        result = await client.post("/sandbox/jobs/expire_carts/run")
        assert result.status_code == 200 and result.json()["result"] == 1

        async with runtime.db_engine.connect() as conn:
            left = dict((await conn.execute(select(t.conversation_id, func.count()).group_by(t.conversation_id))).all())
        assert "rest:old-shopper" not in left and left.get("rest:recent-shopper", 0) > 0
        assert (await runtime.tracker_store.load("rest:old-shopper")).events == []
        assert await runtime.services.cart.lines(old_cart.id) == []
        assert len(await runtime.services.cart.lines(new_cart.id)) == 1
        # the shopper who comes back starts a fresh conversation, and it is kept again
        await say(client, "old-shopper", "你好")
        assert (await runtime.tracker_store.load("rest:old-shopper")).events


async def test_no_purge_job_when_transcripts_are_kept_for_ever(settings):
    from bot.app import create_app

    app = create_app(settings.model_copy(update={"tracker_retention_days": 0.0}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as client:
        result = await client.post("/sandbox/jobs/expire_transcripts/run")
        assert result.status_code == 404
