"""Reviewing merchant applications in the console, as staff and the applicant see it: the
queue with documents, start a review, approve (the applicant's key works once) or reject with a
reason, the audit trail, and who may do it (reviewers and supervisors, not agents)."""

from __future__ import annotations

import httpx
import pytest

from integrations.memory.clock import FakeClock
from tests.apps import create_app_with_console
from tests.bot.test_console_api import FAST_HASHER, PASSWORD, Agent

FOOD = {"kind": "food_business_licence", "number": "JY14403000000001", "url": "https://files.example.com/jy.jpg"}
APPLICATION = {"company_name": "深圳市腾讯计算机系统有限公司", "credit_code": "91440300708461136T",
               "licence_number": "91440300708461136T", "phone": "0755-86013388", "email": "m@example.com",
               "categories": ["groceries"], "documents": [FOOD]}


@pytest.fixture
async def env(settings):
    app = create_app_with_console(settings.model_copy(update={"demo_platforms": False}), FakeClock(), FAST_HASHER)
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
        await auth.add_staff("alice", "agent", PASSWORD)
        await auth.add_staff("rita", "merchant_reviewer", PASSWORD, "审核员小李")
        await auth.add_staff("sue", "supervisor", PASSWORD)
        yield new_client, login
        for c in clients:
            await c.aclose()


async def test_apply_review_approve_and_the_key_is_shown_once(env):
    new_client, login = env
    applicant = new_client()
    bad = await applicant.post("/merchant/applications", json=APPLICATION | {"credit_code": "91440300708461136X"},
                               headers={"Accept-Language": "en"})
    assert bad.status_code == 400
    assert "check character" in bad.json()["problems"][0]["message"]
    sent = await applicant.post("/merchant/applications", json=APPLICATION)
    assert sent.status_code == 201
    app_id, token = sent.json()["application_id"], {"X-Application-Token": sent.json()["status_token"]}

    rita = await login("rita")
    queue = (await rita.get("/merchant-applications")).json()["applications"]
    assert [(a["application_id"], a["status"]) for a in queue] == [(app_id, "submitted")]
    assert queue[0]["documents"] == [FOOD]
    early = await rita.post(f"/merchant-applications/{app_id}/approve")
    assert early.status_code == 409  # review it first
    reviewing = await rita.post(f"/merchant-applications/{app_id}/review")
    assert reviewing.json()["application"]["status"] == "under_review"
    status = (await applicant.get("/merchant/applications/status", headers=token)).json()
    assert status["status"] == "under_review" and "api_key" not in status
    approved = await rita.post(f"/merchant-applications/{app_id}/approve", {"note": "licences checked"})
    assert approved.status_code == 200 and approved.json()["application"]["status"] == "approved"
    assert "api_key" not in approved.text and "sbm_" not in approved.text  # staff never see the key

    first = (await applicant.get("/merchant/applications/status", headers=token)).json()
    assert first["status"] == "approved" and first["api_key"].startswith("sbm_")
    assert "api_key" not in (await applicant.get("/merchant/applications/status", headers=token)).json()

    trail = (await rita.get(f"/merchant-applications/{app_id}")).json()["audit"]
    assert [(e["actor"], e["action"], e["note"]) for e in trail] == [
        ("applicant", "submitted", ""), ("rita", "review_started", ""), ("rita", "approved", "licences checked"),
        ("applicant", "key_delivered", "")]
    assert (await rita.get("/merchant-applications")).json()["applications"] == []


async def test_a_supervisor_rejects_with_a_reason_the_applicant_reads(env):
    new_client, login = env
    applicant = new_client()
    sent = (await applicant.post("/merchant/applications", json=APPLICATION)).json()
    sue = await login("sue")
    await sue.post(f"/merchant-applications/{sent['application_id']}/review")
    no_reason = await sue.post(f"/merchant-applications/{sent['application_id']}/reject", {"reason": ""})
    assert no_reason.status_code == 400
    rejected = await sue.post(f"/merchant-applications/{sent['application_id']}/reject",
                              {"reason": "食品经营许可证已过期"})
    assert rejected.json()["application"]["status"] == "rejected"
    seen = (await applicant.get("/merchant/applications/status",
                                headers={"X-Application-Token": sent["status_token"]})).json()
    assert seen["status"] == "rejected" and seen["reason"] == "食品经营许可证已过期"
    listed = (await sue.get("/merchant-applications?status=rejected")).json()["applications"]
    assert [a["reason"] for a in listed] == ["食品经营许可证已过期"]


async def test_agents_and_strangers_cannot_review(env):
    new_client, login = env
    sent = (await new_client().post("/merchant/applications", json=APPLICATION)).json()
    alice = await login("alice")
    assert (await alice.get("/merchant-applications")).status_code == 403
    assert (await alice.post(f"/merchant-applications/{sent['application_id']}/review")).status_code == 403
    assert (await new_client().get("/console/api/merchant-applications")).status_code == 401
    rita = await login("rita")
    forged = await rita.client.post(f"/console/api/merchant-applications/{sent['application_id']}/review",
                                    json={}, headers={"X-CSRF-Token": "wrong"})
    assert forged.status_code == 403
    assert (await rita.get("/merchant-applications/MA000")).status_code == 404
    page = await rita.client.get("/console/merchants")
    assert page.status_code == 200 and "merchants.js" in page.text


async def test_the_issued_key_opens_the_merchant_api_until_the_merchant_is_suspended(env):
    new_client, login = env
    applicant = new_client()
    sent = (await applicant.post("/merchant/applications", json=APPLICATION)).json()
    app_id, token = sent["application_id"], {"X-Application-Token": sent["status_token"]}
    rita = await login("rita")
    await rita.post(f"/merchant-applications/{app_id}/review")
    await rita.post(f"/merchant-applications/{app_id}/approve")
    key = {"X-Merchant-Key": (await applicant.get("/merchant/applications/status", headers=token)).json()["api_key"]}

    orders = await applicant.get("/merchant/orders", headers=key)
    assert orders.status_code == 200 and orders.json() == {"orders": []}
    assert (await applicant.get("/merchant/orders", headers={"X-Merchant-Key": key["X-Merchant-Key"][:-1]})
            ).status_code == 401

    no_reason = await rita.post(f"/merchant-applications/{app_id}/suspend", {"reason": " "})
    assert no_reason.status_code == 400
    suspended = await rita.post(f"/merchant-applications/{app_id}/suspend", {"reason": "抽检不合格三次"})
    assert suspended.json()["application"]["status"] == "suspended"
    assert (await applicant.get("/merchant/orders", headers=key)).status_code == 401
    seen = (await applicant.get("/merchant/applications/status", headers=token)).json()
    assert seen["status"] == "suspended" and seen["reason"] == "抽检不合格三次"
    # suspended, not gone: the same credit code cannot apply again to get a fresh key
    assert (await applicant.post("/merchant/applications", json=APPLICATION)).status_code == 409

    await rita.post(f"/merchant-applications/{app_id}/reinstate", {"note": "整改完成"})
    assert (await applicant.get("/merchant/orders", headers=key)).status_code == 200
    trail = [e["action"] for e in (await rita.get(f"/merchant-applications/{app_id}")).json()["audit"]]
    assert trail[-2:] == ["suspended", "reinstated"]


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def test_uploaded_documents_are_kept_and_only_reviewers_open_them(env):
    """Issue 20.1: the applicant uploads the licence scan with the application (base64 in the JSON
    body); the reviewer opens it from the queue; agents and strangers cannot."""
    import base64

    new_client, login = env
    applicant = new_client()
    scan = {"kind": "food_business_licence", "number": "JY14403000000002",
            "content_base64": base64.b64encode(PDF).decode()}
    not_a_file = await applicant.post("/merchant/applications", headers={"Accept-Language": "en"},
                                      json=APPLICATION | {"documents": [scan | {"content_base64": "PHN2Zz4="}]})
    assert not_a_file.status_code == 400 and "JPG, PNG, WebP or PDF" in not_a_file.json()["error"]
    borrowed = await applicant.post("/merchant/applications", json=APPLICATION | {"documents": [
        {"kind": "food_business_licence", "number": "JY1", "url": "/console/api/documents/someone-elses.pdf"}]})
    assert borrowed.status_code == 400  # an applicant cannot point at a file the shop keeps
    sent = await applicant.post("/merchant/applications", json=APPLICATION | {"documents": [scan]})
    assert sent.status_code == 201, sent.text

    rita = await login("rita")
    queued = (await rita.get("/merchant-applications")).json()["applications"]
    url = queued[0]["documents"][0]["url"]
    assert url.startswith("/console/api/documents/") and url.endswith(".pdf")
    opened = await rita.client.get(url)
    assert opened.status_code == 200 and opened.content == PDF
    assert opened.headers["content-type"] == "application/pdf" and "sandbox" in opened.headers["content-security-policy"]
    assert (await (await login("alice")).client.get(url)).status_code == 403
    assert (await new_client().get(url)).status_code == 401
    assert (await rita.client.get("/console/api/documents/..%2F..%2Fapp.db")).status_code == 404
