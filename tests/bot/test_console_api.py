"""The support console's API: sessions, CSRF, roles, ownership, the race to take a
conversation, transfer, private notes, replies delivered through the shopper's outbox,
hand back, supervisor statistics, the tickets view and the live socket."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from integrations.memory.clock import FakeClock
from tests.apps import create_app_with_console

PASSWORD = "correct horse battery"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # argon2id, cheap for tests


class Agent:
    """One staff member's browser: a cookie jar and the CSRF token from login."""

    def __init__(self, client: httpx.AsyncClient, csrf: str) -> None:
        self.client, self.csrf = client, csrf

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get("/console/api" + path)

    async def post(self, path: str, body: dict | None = None) -> httpx.Response:
        return await self.client.post("/console/api" + path, json=body or {}, headers={"X-CSRF-Token": self.csrf})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def env(request, settings, clock):
    """The app with three staff; the demo platforms run only when parametrised with True."""
    async with console_env(settings, clock, products=getattr(request, "param", False)) as found:
        yield found


@contextlib.asynccontextmanager
async def console_env(settings, clock, *, products: bool = False, **backends: Any) -> AsyncIterator[Any]:
    """(app, new_client, login) of an app with three staff; `backends` replace the console's."""
    app = create_app_with_console(settings.model_copy(update={"demo_platforms": products}), clock,
                                  FAST_HASHER, **backends)
    clients: list[httpx.AsyncClient] = []

    def new_client() -> httpx.AsyncClient:
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test")
        clients.append(c)
        return c

    async def login(username: str) -> Agent:
        c = new_client()
        resp = await c.post("/console/api/login", json={"username": username, "password": PASSWORD})
        assert resp.status_code == 200, resp.text
        return Agent(c, resp.json()["csrf_token"])

    async with app.router.lifespan_context(app):
        auth = app.state.console.auth
        await auth.add_staff("alice", "agent", PASSWORD, "小王")
        await auth.add_staff("bob", "agent", PASSWORD)
        await auth.add_staff("sue", "supervisor", PASSWORD)
        yield app, new_client, login
        for c in clients:
            await c.aclose()


async def shopper_asks(app, sender: str = "u1", text: str = "转人工") -> str:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as c:
        await c.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    request = await app.state.console.desk.queue.repo.open_for(f"rest:{sender}")
    return request.id


async def outbox(app, sender: str = "u1") -> list[dict]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as c:
        return (await c.get("/webhooks/rest/outbox", params={"sender": sender})).json()


async def test_without_a_session_every_call_is_401(env):
    app, new_client, _login = env
    hid = await shopper_asks(app)
    anon = new_client()
    for resp in [await anon.get("/console/api/queues"), await anon.get(f"/console/api/handoffs/{hid}"),
                 await anon.post(f"/console/api/handoffs/{hid}/take"), await anon.get("/console/api/stats"),
                 await anon.get("/console/api/tickets")]:
        assert resp.status_code == 401
    forged = new_client()
    forged.cookies.set("shopbot_console", "not-a-signed-value", domain="shopbot.test", path="/console")
    assert (await forged.get("/console/api/me")).status_code == 401
    assert (await anon.post("/console/api/login", json={"username": "alice", "password": "wrong!"})).status_code == 401
    assert (await anon.post("/console/api/login", json={"username": "nobody", "password": PASSWORD})).status_code == 401


async def test_passwords_are_stored_as_argon2_hashes(env):
    app, _new, _login = env
    member = await app.state.console.auth.repo.get("alice")
    assert member.password_hash.startswith("$argon2id$") and PASSWORD not in member.password_hash


async def test_state_changes_need_the_csrf_token(env):
    app, _new, login = env
    hid = await shopper_asks(app)
    alice = await login("alice")
    assert (await alice.client.post(f"/console/api/handoffs/{hid}/take")).status_code == 403
    assert (await alice.client.post(f"/console/api/handoffs/{hid}/take",
                                    headers={"X-CSRF-Token": "guess"})).status_code == 403
    assert (await app.state.console.desk.queue.get(hid)).waiting  # nothing happened
    assert (await alice.post(f"/handoffs/{hid}/take")).status_code == 200


async def test_logout_ends_the_session(env):
    _app, _new, login = env
    alice = await login("alice")
    assert (await alice.get("/me")).status_code == 200
    assert (await alice.post("/logout")).status_code == 200
    alice.client.cookies.clear()
    assert (await alice.get("/me")).status_code == 401


async def test_take_reply_and_hand_back_reach_the_shopper(env):
    app, _new, login = env
    hid = await shopper_asks(app)
    await outbox(app)  # the waiting message came back in the webhook answer already
    alice = await login("alice")
    queues = (await alice.get("/queues")).json()
    assert [h["id"] for h in queues["waiting"]] == [hid] and queues["waiting"][0]["position"] == 1
    assert (await alice.post(f"/handoffs/{hid}/take")).status_code == 200
    assert (await alice.post(f"/handoffs/{hid}/reply", {"text": "您好,请问订单号是多少?"})).status_code == 200
    pushed = await outbox(app)
    assert [p.get("custom", {}).get("status") for p in pushed] == ["agent_joined", None]
    assert "小王" in pushed[0]["text"] and pushed[1]["text"] == "小王:您好,请问订单号是多少?"  # who wrote it

    detail = (await alice.get(f"/handoffs/{hid}")).json()
    froms = [(t["from"], t["text"]) for t in detail["transcript"]]
    assert ("user", "转人工") in froms and ("agent:alice", "小王:您好,请问订单号是多少?") in froms
    assert detail["collected"]["flows"] == [] and "slots" in detail["collected"]

    assert (await alice.post(f"/handoffs/{hid}/handback")).status_code == 200
    back = await outbox(app)
    assert back[0]["custom"] == {"type": "handoff", "status": "returned_to_bot"}
    assert back[1]["custom"] == {"type": "rating_request", "order_id": None,
                                 "items": [{"kind": "support", "id": hid, "agent": "小王", "scale": [1, 5]}]}
    assert "小王" in back[1]["text"] and len(back[1]["buttons"]) == 5
    assert (await alice.post(f"/handoffs/{hid}/reply", {"text": "late"})).status_code == 409
    assert (await alice.get("/queues")).json() == {"waiting": [], "mine": [], "active": [], "callbacks": [],
                                                   "teams": [], "team": []}


async def say(app, text: str, sender: str = "u1") -> list[dict]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as c:
        return (await c.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})).json()


async def test_the_shopper_rates_the_agent_with_a_button_and_a_comment(env):
    app, _new, login = env
    hid = await shopper_asks(app)
    alice, sue = await login("alice"), await login("sue")
    await alice.post(f"/handoffs/{hid}/take")
    await alice.post(f"/handoffs/{hid}/reply", {"text": "已经帮您处理好了"})
    await alice.post(f"/handoffs/{hid}/handback")
    rate = (await outbox(app))[-1]
    four = next(b for b in rate["buttons"] if b["title"] == "4 分")
    asked = await say(app, four["payload"])
    assert "4 分" in asked[0]["text"] and asked[0]["buttons"][0]["title"] == "跳过"
    thanks = await say(app, "小王很耐心,就是等得有点久")
    assert "谢谢" in thanks[0]["text"]
    rated = await app.state.console.desk.queue.get(hid)
    assert (rated.rating, rated.rating_comment) == (4, "小王很耐心,就是等得有点久")
    stats = (await sue.get("/stats")).json()
    assert stats["csat"] == 4 and stats["ratings"] == 1 and stats["median_first_response_seconds"] is not None
    assert stats["median_resolution_seconds"] is not None and stats["queue_by_hour"]
    # a forged or repeated button for someone else's conversation is not recorded
    assert "没有记上" in (await say(app, four["payload"], sender="u2"))[0]["text"]
    assert (await app.state.console.desk.queue.get(hid)).rating == 4


async def test_canned_replies_are_filled_for_the_shopper(env):
    app, _new, login = env
    hid = await shopper_asks(app)
    alice = await login("alice")
    filled = (await alice.get(f"/canned?language=zh&handoff_id={hid}")).json()
    assert all("{" not in t for t in filled)
    assert not any("订单" in t and "{order_id}" in t for t in filled)  # no order yet: that one is left out
    assert any(t.startswith("亲您好") for t in filled)
    templates = (await alice.get("/canned?language=zh")).json()
    assert any("{order_id}" in t for t in templates) and len(filled) == len(templates) - 1
    await alice.post(f"/handoffs/{hid}/take")
    sent = (await alice.post(f"/handoffs/{hid}/reply", {"text": "{name}您好,马上处理"})).json()
    assert sent["text"] == "亲您好,马上处理"
    assert (await outbox(app))[-1]["text"] == "小王:亲您好,马上处理"


async def test_transfer_to_a_team_with_a_note(env):
    app, _new, login = env
    hid = await shopper_asks(app, text="转人工,我要退货")
    alice, bob = await login("alice"), await login("bob")
    assert (await alice.get("/queues")).json()["waiting"][0]["team"] == "after_sales"
    await alice.post(f"/handoffs/{hid}/take")
    moved = await alice.post(f"/handoffs/{hid}/transfer", {"to": "team:pre_sales", "note": "想换个型号,问问库存"})
    assert moved.status_code == 200 and moved.json()["handoff"]["agent_id"] is None
    assert "售前" in (await outbox(app))[-1]["text"]
    assert (await alice.post(f"/handoffs/{hid}/reply", {"text": "还在吗"})).status_code == 409  # not hers now
    waiting = (await bob.get("/queues")).json()["waiting"]
    assert [(w["id"], w["team"], w["team_label"]) for w in waiting] == [(hid, "pre_sales", "售前")]
    detail = (await bob.get(f"/handoffs/{hid}")).json()
    assert any("想换个型号" in n["text"] and n["author"] == "alice" for n in detail["notes"])
    assert (await bob.post(f"/handoffs/{hid}/take")).status_code == 200
    assert (await bob.post(f"/handoffs/{hid}/transfer", {"to": "team:nowhere"})).status_code == 404


@pytest.mark.parametrize("env", [True], indirect=True)
async def test_the_product_picker_finds_by_words(env):
    app, _new, login = env
    alice = await login("alice")
    found = (await alice.get("/products?q=手机&lang=zh")).json()
    assert found["available"] and found["items"]
    first = found["items"][0]
    assert first["id"] and first["title"] and first["price_text"].startswith("¥")
    assert (await alice.get("/products?q=%20")).status_code == 400
    hid = await shopper_asks(app)
    await alice.post(f"/handoffs/{hid}/take")
    assert (await alice.post(f"/handoffs/{hid}/product", {"product_id": first["id"]})).status_code == 200
    assert (await outbox(app))[-1]["custom"]["item"]["id"] == first["id"]


async def test_the_side_panel_shows_the_shoppers_orders(env):
    from tests.orders_harness import summary

    app, _new, login = env
    services = app.state.runtime.services
    hid = await shopper_asks(app)
    shopper = await services.shoppers.by_identity("rest", "u1")
    order = await services.orders.create_from_summary(summary(shopper=shopper.id), "console-k1")
    alice = await login("alice")
    collected = (await alice.get(f"/handoffs/{hid}")).json()["collected"]
    assert [o["order_id"] for o in collected["orders"]] == [order.id]
    assert collected["orders"][0]["total"] == "5999.00" and collected["tickets"] == []


async def test_another_agents_conversation_is_off_limits_except_to_a_supervisor(env):
    app, _new, login = env
    hid = await shopper_asks(app)
    alice, bob, sue = await login("alice"), await login("bob"), await login("sue")
    assert (await bob.get(f"/handoffs/{hid}")).status_code == 200  # waiting: anyone may look
    await alice.post(f"/handoffs/{hid}/take")
    assert (await bob.get(f"/handoffs/{hid}")).status_code == 403
    assert (await bob.post(f"/handoffs/{hid}/reply", {"text": "hi"})).status_code == 403
    assert (await bob.post(f"/handoffs/{hid}/handback")).status_code == 403
    assert (await bob.post(f"/handoffs/{hid}/notes", {"text": "x"})).status_code == 403
    assert (await bob.post(f"/handoffs/{hid}/take")).status_code == 409
    assert (await sue.get(f"/handoffs/{hid}")).status_code == 200
    assert (await sue.post(f"/handoffs/{hid}/reply", {"text": "主管介入"})).status_code == 200
    assert (await outbox(app))[-1]["text"] == "sue:主管介入"  # the supervisor, by name


async def test_two_agents_taking_at_once_exactly_one_wins(env):
    app, _new, login = env
    hid = await shopper_asks(app)
    alice, bob = await login("alice"), await login("bob")
    results = await asyncio.gather(alice.post(f"/handoffs/{hid}/take"), bob.post(f"/handoffs/{hid}/take"))
    assert sorted(r.status_code for r in results) == [200, 409]
    joined = [p for p in await outbox(app) if (p.get("custom") or {}).get("status") == "agent_joined"]
    assert len(joined) == 1  # the shopper hears about one agent only


async def test_transfer_moves_the_conversation(env):
    app, _new, login = env
    hid = await shopper_asks(app)
    alice, bob = await login("alice"), await login("bob")
    await alice.post(f"/handoffs/{hid}/take")
    assert (await alice.post(f"/handoffs/{hid}/transfer", {"to": "nobody"})).status_code == 404
    assert (await alice.post(f"/handoffs/{hid}/transfer", {"to": "alice"})).status_code == 400
    assert (await alice.post(f"/handoffs/{hid}/transfer", {"to": "bob"})).status_code == 200
    told = (await outbox(app))[-1]
    assert told["custom"] == {"type": "handoff", "status": "agent_joined", "agent": "bob"}
    assert (await alice.post(f"/handoffs/{hid}/reply", {"text": "x"})).status_code == 403
    assert (await bob.post(f"/handoffs/{hid}/reply", {"text": "我接手了"})).status_code == 200
    assert [h["id"] for h in (await bob.get("/queues")).json()["mine"]] == [hid]


async def test_notes_stay_private(env):
    app, _new, login = env
    hid = await shopper_asks(app)
    alice = await login("alice")
    await alice.post(f"/handoffs/{hid}/take")
    assert (await alice.post(f"/handoffs/{hid}/notes", {"text": "客户情绪激动,注意语气"})).status_code == 200
    detail = (await alice.get(f"/handoffs/{hid}")).json()
    assert [n["text"] for n in detail["notes"]] == ["客户情绪激动,注意语气"]
    assert all("注意语气" not in (p.get("text") or "") for p in await outbox(app))
    assert all("注意语气" not in (t["text"] or "") for t in detail["transcript"])


async def test_only_a_supervisor_sees_the_statistics(env, clock):
    app, _new, login = env
    hid = await shopper_asks(app, "u1")
    clock.advance(seconds=1)
    await shopper_asks(app, "u2")
    alice, sue = await login("alice"), await login("sue")
    clock.advance(seconds=90)
    await alice.post(f"/handoffs/{hid}/take")
    clock.advance(minutes=4)
    await alice.post(f"/handoffs/{hid}/handback")
    assert (await alice.get("/stats")).status_code == 403
    stats = (await sue.get("/stats")).json()
    assert {k: stats[k] for k in ("waiting", "median_wait_seconds", "handled_today", "active")} == {
        "waiting": 1, "median_wait_seconds": 91.0, "handled_today": 1, "active": 0}


async def test_canned_replies_page_and_features(env):
    _app, new_client, login = env
    alice = await login("alice")
    zh, en = (await alice.get("/canned?language=zh")).json(), (await alice.get("/canned?language=en")).json()
    assert len(zh) >= 3 and len(zh) == len(en) and zh != en
    me = (await alice.get("/me")).json()
    assert me["user"]["role"] == "agent" and set(me["features"]) == {"products", "tickets"}
    page = await new_client().get("/console")
    assert page.status_code == 200 and "console.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert (await new_client().get("/console/static/console.js")).status_code == 200
    assert (await new_client().get("/console/static/..%2Fsecret")).status_code == 404


@pytest.mark.parametrize("env", [True], indirect=True)
async def test_product_card_reaches_the_shopper(env):
    app, _new, login = env
    hid = await shopper_asks(app)
    alice = await login("alice")
    assert (await alice.get("/me")).json()["features"]["products"] is True
    await alice.post(f"/handoffs/{hid}/take")
    sent = await alice.post(f"/handoffs/{hid}/product", {"product_id": "p0001"})
    assert sent.status_code == 200, sent.text
    card = (await outbox(app))[-1]
    assert card["custom"]["type"] == "product" and card["custom"]["item"]["id"] == "p0001"
    assert "¥" in card["text"] and card["custom"]["item"]["offers"]
    assert (await alice.post(f"/handoffs/{hid}/product", {"product_id": "p9999999"})).status_code == 404


async def test_without_after_sales_or_search_the_console_says_so(settings, clock):
    async with console_env(settings, clock, search=None, aftersales=None) as (app, _new, login):
        alice = await login("alice")
        assert (await alice.get("/me")).json()["features"] == {"products": False, "tickets": False}
        assert (await alice.get("/tickets")).json() == {"available": False, "tickets": []}
        assert (await alice.post("/tickets/AS1/answer", {"approve": True})).status_code == 404
        hid = await shopper_asks(app)
        await alice.post(f"/handoffs/{hid}/take")
        assert (await alice.post(f"/handoffs/{hid}/product", {"product_id": "p0001"})).status_code == 404
        detail = (await alice.get(f"/handoffs/{hid}")).json()
        assert detail["collected"]["tickets"] is None


async def test_tickets_view_lists_and_answers_after_sales_cases(settings, clock, sqlite_url):
    from tests.orders_harness import build_world, paid_order

    world = await build_world(sqlite_url)
    try:
        async with console_env(settings, clock, aftersales=world.c.tickets) as (_app, _new, login):
            order = await paid_order(world)
            ticket = await world.c.tickets.open_ticket(order.id, 0, "refund", "不想要了", "u1")
            alice, sue = await login("alice"), await login("sue")
            listed = (await alice.get("/tickets")).json()
            assert listed["available"] and [t["ticket_id"] for t in listed["tickets"]] == [ticket.id]
            # an agent may not approve a refund over REFUND_AGENT_LIMIT (0 by default); a supervisor may
            refused = await alice.post(f"/tickets/{ticket.id}/answer", {"approve": True, "note": "同意退款"})
            assert refused.status_code == 403 and "supervisor" in refused.json()["detail"]
            assert (await world.c.tickets.get(ticket.id)).status.value == "open"
            answered = await sue.post(f"/tickets/{ticket.id}/answer", {"approve": True, "note": "同意退款"})
            assert answered.status_code == 200 and answered.json()["ticket"]["status"] == "resolved"
            assert {e.actor for e in await world.c.tickets.events(ticket.id)} >= {"staff:sue"}  # audited
            assert (await alice.get("/tickets")).json()["tickets"] == []
            again = await alice.post(f"/tickets/{ticket.id}/answer", {"approve": False})
            assert again.status_code == 409
    finally:
        await world.engine.dispose()


async def test_an_agent_may_approve_a_refund_up_to_the_agent_limit(settings, clock, sqlite_url):
    from tests.orders_harness import build_world, paid_order

    world = await build_world(sqlite_url)
    try:
        limited = settings.model_copy(update={"refund_agent_limit": Decimal(6000)})
        async with console_env(limited, clock, aftersales=world.c.tickets) as (_app, _new, login):
            order = await paid_order(world)
            ticket = await world.c.tickets.open_ticket(order.id, 0, "refund", "不想要了", "u1")
            alice = await login("alice")
            answered = await alice.post(f"/tickets/{ticket.id}/answer", {"approve": True})
            assert answered.status_code == 200 and answered.json()["ticket"]["status"] == "resolved"
            assert "staff:alice" in {e.actor for e in await world.c.tickets.events(ticket.id)}
    finally:
        await world.engine.dispose()


def test_live_socket_relays_shopper_messages(settings):
    app = create_app_with_console(settings.model_copy(update={"demo_platforms": False}), FakeClock(), FAST_HASHER)
    with TestClient(app) as tc:  # sockets go to ws://testserver: keep the same host for the cookie
        tc.portal.call(app.state.console.auth.add_staff, "alice", "agent", PASSWORD)
        with pytest.raises(WebSocketDisconnect), tc.websocket_connect("/console/ws") as ws:
            ws.receive_json()  # no session: the socket is refused
        assert tc.post("/console/api/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
        with tc.websocket_connect("/console/ws") as ws:
            assert ws.receive_json()["type"] == "hello"
            tc.post("/webhooks/rest/webhook", json={"sender": "s1", "message": "转人工"})
            first = ws.receive_json()
            assert first["type"] == "waiting" and first["conversation_id"] == "rest:s1"
            tc.post("/webhooks/rest/webhook", json={"sender": "s1", "message": "还在吗"})
            second = ws.receive_json()
            assert second["type"] == "message" and second["text"] == "还在吗"
        with pytest.raises(WebSocketDisconnect), \
                tc.websocket_connect("/console/ws", headers={"Origin": "http://evil.example"}) as ws:
            ws.receive_json()  # a cross-site page cannot open it


def test_console_settings_are_read_from_the_app_settings(settings):
    from bot.console.config import ConsoleConfig

    custom = settings.model_copy(update={"handoff_timeout_seconds": 90, "console_session_hours": 2,
                                         "negative_words_handoff": False, "console_secret_key": "k" * 32,
                                         "public_url": "https://shop.example"})
    config = ConsoleConfig.from_settings(custom)
    assert (config.handoff_timeout.total_seconds(), config.session_lifetime.total_seconds()) == (90, 7200)
    assert config.secret_key == "k" * 32 and not config.negative_words_handoff and config.secure_cookies
    generated = ConsoleConfig.from_settings(settings)  # unset: a random key, defaults otherwise
    assert len(generated.secret_key) >= 32 and generated.handoff_timeout.total_seconds() == 600
    assert generated.secret_key != ConsoleConfig.from_settings(settings).secret_key


def test_an_agent_socket_hides_the_text_of_other_agents_conversations():
    from datetime import UTC, datetime

    from bot.console.ws import visible
    from shop.handoff import Role, StaffMember

    now = datetime.now(UTC)
    bob = StaffMember("bob", Role.AGENT, "h", "bob", now)
    sue = StaffMember("sue", Role.SUPERVISOR, "h", "sue", now)
    alices = {"type": "message", "handoff": {"id": "h1", "agent_id": "alice"}, "text": "我的手机号是 138…"}
    waiting = {"type": "message", "handoff": {"id": "h2", "agent_id": None}, "text": "在吗"}
    assert visible(bob, alices) == {"type": "message", "handoff": {"id": "h1", "agent_id": "alice"}}
    assert visible(sue, alices) == alices
    assert visible(bob, waiting) == waiting


async def test_out_of_hours_the_shopper_is_promised_a_call_back(settings, clock):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    local = clock.now().astimezone(ZoneInfo("Asia/Shanghai"))
    opens, closes = (local + timedelta(hours=2)).strftime("%H:00"), (local + timedelta(hours=3)).strftime("%H:00")
    night = settings.model_copy(update={"handoff_hours": f"after_sales={opens}-{closes}"})
    async with console_env(night, clock) as (app, _new, login):
        replies = await say(app, "转人工,我要退款")
        assert replies[-1]["custom"] == {"type": "handoff", "status": "out_of_hours", "team": "after_sales",
                                         "callback": True}
        assert f"{opens}–{closes}" in replies[-1]["text"] and "回访" in replies[-1]["text"]
        assert (await app.state.console.desk.queue.repo.open_for("rest:u1")) is None  # not queued: the bot stays
        assert (await say(app, "你好"))[0].get("custom", {}).get("type") != "handoff"
        calls = (await (await login("alice")).get("/queues")).json()["callbacks"]
        assert [(c["recipient_id"], c["team"], c["outcome"]) for c in calls] == [("u1", "after_sales", "callback")]
        # pre-sales has no hours set: it answers around the clock
        assert (await say(app, "转人工", sender="u2"))[-1]["custom"]["status"] == "waiting"


async def test_sensitive_actions_are_in_the_audit_trail(env):
    app, new, login = env
    hid = await shopper_asks(app)
    failed = await new().post("/console/api/login", json={"username": "alice", "password": "wrong password!"})
    assert failed.status_code == 401
    alice, sue = await login("alice"), await login("sue")
    await alice.post(f"/handoffs/{hid}/take")
    await alice.post(f"/handoffs/{hid}/transfer", {"to": "bob", "note": "请跟进"})
    await sue.post(f"/handoffs/{hid}/handback")
    assert (await alice.get("/audit")).status_code == 403
    trail = (await sue.get("/audit")).json()["entries"]
    assert [(e["actor"], e["action"]) for e in reversed(trail)] == [
        ("alice", "login_failed"), ("alice", "login"), ("sue", "login"), ("alice", "take"),
        ("alice", "transfer"), ("sue", "hand_back")]
    assert trail[1]["subject"] == hid and trail[1]["detail"] == "from alice to bob"
    assert [e["action"] for e in (await sue.get("/audit?actor=sue")).json()["entries"]] == ["hand_back", "login"]
