"""`GET /sandbox/verification-codes?to=`: what a person trying the demo reads to finish a sign-up."""

from __future__ import annotations

from shop.accounts import Purpose


async def test_codes_sent_there_newest_first_as_the_contract_says(app_client):
    service = app_client.app.state.runtime.accounts.service
    await service.request_code("13800138000", Purpose.REGISTER)
    first = (await app_client.get("/sandbox/verification-codes", params={"to": "13800138000"})).json()
    await service.register("13800138000", first[0]["code"], "violet-tram-Harbour-42", "S1")
    await service.request_code("13800138000", Purpose.SIGN_IN)  # another purpose: no resend wait
    answer = await app_client.get("/sandbox/verification-codes", params={"to": "+86 138 0013 8000"})
    assert answer.status_code == 200
    codes = answer.json()
    assert len(codes) == 2 and set(codes[0]) == {"code", "sent_at"}
    assert codes[0]["sent_at"] >= codes[1]["sent_at"]
    assert all(len(c["code"]) == 6 for c in codes)
    assert (await app_client.get("/sandbox/verification-codes", params={"to": "13900139000"})).json() == []
    bad = await app_client.get("/sandbox/verification-codes", params={"to": "not a phone"})
    assert bad.status_code == 400 and "error" in bad.json()
