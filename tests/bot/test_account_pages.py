"""The web account pages as a shopper uses them (issue 19.3, 19.5): sign up with a code, sign in
on a second device, my account, sign out everywhere; CSRF on every form, the back-off on
repeated wrong passwords, Secure cookies behind https, the pages in English."""

from __future__ import annotations

import re

import httpx

PASSWORD = "violet-tram-Harbour-42"


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


async def code_for(client: httpx.AsyncClient, to: str) -> str:
    return (await client.get("/sandbox/verification-codes", params={"to": to})).json()[0]["code"]


def second_client(app_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app_client.app), base_url="http://shopbot.test")


async def sign_up_on_the_web(client: httpx.AsyncClient, phone: str = "13800138000") -> httpx.Response:
    form = await client.get("/account/signup")
    assert form.status_code == 200 and "手机号或邮箱" in form.text
    sent = await client.post("/account/signup", data={"csrf": csrf_of(form.text), "address": phone})
    assert sent.status_code == 200 and "138****8000" in sent.text
    weak = await client.post("/account/signup/finish", data={
        "csrf": csrf_of(sent.text), "address": phone, "code": await code_for(client, phone), "password": "12345678"})
    assert weak.status_code == 400 and "常见或泄露过的密码" in weak.text
    # the code was spent on the weak try? No: the password is checked first, the code stays good
    done = await client.post("/account/signup/finish", data={
        "csrf": csrf_of(weak.text), "address": phone, "code": await code_for(client, phone), "password": PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/account"
    return done


async def test_sign_up_see_my_account_and_sign_out_everywhere(app_client):
    await sign_up_on_the_web(app_client)
    home = await app_client.get("/account")
    assert home.status_code == 200 and "已登录: 138****8000" in home.text
    for section in ("我的订单", "降价提醒", "售后", "收货地址", "已关联的渠道", "网页账户"):
        assert section in home.text

    async with second_client(app_client) as phone:  # a second device
        form = await phone.get("/account/signin")
        signed = await phone.post("/account/signin", data={"csrf": csrf_of(form.text), "address": "+86 138 0013 8000",
                                                            "password": PASSWORD})
        assert signed.status_code == 303
        mine = await phone.get("/account")
        assert "138****8000" in mine.text
        out = await phone.post("/account/signout-everywhere", data={"csrf": csrf_of(mine.text)})
        assert out.status_code == 200 and "已在所有设备上退出 (2 个会话)" in out.text
        assert (await phone.get("/account")).status_code == 303
    assert (await app_client.get("/account")).status_code == 303  # the first device is signed out too


async def test_every_form_needs_its_csrf_token(app_client):
    await app_client.get("/account/signin")
    assert (await app_client.post("/account/signin", data={"address": "13800138000", "password": "x"})).status_code == 403
    assert (await app_client.post("/account/signup", data={"csrf": "forged", "address": "13800138000"})).status_code == 403
    await sign_up_on_the_web(app_client)
    assert (await app_client.post("/account/signout-everywhere", data={"csrf": "forged"})).status_code == 403
    assert (await app_client.get("/account")).status_code == 200  # still signed in


async def test_wrong_passwords_and_unknown_accounts_answer_alike_then_back_off(app_client):
    await sign_up_on_the_web(app_client)
    async with second_client(app_client) as attacker:
        form = await attacker.get("/account/signin")
        token = csrf_of(form.text)
        unknown = await attacker.post("/account/signin", data={"csrf": token, "address": "13900139000",
                                                               "password": PASSWORD})
        wrong = await attacker.post("/account/signin", data={"csrf": token, "address": "13800138000",
                                                             "password": "wrong-password-1"})
        assert unknown.status_code == wrong.status_code == 401
        assert re.search(r'role="alert">([^<]+)<', unknown.text).group(1) == \
            re.search(r'role="alert">([^<]+)<', wrong.text).group(1) == "手机号/邮箱或密码不对。"
        statuses = []
        for _ in range(5):
            r = await attacker.post("/account/signin", data={"csrf": token, "address": "13800138000",
                                                             "password": "wrong-password-1"})
            statuses.append(r.status_code)
        assert statuses[-1] == 429 and int(r.headers["Retry-After"]) >= 30
        # even the right password waits out the block
        blocked = await attacker.post("/account/signin", data={"csrf": token, "address": "13800138000",
                                                               "password": PASSWORD})
        assert blocked.status_code == 429


async def test_the_session_is_rotated_and_cookies_are_secure_behind_https(app_client):
    await sign_up_on_the_web(app_client)
    first = app_client.cookies.get("shopbot_account")
    # behind a TLS-terminating proxy: the browser speaks https, the proxy says so
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_client.app), base_url="https://shopbot.test",
                                 headers={"X-Forwarded-Proto": "https"}, cookies=app_client.cookies) as browser:
        form = await browser.get("/account/signin")
        assert "Secure" in form.headers["set-cookie"]
        again = await browser.post("/account/signin", data={"csrf": csrf_of(form.text), "address": "13800138000",
                                                            "password": PASSWORD})
        assert again.status_code == 303
        cookie = again.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        rotated = browser.cookies.get("shopbot_account")
        assert rotated and rotated != first
        assert (await browser.get("/account")).status_code == 200
    # the session the browser had before signing in again is gone
    assert (await app_client.get("/account")).status_code == 303


async def test_english_pages_speak_english(app_client):
    page = await app_client.get("/account/signup", params={"lang": "en"})
    assert "Phone number or e-mail" in page.text and "手机" not in page.text
    bad = await app_client.post("/account/signup?lang=en", data={"csrf": csrf_of(page.text), "address": "12345"})
    assert bad.status_code == 400 and "a phone number or an e-mail address" in bad.text
    assert not re.search(r"[\u4e00-\u9fff]", bad.text.replace("中文", ""))
