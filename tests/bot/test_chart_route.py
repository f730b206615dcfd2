"""GET /charts/{product_id}.png over HTTP: PNG, 404 without history, 422 on bad targets, caching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
from fastapi import FastAPI

from bot.routes.charts import build_chart_router, chart_url
from dialogue.presentation.charts import chart_labels
from integrations.charts.price_chart import PillowPriceChart
from integrations.memory.clock import FakeClock
from integrations.memory.price_history import InMemoryPriceHistory
from shop.charts import PriceChartService
from shop.price_history import PricePoint

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def make():
    history = InMemoryPriceHistory()
    await history.record_many(
        [
            PricePoint("jd-1", "jd", Decimal(5999), NOW - timedelta(days=10)),
            PricePoint("jd-1", "jd", Decimal(5499), NOW - timedelta(days=2)),
        ]
    )

    async def title(product_id: str, language: str) -> str | None:
        return "华为笔记本" if product_id == "jd-1" else None

    service = PriceChartService(history, PillowPriceChart(480, 300), labeller=chart_labels, title_of=title, clock=FakeClock(NOW))
    app = FastAPI()
    app.include_router(build_chart_router(service))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    return history, service, client


async def test_chart_is_served_cached_and_redrawn_on_new_prices():
    history, service, client = await make()
    async with client:
        r = await client.get("/charts/jd-1.png", params={"target": "5400"})
        assert r.status_code == 200
        assert r.headers["content-type"] == "image/png"
        assert r.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert "max-age" in r.headers["cache-control"]
        again = await client.get("/charts/jd-1.png", params={"target": "5400"})
        assert again.content == r.content and service.renders == 1
        await history.record_many([PricePoint("jd-1", "jd", Decimal(5299), NOW - timedelta(hours=1))])
        await client.get("/charts/jd-1.png", params={"target": "5400"})
        assert service.renders == 2


async def test_unknown_product_and_bad_targets():
    _, _, client = await make()
    async with client:
        assert (await client.get("/charts/nope.png")).status_code == 404
        for bad in ("-1", "0", "abc", "NaN", "Infinity", "1e40"):
            assert (await client.get("/charts/jd-1.png", params={"target": bad})).status_code == 422, bad
        assert (await client.get("/charts/jd-1.png", params={"lang": "fr"})).status_code == 422


def test_chart_url():
    assert (
        chart_url("http://h:8000/", "jd-1", Decimal("5400.00"), "en")
        == "http://h:8000/charts/jd-1.png?target=5400.00&lang=en"
    )
    assert chart_url("http://h", "p") == "http://h/charts/p.png"


async def test_title_lookup_falls_back_when_platforms_fail():
    from shop.catalog import Product
    from shop.charts import product_title_lookup
    from shop.ports import PlatformUnavailable

    class Products:
        async def get_product(self, product_id: str) -> Product | None:
            if product_id == "down":
                raise PlatformUnavailable("timeout")
            return Product(id=product_id, title="华为笔记本", title_en="Huawei laptop", brand="", category="")

    title_of = product_title_lookup(Products())
    assert await title_of("p", "en") == "Huawei laptop"
    assert await title_of("p", "zh") == "华为笔记本"
    assert await title_of("down", "zh") is None
