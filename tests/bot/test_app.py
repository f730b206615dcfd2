from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import create_app
from integrations.db.alerts_tables import product_prices


async def test_health_ready_and_metrics(app_client):
    assert (await app_client.get("/healthz")).json() == {"status": "ok"}
    ready = await app_client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok"}
    await app_client.post("/webhooks/rest/webhook", json={"sender": "m", "message": "hi"})
    text = (await app_client.get("/metrics")).text
    assert 'shopbot_turns_total{channel="rest"} 1.0' in text
    assert "shopbot_turn_seconds_bucket" in text


async def test_ready_reports_redis_and_postgres(settings, pg_url, redis_url, redis_prefix):
    # the suite's settings (its trained model, small catalog, generous deadlines) on PostgreSQL and Redis
    app = create_app(settings.model_copy(update={"database_url": pg_url, "redis_url": redis_url,
                                                 "redis_prefix": redis_prefix}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        body = (await c.get("/readyz")).json()
        assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
        r = await c.post("/webhooks/rest/webhook", json={"sender": "p", "message": "hello"})
        assert r.status_code == 200 and r.json()[0]["text"]


async def test_ready_is_503_when_the_database_is_gone(settings, tmp_path):
    app = create_app(settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"}))
    async with app.router.lifespan_context(app):
        container = app.state.runtime
        await container.db_engine.dispose()
        (tmp_path / "a.db").unlink()
        (tmp_path / "a.db").mkdir()  # the path is now a directory: the database cannot open
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            r = await c.get("/readyz")
            assert r.status_code == 503 and r.json()["checks"]["database"].startswith("error")
            assert (await c.get("/healthz")).status_code == 200


async def test_prices_seen_in_a_chat_are_in_the_price_history_after_a_clean_shutdown(settings):
    """The aggregator's sightings are written in batches off the turn; stopping writes the last batch."""
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.post("/webhooks/rest/webhook",
                         json={"sender": "p", "message": '/search_product{"product": "手机", "price_max": 5000}'})
        products = [m["custom"] for m in r.json() if (m.get("custom") or {}).get("type") == "products"]
        assert products and products[0]["items"]
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            recorded = set((await conn.execute(select(product_prices.c.product_id))).scalars())
    finally:
        await engine.dispose()
    assert {item["id"] for item in products[0]["items"]} <= recorded
