"""Personal data in the support console (issue 19.4, 17.7): masked wherever staff see it (queue,
profile, transcript, collected data, search by phone); a supervisor reveals one value through an
audited call; an agent gets 403 and the attempt is audited too."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text as sql

from integrations.memory.clock import FakeClock
from tests.bot.test_console_api import console_env, outbox, shopper_asks

PROFILE = {"receiver_name": "张三丰", "phone": "13912345678", "address": "上海市浦东新区世纪大道100号3楼",
           "email": "zhang.sanfeng@example.com"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_agents_see_masks_supervisors_reveal_one_value_and_both_are_audited(settings, clock):
    async with console_env(settings, clock) as (app, _new, login):
        hid = await shopper_asks(app, "p1", "转人工")
        shoppers = app.state.runtime.services.shoppers
        shopper = await shoppers.by_identity("rest", "p1")
        await shoppers.update_profile(shopper.id, **PROFILE)
        await shopper_asks(app, "p1", "我的电话是13912345678,邮箱 zhang.sanfeng@example.com")  # while waiting
        alice, sue = await login("alice"), await login("sue")

        queue = (await alice.get("/queues")).json()
        row = next(r for r in queue["waiting"] if r["id"] == hid)
        assert row["display_name"] == "张**"
        assert row["last_message"] == "我的电话是139****5678,邮箱 z***@example.com"
        detail = (await alice.get(f"/handoffs/{hid}")).json()
        shown = json.dumps(detail, ensure_ascii=False)
        for value in ("张三丰", "13912345678", "世纪大道", "zhang.sanfeng"):
            assert value not in shown, value
        profile = {s["key"]: s for s in detail["collected"]["profile"]}
        assert profile["name"]["lines"] == ["张**"] and profile["phone"]["lines"] == ["139****5678"]
        assert profile["address"]["lines"] == ["上海市浦东新区****"] and profile["email"]["lines"] == ["z***@example.com"]
        assert profile["phone"]["reveal"] == ["phone"]

        refused = await alice.post(f"/handoffs/{hid}/reveal", {"field": "phone"})
        assert refused.status_code == 403 and "13912345678" not in refused.text
        no_csrf = await sue.client.post(f"/console/api/handoffs/{hid}/reveal", json={"field": "phone"})
        assert no_csrf.status_code == 403
        assert (await sue.post(f"/handoffs/{hid}/reveal", {"field": "password_hash"})).status_code == 400
        revealed = await sue.post(f"/handoffs/{hid}/reveal", {"field": "phone"})
        assert revealed.status_code == 200 and revealed.json() == {"field": "phone", "value": "13912345678"}
        address = await sue.post(f"/handoffs/{hid}/reveal", {"field": "address"})
        assert address.json()["value"] == PROFILE["address"]

        # a canned reply shows the name masked; the shopper is addressed by their name
        canned = (await alice.get(f"/canned?language=zh&handoff_id={hid}")).json()
        greeting = next(t for t in canned if t.startswith("张**您好"))
        assert not any("张三丰" in t for t in canned)
        assert (await alice.post(f"/handoffs/{hid}/take")).status_code == 200
        sent = (await alice.post(f"/handoffs/{hid}/reply", {"text": greeting})).json()
        assert sent["text"].startswith("张**您好")
        assert any("张三丰您好" in (m.get("text") or "") for m in await outbox(app, "p1"))

        trail = (await sue.get("/audit")).json()["entries"]
        reveals = [(e["actor"], e["action"], e["subject"], e["detail"]) for e in trail
                   if e["action"].startswith("reveal")]
        assert reveals == [  # newest first: who, what, whose; when is `at`
            ("sue", "reveal", f"shopper:{shopper.id}", f"address (conversation {hid})"),
            ("sue", "reveal", f"shopper:{shopper.id}", f"phone (conversation {hid})"),
            ("alice", "reveal_refused", f"shopper:{shopper.id}", f"phone (conversation {hid})"),
        ]
        assert all(e["at"] for e in trail)
        assert (await alice.get("/audit")).status_code == 403  # the trail is for supervisors
        async with app.state.runtime.db_engine.connect() as conn:
            rows = (await conn.execute(sql("SELECT actor, action, subject FROM staff_audit "
                                           "WHERE action LIKE 'reveal%'"))).all()
        assert sorted(map(tuple, rows)) == sorted([("alice", "reveal_refused", f"shopper:{shopper.id}"),
                                                   ("sue", "reveal", f"shopper:{shopper.id}"),
                                                   ("sue", "reveal", f"shopper:{shopper.id}")])


async def test_search_by_a_full_phone_number_finds_the_conversation_on_encrypted_data(settings, clock):
    async with console_env(settings, clock) as (app, _new, login):
        hid = await shopper_asks(app, "p2", "转人工")
        other = await shopper_asks(app, "p3", "转人工")
        shoppers = app.state.runtime.services.shoppers
        shopper = await shoppers.by_identity("rest", "p2")
        await shoppers.update_profile(shopper.id, **PROFILE)
        alice = await login("alice")

        for typed in ("13912345678", "139 1234 5678", "+86 139-1234-5678"):
            found = (await alice.get(f"/search?q={typed}")).json()["results"]
            assert [r["id"] for r in found] == [hid], typed
            assert found[0]["display_name"] == "张**"
        assert (await alice.get("/search?q=13912345679")).json()["results"] == []
        assert (await alice.get("/search?q=5678")).json()["results"] == []  # a partial number finds nobody
        assert (await alice.get("/search?q=")).status_code == 400
        assert other != hid

        async with app.state.runtime.db_engine.connect() as conn:  # stored encrypted, found by a keyed hash
            row = " ".join(str(v) for v in (await conn.execute(sql(
                "SELECT receiver_name, phone, address, email, phone_key FROM shoppers WHERE id = :id"),
                {"id": shopper.id})).one())
        assert "13912345678" not in row and "张三丰" not in row and "世纪大道" not in row


async def test_search_by_name_finds_the_conversation_and_shows_it_masked(settings, clock):
    """Issue 17.1: a name (or part of it) typed in the queue's search finds the shopper's open
    conversation, although names are stored encrypted; another name finds nobody."""
    async with console_env(settings, clock) as (app, _new, login):
        hid = await shopper_asks(app, "n2", "转人工")
        await shopper_asks(app, "n3", "转人工")
        shoppers = app.state.runtime.services.shoppers
        await shoppers.update_profile((await shoppers.by_identity("rest", "n2")).id, **PROFILE)
        alice = await login("alice")
        for typed in ("张三丰", "三丰"):
            found = (await alice.get(f"/search?q={typed}")).json()["results"]
            assert [r["id"] for r in found] == [hid], typed
            assert "张三丰" not in json.dumps(found, ensure_ascii=False)  # shown masked
        assert (await alice.get("/search?q=李四")).json()["results"] == []


async def test_a_ticket_reason_shows_a_phone_number_masked(settings, clock, sqlite_url):
    from tests.orders_harness import build_world, paid_order

    world = await build_world(sqlite_url)
    try:
        async with console_env(settings, clock, aftersales=world.c.tickets, orders=world.orders) as (app, _new, login):
            await shopper_asks(app, "t1", "转人工")
            shopper = await app.state.runtime.services.shoppers.by_identity("rest", "t1")
            order = await paid_order(world, shopper=shopper.id)
            ticket = await world.c.tickets.open_ticket(order.id, 0, "return", "屏幕坏了,请打13912345678联系我", shopper.id)
            alice = await login("alice")
            listed = (await alice.get("/tickets")).json()["tickets"]
            assert [(t["ticket_id"], t["reason"]) for t in listed] == [(ticket.id, "屏幕坏了,请打139****5678联系我")]
            assert "13912345678" not in json.dumps(listed)
    finally:
        await world.engine.dispose()


async def test_search_by_a_ticket_or_order_id_finds_the_shoppers_conversation(settings, clock, sqlite_url):
    from tests.orders_harness import build_world, paid_order

    world = await build_world(sqlite_url)
    try:
        async with console_env(settings, clock, aftersales=world.c.tickets, orders=world.orders) as (app, _new, login):
            hid = await shopper_asks(app, "t2", "转人工")
            await shopper_asks(app, "t3", "转人工")
            shopper = await app.state.runtime.services.shoppers.by_identity("rest", "t2")
            order = await paid_order(world, shopper=shopper.id)
            ticket = await world.c.tickets.open_ticket(order.id, 0, "return", "屏幕有坏点", shopper.id)
            alice = await login("alice")
            for typed in (ticket.id, ticket.id.lower(), order.id):
                assert [r["id"] for r in (await alice.get(f"/search?q={typed}")).json()["results"]] == [hid], typed
            assert (await alice.get("/search?q=AS2099010100000")).json()["results"] == []
    finally:
        await world.engine.dispose()
