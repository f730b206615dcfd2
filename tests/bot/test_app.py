from __future__ import annotations

import httpx

from bot.app import create_app
from bot.settings import Settings


async def test_health_ready_and_metrics(app_client):
    assert (await app_client.get("/healthz")).json() == {"status": "ok"}
    ready = await app_client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok"}
    await app_client.post("/webhooks/rest/webhook", json={"sender": "m", "message": "hi"})
    text = (await app_client.get("/metrics")).text
    assert 'shopbot_turns_total{channel="rest"} 1.0' in text
    assert "shopbot_turn_seconds_bucket" in text


async def test_ready_reports_redis_and_postgres(pg_url, redis_url):
    app = create_app(Settings(database_url=pg_url, redis_url=redis_url, redis_prefix="shopbot-test-ready:"))
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        body = (await c.get("/readyz")).json()
        assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
        r = await c.post("/webhooks/rest/webhook", json={"sender": "p", "message": "hello"})
        assert r.status_code == 200 and r.json()[0]["text"]


async def test_ready_is_503_when_the_database_is_gone(tmp_path):
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))
    async with app.router.lifespan_context(app):
        container = app.state.container
        await container.db_engine.dispose()
        (tmp_path / "a.db").unlink()
        (tmp_path / "a.db").mkdir()  # the path is now a directory: the database cannot open
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            r = await c.get("/readyz")
            assert r.status_code == 503 and r.json()["checks"]["database"].startswith("error")
            assert (await c.get("/healthz")).status_code == 200
