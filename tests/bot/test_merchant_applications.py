"""Applying to sell, as an applicant sees it: 400 naming each bad field in their language,
201 with a status token, the status, and the API key shown once after approval."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from bot.routes.merchant_applications import build_application_router
from integrations.memory.clock import FakeClock
from integrations.memory.merchants import InMemoryMerchantApplications
from shop.merchants import MerchantOnboarding

GOOD = {"company_name": "小米通讯技术有限公司", "credit_code": "91110108558521630L",
        "licence_number": "91110108558521630L", "phone": "13800138000", "email": "shop@example.com",
        "categories": ["phones_accessories", "groceries"],
        "documents": [{"kind": "food_business_licence", "number": "JY11101080000001",
                       "url": "https://files.example.com/jy.jpg"}]}


@pytest.fixture
async def env():
    onboarding = MerchantOnboarding(InMemoryMerchantApplications(), FakeClock())
    app = FastAPI()
    app.include_router(build_application_router(onboarding))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as c:
        yield c, onboarding


async def test_a_bad_credit_code_is_400_and_says_why_in_chinese(env):
    http, _ = env
    resp = await http.post("/merchant/applications", json=GOOD | {"credit_code": "91110108558521630X"})
    assert resp.status_code == 400
    [problem] = resp.json()["problems"]
    assert problem["field"] == "credit_code" and problem["code"] == "credit_code_check"
    assert "统一社会信用代码" in problem["message"] and "L" in problem["message"]


async def test_problems_in_english_name_every_field(env):
    http, _ = env
    body = GOOD | {"credit_code": "9111010855852163", "email": "", "documents": []}
    resp = await http.post("/merchant/applications", json=body, headers={"Accept-Language": "en-GB,zh;q=0.5"})
    assert resp.status_code == 400
    messages = {p["field"]: p["message"] for p in resp.json()["problems"]}
    assert messages == {"credit_code": "the unified social credit code must have 18 characters, not 16",
                        "email": "e-mail is required",
                        "documents": "qualification documents: selling in 'Groceries' needs the food business "
                                     "licence"}


async def test_apply_ask_the_status_and_get_the_key_once(env):
    http, onboarding = env
    resp = await http.post("/merchant/applications", json=GOOD, headers={"Accept-Language": "en"})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["status"] == "submitted" and body["status_token"]
    token = {"X-Application-Token": body["status_token"]}
    assert (await http.post("/merchant/applications", json=GOOD)).status_code == 409
    assert (await http.get("/merchant/applications/status", headers=token)).json()["status"] == "submitted"
    assert (await http.get("/merchant/applications/status",
                           headers={"X-Application-Token": "guess"})).status_code == 404
    await onboarding.start_review(body["application_id"], "rita")
    assert (await http.get("/merchant/applications/status", headers=token)).json()["status"] == "under_review"
    await onboarding.approve(body["application_id"], "rita")
    first = (await http.get("/merchant/applications/status", headers=token)).json()
    assert first["status"] == "approved" and first["api_key"].startswith("sbm_")
    assert await onboarding.merchant_for_key(first["api_key"]) == first["merchant_id"]
    second = (await http.get("/merchant/applications/status", headers=token)).json()
    assert second["status"] == "approved" and "api_key" not in second


async def test_a_rejected_applicant_sees_the_reason(env):
    http, onboarding = env
    body = (await http.post("/merchant/applications", json=GOOD)).json()
    await onboarding.start_review(body["application_id"], "rita")
    await onboarding.reject(body["application_id"], "rita", "食品经营许可证已过期")
    seen = (await http.get("/merchant/applications/status",
                           headers={"X-Application-Token": body["status_token"]})).json()
    assert seen["status"] == "rejected" and seen["reason"] == "食品经营许可证已过期" and "api_key" not in seen
