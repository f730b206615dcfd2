"""Sign up and sign in from the chat, as a shopper does it (issue 19.2): through the REST channel
of the real app, codes read from the sandbox route, then the same shopper on Telegram."""

from __future__ import annotations

from typing import Any

from dialogue.messages import IncomingMessage
from tests.bot.test_cart import answer_variants, custom, say, text

PASSWORD = "violet-tram-Harbour-42"


async def code_for(client: Any, to: str) -> str:
    codes = (await client.get("/sandbox/verification-codes", params={"to": to})).json()
    assert codes, f"no code was sent to {to}"
    return codes[0]["code"]


async def sign_up(client: Any, sender: str, phone: str = "13800138000") -> str:
    assert "手机号或邮箱" in text(await say(client, sender, "我要注册"))
    assert "138****8000" in text(await say(client, sender, phone))
    assert "设置登录密码" in text(await say(client, sender, await code_for(client, phone)))
    done = text(await say(client, sender, PASSWORD))
    assert "注册成功" in done and "138****8000" in done
    return done


async def test_sign_up_in_chinese_with_wrong_answers_on_the_way(app_client):
    assert "手机号或邮箱" in text(await say(app_client, "r1", "我要注册"))
    assert "不像手机号或邮箱" in text(await say(app_client, "r1", "138001"))
    sent = text(await say(app_client, "r1", "138 0013 8000"))
    assert "验证码已发到 138****8000" in sent and "13800138000" not in sent
    assert "6位数字" in text(await say(app_client, "r1", "12345"))
    code = await code_for(app_client, "13800138000")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert "验证码不对或已过期" in text(await say(app_client, "r1", wrong))
    assert "设置登录密码" in text(await say(app_client, "r1", code))
    assert "常见或泄露过的密码" in text(await say(app_client, "r1", "password123"))
    done = text(await say(app_client, "r1", PASSWORD))
    assert "注册成功" in done and "138****8000" in done
    assert "已经登录" in text(await say(app_client, "r1", "我要注册"))
    # the password never reaches the transcript (nor the console that shows it)
    tracker = await app_client.app.state.runtime.tracker_store.load("rest:r1")
    said = [e.data.get("text") for e in tracker.events if e.type == "user"]
    assert "password123" not in said and PASSWORD not in said and "••••••" in said


async def test_sign_up_in_english_and_a_replayed_code_fails(app_client):
    assert "phone number or e-mail" in text(await say(app_client, "e1", "sign me up"))
    sent = text(await say(app_client, "e1", "Li.Lei@Example.com"))
    assert "l***@example.com" in sent and "6-digit code" in sent
    code = await code_for(app_client, "li.lei@example.com")
    assert "choose a password" in text(await say(app_client, "e1", code))
    assert "too short" in text(await say(app_client, "e1", "abc12"))
    done = text(await say(app_client, "e1", PASSWORD))
    assert "signed up and signed in as l***@example.com" in done
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in done)  # an English shopper reads English
    # someone else replays the spent code
    await say(app_client, "e2", "log in")
    await say(app_client, "e2", "li.lei@example.com")
    assert "wrong or has expired" in text(await say(app_client, "e2", code))


async def test_a_new_request_in_the_middle_of_the_question_is_answered(app_client):
    await say(app_client, "m1", "我要注册")
    replies = await say(app_client, "m1", "我想买蓝牙耳机")
    assert custom(replies, "products") is not None  # the search ran; the sign-up was left
    assert "手机号" not in text(await say(app_client, "m1", "我的购物车"))


async def test_signing_in_on_telegram_brings_the_cart_and_the_account(app_client):
    await sign_up(app_client, "web1")
    found = custom(await say(app_client, "web1", "我想买蓝牙耳机"), "products")
    await answer_variants(app_client, "web1", await say(app_client, "web1", "第一个加入购物车"))

    handle = app_client.app.state.runtime.handle

    async def tg(words: str) -> str:
        return "\n".join(r.text or "" for r in await handle(IncomingMessage("telegram", "42", words)))

    assert "购物车是空的" in await tg("我的购物车")  # a stranger on Telegram so far
    assert "手机号或邮箱" in await tg("登录")
    assert "138****8000" in await tg("13800138000")
    assert "登录成功(138****8000)" in await tg(await code_for(app_client, "13800138000"))
    assert found["items"][0]["title"] in await tg("我的购物车")
    # the web shopper and the Telegram user are one shopper now
    shoppers = app_client.app.state.runtime.services.shoppers
    web = await shoppers.by_identity("rest", "web1")
    assert ("telegram", "42") in web.identities


async def test_sign_in_codes_are_rate_limited_and_unknown_addresses_learn_nothing(app_client):
    await say(app_client, "x1", "登录")
    first = text(await say(app_client, "x1", "13900139000"))  # no account there
    assert "验证码已发到 139****9000" in first  # the same answer as for an account
    assert await (app_client.get("/sandbox/verification-codes", params={"to": "13900139000"})) is not None
    assert (await app_client.get("/sandbox/verification-codes", params={"to": "13900139000"})).json() == []
    assert "验证码不对或已过期" in text(await say(app_client, "x1", "123456"))
    assert "请求太频繁" in text(await say(app_client, "x1", "重新发送"))
