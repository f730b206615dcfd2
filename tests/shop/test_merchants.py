"""Merchant onboarding in the shop: the GB 32100-2015 credit code check, the form's problems,
submitted → under review → approved (a key, shown once) or rejected with a reason."""

from __future__ import annotations

import pytest

from integrations.memory.clock import FakeClock
from integrations.memory.merchants import InMemoryMerchantApplications
from shop.merchants import (
    ApplicationForm,
    ApplicationNotFound,
    ApplicationStatus,
    Document,
    DuplicateApplication,
    IllegalApplicationTransition,
    InvalidApplication,
    MerchantOnboarding,
    credit_code_check_character,
    credit_code_problem,
)

# Real codes from business licences (public records). The check characters were computed by
# hand: e.g. Huawei's 91440300192203821 weighs 9·1+1·3+4·9+4·27+0·19+3·26+0·16+0·17+1·20+9·29
# +2·25+2·13+0·8+3·24+8·10+2·30+1·28 = 831; 831 mod 31 = 25; 31 − 25 = 6 → "6".
REAL_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司 (T = 26)
    "91330100716105852F",  # 阿里巴巴(中国)网络技术有限公司 (F = 15)
    "91110108558521630L",  # 小米通讯技术有限公司 (L = 20)
    "91350100M000100Y43",  # the standard's own example, letters in the body (M = 21, Y = 30)
]
GOOD = "914403001922038216"


def form(**changes) -> ApplicationForm:
    values = {"company_name": "华为技术有限公司", "credit_code": GOOD, "licence_number": GOOD,
              "phone": "13800138000", "email": "shop@example.com", "categories": ("digital",), "documents": ()}
    values.update(changes)
    return ApplicationForm(**values)


@pytest.fixture
def onboarding() -> MerchantOnboarding:
    return MerchantOnboarding(InMemoryMerchantApplications(), FakeClock())


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_pass(code):
    assert credit_code_check_character(code[:17]) == code[17]
    assert credit_code_problem(code) is None


def test_a_check_character_of_zero():
    # 9·1 + 1·3 + 1·9 + 1·27 = 48; 48 mod 31 = 17; 31 − 17 = 14 → "E" (A = 10)
    assert credit_code_check_character("91110000000000000") == "E"
    # 1·3 + 1·28 = 31, a multiple of 31: the check is "0", not a 32nd character
    assert credit_code_check_character("01000000000000001") == "0"


@pytest.mark.parametrize("code, problem", [
    ("91440300192203821", "credit_code_length"),
    ("9144030019220382166", "credit_code_length"),
    ("914403001922O38216", "credit_code_character"),  # the letter O is not used
    ("914403001922038217", "credit_code_check"),
    ("914403001922038261", "credit_code_check"),  # two digits swapped
    ("", "required"),
])
def test_bad_credit_codes_say_why(code, problem):
    found = credit_code_problem(code)
    assert found is not None and found.code == problem


def test_form_problems_are_listed_together_with_their_fields():
    with pytest.raises(InvalidApplication) as caught:
        from shop.merchants import check_form
        check_form(form(company_name=" ", credit_code="914403001922038217", phone="12345", email="nope",
                        categories=("groceries", "spaceships")))
    fields = {(p.field, p.code) for p in caught.value.problems}
    assert fields == {("company_name", "required"), ("credit_code", "credit_code_check"),
                      ("phone", "phone_format"), ("email", "email_format"),
                      ("categories", "unknown_category"), ("documents", "document_missing")}


def test_regulated_categories_need_their_licences():
    from shop.merchants import check_form

    with pytest.raises(InvalidApplication) as caught:
        check_form(form(categories=("groceries", "beauty"),
                        documents=(Document("food_business_licence", "JY14403000000001", "https://x.test/a.jpg"),)))
    assert [(p.code, p.params.get("kind")) for p in caught.value.problems] == [
        ("document_missing", "cosmetics_licence")]
    ok = check_form(form(credit_code=" 91440300708461136t ", categories=("Groceries",), documents=(
        Document("food_business_licence", "JY14403000000001", "https://x.test/a.jpg"),)))
    assert ok.credit_code == "91440300708461136T" and ok.categories == ("groceries",)


async def test_submitted_reviewed_approved_and_the_key_is_shown_once(onboarding):
    application, token = await onboarding.submit(form(), "en")
    assert application.status is ApplicationStatus.SUBMITTED and token
    assert application.status_token_hash != token  # only its hash is kept
    seen, key = await onboarding.status(token)
    assert seen.status is ApplicationStatus.SUBMITTED and key is None
    with pytest.raises(IllegalApplicationTransition):
        await onboarding.approve(application.id, "rita")  # not under review yet
    await onboarding.start_review(application.id, "rita")
    approved = await onboarding.approve(application.id, "rita", "licences checked")
    assert approved.status is ApplicationStatus.APPROVED and approved.merchant_id
    _, key = await onboarding.status(token)
    assert key is not None and key.startswith("sbm_")
    assert key not in approved.api_key_hash
    assert await onboarding.merchant_for_key(key) == approved.merchant_id
    assert await onboarding.merchant_for_key(key + "x") is None
    again, no_key = await onboarding.status(token)
    assert no_key is None and again.status is ApplicationStatus.APPROVED
    actions = [(e.actor, e.action, e.note) for e in await onboarding.events(application.id)]
    assert actions == [("applicant", "submitted", ""), ("rita", "review_started", ""),
                       ("rita", "approved", "licences checked"), ("applicant", "key_delivered", "")]


async def test_rejected_with_a_reason_and_applying_again(onboarding):
    application, token = await onboarding.submit(form())
    with pytest.raises(DuplicateApplication):
        await onboarding.submit(form())  # one open application per credit code
    await onboarding.start_review(application.id, "rita")
    with pytest.raises(InvalidApplication):
        await onboarding.reject(application.id, "rita", "  ")
    rejected = await onboarding.reject(application.id, "rita", "营业执照照片不清晰")
    seen, key = await onboarding.status(token)
    assert seen.status is ApplicationStatus.REJECTED and seen.reason == "营业执照照片不清晰" and key is None
    with pytest.raises(IllegalApplicationTransition):
        await onboarding.approve(rejected.id, "sue")
    again, _ = await onboarding.submit(form())  # a rejected applicant may apply again
    assert again.id != application.id


async def test_an_unknown_token_is_not_found(onboarding):
    with pytest.raises(ApplicationNotFound):
        await onboarding.status("nope")
    with pytest.raises(ApplicationNotFound):
        await onboarding.status("")


async def test_a_suspended_merchants_key_is_refused_until_reinstated(onboarding):
    application, token = await onboarding.submit(form())
    with pytest.raises(IllegalApplicationTransition):
        await onboarding.suspend(application.id, "sue", "抽检不合格")  # not approved yet
    await onboarding.start_review(application.id, "rita")
    approved = await onboarding.approve(application.id, "rita")
    _, key = await onboarding.status(token)
    await onboarding.suspend(application.id, "sue", "抽检不合格")
    assert await onboarding.merchant_for_key(key) is None
    await onboarding.reinstate(application.id, "sue")
    assert await onboarding.merchant_for_key(key) == approved.merchant_id
