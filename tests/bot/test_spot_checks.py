"""Spot checks and delisting end to end (issue 20.3, 20.4), as the merchant, the reviewer and the
shopper see them: a merchant is approved and lists a product; a shopper finds it and watches its
price; the spot-check job puts it in the reviewers' queue; a failed check takes it out of search,
details and the cart and tells the watcher; the merchant appeals and a reviewer relists it.
Repeated failures suspend the merchant: all their products leave search, open orders are flagged."""

from __future__ import annotations

import httpx
import pytest

from integrations.memory.clock import FakeClock
from tests.apps import create_app_with_console
from tests.bot.test_console_api import FAST_HASHER, PASSWORD, Agent

# 统一社会信用代码 with a valid GB 32100 check character; the last one is wrong
GOOD_CODE = "91440300708461136T"
APPLICATION = {"company_name": "杭州桂香食品有限公司", "credit_code": GOOD_CODE,
               "licence_number": GOOD_CODE, "phone": "0571-86013388", "email": "m@example.com",
               "categories": ["groceries"],
               "documents": [{"kind": "food_business_licence", "number": "JY13301000000001",
                              "url": "https://files.example.com/jy.jpg"}]}
LISTING = {"platform": "jd", "title": "桂香 手工桂花糕 500g 传统糕点", "title_en": "Guixiang osmanthus cake 500g",
           "brand": "桂香", "category": "biscuits", "price": "39.90", "stock": 200,
           "keywords": ["桂花糕", "osmanthus cake"]}


@pytest.fixture
async def env(settings):
    app = create_app_with_console(settings.model_copy(update={"spot_check_sample_size": 500}), FakeClock(),
                                  FAST_HASHER)
    clients: list[httpx.AsyncClient] = []

    def new_client() -> httpx.AsyncClient:
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test", timeout=60)
        clients.append(c)
        return c

    async def login(username: str) -> Agent:
        c = new_client()
        resp = await c.post("/console/api/login", json={"username": username, "password": PASSWORD})
        assert resp.status_code == 200, resp.text
        return Agent(c, resp.json()["csrf_token"])

    async with app.router.lifespan_context(app):
        await app.state.console.auth.add_staff("rita", "merchant_reviewer", PASSWORD, "审核员小李")
        await app.state.console.auth.add_staff("alice", "agent", PASSWORD)
        yield new_client, login
        for c in clients:
            await c.aclose()


async def approved_merchant(new_client, rita: Agent) -> dict[str, str]:
    """Apply (a bad code is refused, said why), get approved, take the key: the merchant's headers."""
    applicant = new_client()
    bad = await applicant.post("/merchant/applications", json=APPLICATION | {"credit_code": GOOD_CODE[:-1] + "A"})
    assert bad.status_code == 400 and "校验位" in bad.json()["problems"][0]["message"]
    sent = (await applicant.post("/merchant/applications", json=APPLICATION)).json()
    await rita.post(f"/merchant-applications/{sent['application_id']}/review")
    await rita.post(f"/merchant-applications/{sent['application_id']}/approve", {"note": "食品经营许可证齐全"})
    status = (await applicant.get("/merchant/applications/status",
                                  headers={"X-Application-Token": sent["status_token"]})).json()
    return {"X-Merchant-Key": status["api_key"]}


async def say(client: httpx.AsyncClient, sender: str, text: str) -> list[dict]:
    resp = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert resp.status_code == 200, resp.text
    return resp.json()


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def products(replies: list[dict]) -> list[dict]:
    return [item for r in replies if (r.get("custom") or {}).get("type") == "products" for item in r["custom"]["items"]]


async def test_a_failed_spot_check_delists_the_product_and_tells_the_watcher(env):
    new_client, login = env
    rita = await login("rita")
    merchant = new_client()
    key = await approved_merchant(new_client, rita)

    listed = await merchant.post("/merchant/products", json=LISTING, headers=key)
    assert listed.status_code == 201, listed.text
    product_id = listed.json()["product_id"]
    assert (await merchant.post("/merchant/products", json=LISTING | {"category": "cakes!"}, headers=key)).status_code == 400

    shopper = new_client()
    found = await say(shopper, "s1", "桂花糕")
    assert [p["id"] for p in products(found)][:1] == [product_id]
    details = await say(shopper, "s1", "第一个详细说说")
    assert any((r.get("custom") or {}).get("type") == "product" for r in details)
    watch = await say(shopper, "s1", "降到30提醒我")
    assert any((r.get("custom") or {}).get("type") == "price_alert" for r in watch), texts(watch)
    cart = await say(shopper, "s1", "第一个加入购物车")
    assert "桂花糕" in texts(cart)

    run = await new_client().post("/sandbox/jobs/spot_checks/run")
    assert run.status_code == 200, run.text
    queue = (await rita.get("/spot-checks")).json()["checks"]
    mine = [c for c in queue if c["product_id"] == product_id]
    assert len(mine) == 1 and mine[0]["merchant"].startswith("m-")
    assert (await (await login("alice")).get("/spot-checks")).status_code == 403  # agents may not

    no_reason = await rita.post(f"/spot-checks/{mine[0]['check_id']}/result", {"passed": False, "reason": ""})
    assert no_reason.status_code == 400
    failed = await rita.post(f"/spot-checks/{mine[0]['check_id']}/result",
                             {"passed": False, "reason": "菌落总数超标 (GB 7099)"})
    assert failed.status_code == 200, failed.text
    assert failed.json()["delisting"]["status"] == "delisted"
    assert failed.json()["merchant"]["failed_checks"] == 1 and not failed.json()["merchant"]["suspended"]
    again = await rita.post(f"/spot-checks/{mine[0]['check_id']}/result", {"passed": True, "reason": "ok"})
    assert again.status_code == 409

    # the watcher is told, in their language; the product is gone from search, details and cart
    told = (await shopper.get("/webhooks/rest/outbox", params={"sender": "s1"})).json()
    assert any("已下架" in (r.get("text") or "") and "桂花糕" in r["text"] for r in told), told
    gone = await say(shopper, "s1", "桂花糕")
    assert product_id not in [p["id"] for p in products(gone)]
    cart_now = await say(shopper, "s1", "我的购物车")
    cart_items = [r["custom"] for r in cart_now if (r.get("custom") or {}).get("type") == "cart"]
    assert cart_items and all(item["product_id"] != product_id or item["price"] is None
                              for item in cart_items[0]["items"]), cart_now

    # the merchant sees why and appeals; a reviewer relists it
    mine_now = (await merchant.get("/merchant/delistings", headers=key)).json()["delistings"]
    assert [(d["product_id"], d["reason"]) for d in mine_now] == [(product_id, "菌落总数超标 (GB 7099)")]
    delisting_id = mine_now[0]["delisting_id"]
    other = await merchant.post(f"/merchant/delistings/{delisting_id}/appeal", json={"text": "x"},
                                headers={"X-Merchant-Key": "wrong"})
    assert other.status_code == 401
    appeal = await merchant.post(f"/merchant/delistings/{delisting_id}/appeal",
                                 json={"text": "复检报告合格,批次 20261201"}, headers=key)
    assert appeal.status_code == 200 and appeal.json()["status"] == "appealed"
    twice = await merchant.post(f"/merchant/delistings/{delisting_id}/appeal", json={"text": "again"}, headers=key)
    assert twice.status_code == 409
    appeals = (await rita.get("/delistings?status=appealed")).json()["delistings"]
    assert [d["delisting_id"] for d in appeals] == [delisting_id]
    relisted = await rita.post(f"/delistings/{delisting_id}/decision", {"relist": True, "note": "复检合格"})
    assert relisted.json()["status"] == "relisted"
    back = await say(shopper, "s1", "桂花糕")
    assert [p["id"] for p in products(back)][:1] == [product_id]


async def test_repeated_failures_suspend_the_merchant(env):
    new_client, login = env
    rita = await login("rita")
    merchant = new_client()
    key = await approved_merchant(new_client, rita)
    ids = []
    for n in range(3):
        listed = await merchant.post("/merchant/products", headers=key,
                                     json=LISTING | {"title": f"桂香 桂花糕 {n + 1}号 500g", "platform": "taobao"})
        ids.append(listed.json()["product_id"])
    outcomes = []
    for n in range(3):
        await new_client().post("/sandbox/jobs/spot_checks/run")
        check = next(c for c in (await rita.get("/spot-checks")).json()["checks"] if c["product_id"] in ids)
        r = (await rita.post(f"/spot-checks/{check['check_id']}/result",
                             {"passed": False, "reason": f"第{n + 1}次抽检不合格"})).json()
        outcomes.append((r["merchant"]["failed_checks"], r["merchant"]["suspended"]))
    assert outcomes == [(1, False), (2, False), (3, True)]
    assert (await merchant.get("/merchant/standing", headers=key)).json()["suspended"] is True
    shopper = new_client()
    found = await say(shopper, "s2", "桂花糕")
    assert not set(ids) & {p["id"] for p in products(found)}
