"""Decision notices (issue 20): the applicant is e-mailed each decision in their own language
(approved: how to get the key; rejected and suspended: the reason). The e-mail port's default
sender writes to the log and keeps the last e-mails."""

from __future__ import annotations

import httpx

from integrations.memory.clock import FakeClock
from tests.apps import create_app_with_console
from tests.bot.test_console_api import FAST_HASHER, PASSWORD, Agent
from tests.bot.test_spot_checks import APPLICATION


async def test_the_applicant_is_told_each_decision_in_their_language(settings):
    app = create_app_with_console(settings.model_copy(update={"demo_platforms": False}), FakeClock(), FAST_HASHER)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test", timeout=60) as client:
        await app.state.console.auth.add_staff("rita", "merchant_reviewer", PASSWORD)
        login = await client.post("/console/api/login", json={"username": "rita", "password": PASSWORD})
        rita = Agent(client, login.json()["csrf_token"])
        sent = app.state.runtime.merchants.notifier.sender.sent
        english = (await client.post("/merchant/applications", headers={"Accept-Language": "en"},
                                     json=APPLICATION | {"email": "en@example.com"})).json()
        await rita.post(f"/merchant-applications/{english['application_id']}/review")
        assert list(sent) == []  # starting a review is not a decision
        await rita.post(f"/merchant-applications/{english['application_id']}/reject",
                        {"reason": "food licence expired"})
        assert [(e.to, e.subject) for e in sent] == [("en@example.com", "Your merchant application was not approved")]
        assert "food licence expired" in sent[-1].body and "申请" not in sent[-1].body

        chinese = (await client.post("/merchant/applications", json=APPLICATION)).json()
        await rita.post(f"/merchant-applications/{chinese['application_id']}/review")
        await rita.post(f"/merchant-applications/{chinese['application_id']}/approve", {"note": "ok"})
        assert sent[-1].subject == "您的商家入驻申请已通过" and "密钥" in sent[-1].body
        await rita.post(f"/merchant-applications/{chinese['application_id']}/suspend", {"reason": "抽检多次不合格"})
        assert sent[-1].subject == "您的店铺已被暂停" and "抽检多次不合格" in sent[-1].body
        assert "sbm_" not in "".join(e.body for e in sent)  # the key itself never goes by e-mail
