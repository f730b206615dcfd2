"""Teams (issue 17.4): a supervisor puts staff in the pre-sales or after-sales team; a shopper who
asks for a person is routed by what they asked, as the NLU read it (where is my parcel → after-sales,
a product → pre-sales), even when the words of the request itself ("转人工") say nothing; each
agent's "team" filter holds what was routed to their teams."""

from __future__ import annotations

import httpx
import pytest

from integrations.memory.clock import FakeClock
from tests.bot.test_console_api import console_env


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def ask_for_a_person(app, sender: str, first: str, then: str = "转人工") -> str:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as c:
        for text in (first, then):
            resp = await c.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
            assert resp.status_code == 200, resp.text
    request = await app.state.console.desk.queue.repo.open_for(f"rest:{sender}")
    assert request is not None
    return str(request.team)


async def test_requests_are_routed_by_what_was_asked_and_shown_to_the_team(settings, clock):
    async with console_env(settings, clock) as (app, _new, login):
        sue, alice, bob = await login("sue"), await login("alice"), await login("bob")
        put = sue.client.put
        headers = {"X-CSRF-Token": sue.csrf}
        assert (await put("/console/api/staff/alice/teams", json={"teams": ["after_sales"]}, headers=headers)
                ).status_code == 200
        assert (await put("/console/api/staff/bob/teams", json={"teams": ["pre_sales"]}, headers=headers)
                ).status_code == 200
        bad = await put("/console/api/staff/bob/teams", json={"teams": ["logistics"]}, headers=headers)
        assert bad.status_code == 400 and "pre_sales or after_sales" in bad.text
        not_allowed = await alice.client.put("/console/api/staff/alice/teams", json={"teams": ["pre_sales"]},
                                             headers={"X-CSRF-Token": alice.csrf})
        assert not_allowed.status_code == 403
        staff = {m["username"]: m["teams"] for m in (await sue.get("/staff")).json()}
        assert staff["alice"] == ["after_sales"] and staff["bob"] == ["pre_sales"] and staff["sue"] == []

        assert await ask_for_a_person(app, "t1", "我的快递到哪了") == "after_sales"
        assert await ask_for_a_person(app, "t2", "/track_shipment") == "after_sales"  # the menu's 物流查询
        assert await ask_for_a_person(app, "t3", "想买一副蓝牙耳机") == "pre_sales"
        assert await ask_for_a_person(app, "t4", "show me running shoes under 500", "let me talk to a human") == "pre_sales"

        def senders(rows: list[dict]) -> set[str]:
            return {r["conversation_id"].split(":", 1)[1] for r in rows}

        alice_q, bob_q = (await alice.get("/queues")).json(), (await bob.get("/queues")).json()
        assert alice_q["teams"] == ["after_sales"] and senders(alice_q["team"]) == {"t1", "t2"}
        assert senders(bob_q["team"]) == {"t3", "t4"}
        assert (await sue.get("/queues")).json()["team"] == []  # in no team
