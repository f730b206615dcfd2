"""The demo merchants' seeded history (DEMO_MERCHANT_HISTORY, issue 20 point 6), as people see it:
a reviewer finds approved demo merchants, a pending check and an appeal; a shopper reads reviews
and a seller score in a product's details, and never sees the delisted product. Seeded once."""

from __future__ import annotations

import httpx

from integrations.memory.clock import FakeClock
from tests.apps import create_app_with_console
from tests.bot.test_console_api import FAST_HASHER, PASSWORD, Agent


async def test_the_demo_shows_scores_reviews_and_a_delisted_item(settings):
    app = create_app_with_console(settings.model_copy(update={"demo_merchant_history": True, "demo_catalog": "demo"}),
                                  FakeClock(), FAST_HASHER)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test", timeout=60) as client:
        runtime = app.state.runtime
        await app.state.console.auth.add_staff("rita", "merchant_reviewer", PASSWORD)
        login = await client.post("/console/api/login", json={"username": "rita", "password": PASSWORD})
        rita = Agent(client, login.json()["csrf_token"])
        approved = (await rita.get("/merchant-applications?status=approved")).json()["applications"]
        assert len(approved) == 3 and all(a["reviewer"] == "demo-seed" for a in approved)
        assert len((await rita.get("/spot-checks")).json()["checks"]) == 1
        appeals = (await rita.get("/delistings?status=appealed")).json()["delistings"]
        assert len(appeals) == 1
        delisted = appeals[0]

        async def say(text: str) -> list[dict]:
            r = await client.post("/webhooks/rest/webhook", json={"sender": "demo-shopper", "message": text})
            return r.json()

        good = min(a["company_name"] for a in approved)
        listed = [p for p in await runtime.demo.listed_products() if p.merchant == good]
        found = await say(listed[0].title)
        items = [i for r in found if (r.get("custom") or {}).get("type") == "products" for i in r["custom"]["items"]]
        ordinal = next(n for n, i in enumerate(items, 1) if i["id"] == listed[0].product_id)
        details = await say(f"/show_details{{\"ordinal\": {ordinal}}}")
        text = "\n".join(r.get("text") or "" for r in details)
        assert "买家评价:4.7 星" in text and "质量很好" in text and f"商家评分:{good}" in text

        gone = await say(delisted["title"])
        shown = [i for r in gone if (r.get("custom") or {}).get("type") == "products" for i in r["custom"]["items"]
                 if i["id"] == delisted["product_id"]]
        assert all(delisted["platform"] not in i["platforms"] for i in shown)  # its other platforms may remain

    again = create_app_with_console(settings.model_copy(update={"demo_merchant_history": True,
                                                                "demo_catalog": "demo"}), FakeClock(), FAST_HASHER)
    async with again.router.lifespan_context(again):
        quality = again.state.runtime.quality
        assert len(await quality.delistings()) == 1  # seeded once
