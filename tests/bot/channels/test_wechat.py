"""WeChat channel: signed and encrypted requests built with wechatpy's own crypto."""

from __future__ import annotations

import asyncio
import base64
import os
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import xmltodict
from fastapi import FastAPI
from wechatpy.crypto import WeChatCrypto

from bot.channels.store import InMemoryChannelStore, RedisChannelStore
from bot.channels.wechat import WeChatChannel, WeChatConfig
from bot.channels.wechat_api import DEFAULT_MENU, WeChatApi, setup_menu
from bot.channels.wechat_guard import signature
from bot.push import ChannelSendError
from dialogue.messages import Button, IncomingMessage, Reply
from tests.bot.channels.servers import serve
from tests.bot.channels.wechat_stub import APP_ID, APP_SECRET, WeChatApiStub

TOKEN = "wx-callback-token"
OPENID = "oUser_openid_0001"
ACCOUNT = "gh_account"
NOW = 1763870000


class Turns:
    """A fake turn handler: echo, buttons, a product, several replies, or a slow turn."""

    def __init__(self) -> None:
        self.seen: list[IncomingMessage] = []
        self.release = asyncio.Event()

    async def __call__(self, message: IncomingMessage) -> list[Reply]:
        self.seen.append(message)
        if message.text == "按钮":
            return [Reply(text="选一个:", buttons=(Button("第一个详情", '/show_details{"ordinal": 1}'),
                                                   Button("买第二个", '/buy{"ordinal": 2}')))]
        if message.text == "商品":
            item = {"id": "jd-1", "title": "华为 MateBook 14", "platform": "jd", "price": "5999.00",
                    "url": "https://item.jd.com/1.html", "image_url": "https://img.example.cn/1.jpg"}
            return [Reply(text="详情如下", custom={"type": "product", "item": item})]
        if message.text == "多条":
            return [Reply(text="第一条"), Reply(image="https://shop.example.cn/charts/p1.png")]
        if message.text == "慢":
            await self.release.wait()
            return [Reply(text="查到了 3 件商品")]
        if message.text in ("出错", "break"):
            raise RuntimeError("a bug in a flow")
        return [Reply(text=f"收到:{message.text}")]


def text_xml(content: str, msg_id: int = 1, kind: str = "text", **fields: str) -> str:
    extra = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    body = f"<Content><![CDATA[{content}]]></Content>" if kind == "text" else ""
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{NOW}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>{body}{extra}"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(event: str, key: str = "") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{NOW}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>"
    )


def signed(nonce: str, ts: int = NOW, token: str = TOKEN) -> dict[str, str]:
    return {"signature": signature(token, str(ts), nonce), "timestamp": str(ts), "nonce": nonce}


class Env:
    def __init__(self, channel: WeChatChannel, client: httpx.AsyncClient, stub: WeChatApiStub, turns: Turns):
        self.channel, self.client, self.stub, self.turns = channel, client, stub, turns
        self._n = 0

    def nonce(self) -> str:
        self._n += 1
        return f"n{self._n}"

    async def send(self, xml: str | bytes, **params: str) -> httpx.Response:
        query = signed(self.nonce())
        query.update(params)
        content = xml.encode() if isinstance(xml, str) else xml
        return await self.client.post("/webhooks/wechat", params=query, content=content)


def reply_of(resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    return xmltodict.parse(resp.text)["xml"]


async def make_env(aes_key: str | None = None, reply_timeout: float = 4.5) -> AsyncIterator[Env]:
    stub = WeChatApiStub()
    async with serve(stub.app()) as url:
        turns = Turns()
        config = WeChatConfig(TOKEN, APP_ID, APP_SECRET, aes_key, url)
        channel = WeChatChannel(config, turns, store=InMemoryChannelStore(), clock=lambda: NOW + 30.0,
                                reply_timeout=reply_timeout)
        await channel.start()
        app = FastAPI()
        app.include_router(channel.router)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield Env(channel, client, stub, turns)
        await channel.stop()


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    async for e in make_env():
        yield e


AES_KEY = base64.b64encode(os.urandom(32)).decode()[:43]


@pytest.fixture
async def safe_env() -> AsyncIterator[Env]:
    async for e in make_env(aes_key=AES_KEY):
        yield e


async def test_server_verification(env: Env) -> None:
    ok = await env.client.get("/webhooks/wechat", params={**signed("v1"), "echostr": "echo-123"})
    assert (ok.status_code, ok.text) == (200, "echo-123")
    bad = await env.client.get("/webhooks/wechat", params={**signed("v1", token="other"), "echostr": "x"})
    assert bad.status_code == 403
    stale = await env.client.get("/webhooks/wechat", params={**signed("v1", ts=NOW - 3600), "echostr": "x"})
    assert stale.status_code == 403


async def test_plain_text_gets_a_passive_reply(env: Env) -> None:
    reply = reply_of(await env.send(text_xml("你好")))
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ACCOUNT
    assert (reply["MsgType"], reply["Content"]) == ("text", "收到:你好")
    [msg] = env.turns.seen
    assert (msg.channel, msg.sender_id, msg.text) == ("wechat", OPENID, "你好")
    assert msg.metadata["channel"] == "wechat" and msg.metadata["sender_id"] == OPENID


async def test_encrypted_mode_round_trip(safe_env: Env) -> None:
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    nonce, ts = "safe-1", str(NOW)
    envelope = crypto.encrypt_message(text_xml("想买手机"), nonce, ts)
    msg_signature = xmltodict.parse(envelope)["xml"]["MsgSignature"]
    query = {**signed(nonce), "encrypt_type": "aes", "msg_signature": msg_signature}
    resp = await safe_env.client.post("/webhooks/wechat", params=query, content=envelope.encode())
    assert resp.status_code == 200
    outer = xmltodict.parse(resp.text)["xml"]
    plain = crypto.decrypt_message(resp.text, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
    assert xmltodict.parse(plain)["xml"]["Content"] == "收到:想买手机"

    tampered = {**signed("safe-2"), "encrypt_type": "aes", "msg_signature": "0" * 40}
    bad = await safe_env.client.post("/webhooks/wechat", params=tampered, content=envelope.encode())
    assert bad.status_code == 403
    plain_in_safe_mode = await safe_env.send(text_xml("明文"))
    assert plain_in_safe_mode.status_code == 403
    assert [m.text for m in safe_env.turns.seen] == ["想买手机"]


async def test_subscribe_and_menu_click_events(env: Env) -> None:
    welcome = reply_of(await env.send(event_xml("subscribe")))
    assert welcome["Content"] == "收到:/greet"
    click = reply_of(await env.send(event_xml("CLICK", "/check_order")))
    assert click["Content"] == "收到:/check_order"
    ignored = await env.send(event_xml("unsubscribe"))
    assert (ignored.status_code, ignored.text) == (200, "success")
    assert [m.text for m in env.turns.seen] == ["/greet", "/check_order"]


async def test_scanning_a_share_qr_code_opens_the_shared_product(env: Env) -> None:
    from dialogue.messages import button_payload

    await env.send(event_xml("subscribe", "qrscene_sAbCdEf123"))  # follows by scanning a share's code
    await env.send(event_xml("SCAN", "sXyZ98765"))  # already following
    await env.send(event_xml("subscribe", "qrscene_42"))  # another campaign's code: a plain welcome
    assert [m.text for m in env.turns.seen] == [button_payload("open_share", share_id="sAbCdEf123"),
                                               button_payload("open_share", share_id="sXyZ98765"), "/greet"]


async def test_buttons_become_numbered_choices_and_numbers_map_back(env: Env) -> None:
    reply = reply_of(await env.send(text_xml("按钮", msg_id=1)))
    assert reply["Content"] == "选一个:\n回复数字即可选择:\n1. 第一个详情\n2. 买第二个"
    reply_of(await env.send(text_xml("2", msg_id=2)))
    assert env.turns.seen[-1].text == '/buy{"ordinal": 2}'
    reply_of(await env.send(text_xml("3", msg_id=3)))  # no third choice: plain text
    assert env.turns.seen[-1].text == "3"


async def test_product_becomes_a_news_article_and_extra_replies_follow_by_customer_service(env: Env) -> None:
    news = reply_of(await env.send(text_xml("商品")))
    assert news["MsgType"] == "news" and news["ArticleCount"] == "1"
    assert news["Articles"]["item"] == {
        "Title": "华为 MateBook 14", "Description": "¥5,999.00 · jd",
        "PicUrl": "https://img.example.cn/1.jpg", "Url": "https://item.jd.com/1.html",
    }
    await env.channel.drain()
    assert env.stub.sent == [{"touser": OPENID, "msgtype": "text", "text": {"content": "详情如下"}}]
    first = reply_of(await env.send(text_xml("多条", msg_id=2)))
    assert first["Content"] == "第一条\n\n图片: https://shop.example.cn/charts/p1.png"
    await env.channel.drain()
    assert len(env.stub.sent) == 1


async def test_text_then_article_order(env: Env) -> None:
    # "详情如下" comes before the article: it is the passive reply, the article follows alone.
    async def handler(message: IncomingMessage) -> list[Reply]:
        item = {"id": "1", "title": "T", "price": "9.90", "platform": "pdd", "url": "https://u/1"}
        return [Reply(text="详情如下"), Reply(custom={"type": "product", "item": item})]

    env.channel._handle = handler
    first = reply_of(await env.send(text_xml("x")))
    assert first["Content"] == "详情如下"
    await env.channel.drain()
    assert env.stub.sent == [
        {"touser": OPENID, "msgtype": "news", "news": {"articles": [
            {"title": "T", "description": "¥9.90 · pdd", "url": "https://u/1", "picurl": ""}]}},
    ]


async def test_slow_turn_holds_then_delivers_through_customer_service() -> None:
    async for env in make_env(reply_timeout=0.05):
        holding = reply_of(await env.send(text_xml("慢")))
        assert holding["Content"] == "正在为你查询,请稍候……"
        assert env.stub.sent == []
        env.turns.release.set()
        await env.channel.drain()
        assert env.stub.sent == [{"touser": OPENID, "msgtype": "text", "text": {"content": "查到了 3 件商品"}}]
        assert env.stub.token_fetches == 1


async def test_a_failed_turn_is_answered_from_the_catalog_in_the_shoppers_language(env: Env) -> None:
    assert reply_of(await env.send(text_xml("出错", msg_id=7)))["Content"] == "抱歉,我这边出了点问题,请稍后再试。"
    assert reply_of(await env.send(text_xml("break", msg_id=8)))["Content"] == (
        "Sorry, something went wrong on my side. Please try again in a moment.")


@pytest.mark.parametrize(("kind", "fields"), [
    ("image", {"PicUrl": "https://p/1.jpg", "MediaId": "m1"}),
    ("voice", {"MediaId": "m2", "Format": "amr"}),
])
async def test_non_text_gets_the_text_only_reply(env: Env, kind: str, fields: dict[str, str]) -> None:
    reply = reply_of(await env.send(text_xml("", kind=kind, **fields)))
    assert reply["Content"] == "抱歉,我只能看懂文字,请用文字告诉我你想买什么。"
    assert env.turns.seen == []


async def test_bad_signature_stale_timestamp_and_replayed_nonce(env: Env) -> None:
    xml = text_xml("hi").encode()
    bad = await env.client.post("/webhooks/wechat", params=signed("a", token="nope"), content=xml)
    stale = await env.client.post("/webhooks/wechat", params=signed("b", ts=NOW - 400), content=xml)
    assert bad.status_code == 403 and stale.status_code == 403
    first = await env.client.post("/webhooks/wechat", params=signed("c"), content=xml)
    replay = await env.client.post("/webhooks/wechat", params=signed("c"), content=xml)
    assert first.status_code == 200 and replay.status_code == 403
    assert [m.text for m in env.turns.seen] == ["hi"]


async def test_retried_message_id_is_answered_once(env: Env) -> None:
    reply_of(await env.send(text_xml("hi", msg_id=77)))
    again = await env.send(text_xml("hi", msg_id=77))
    assert (again.status_code, again.text) == (200, "success")
    assert len(env.turns.seen) == 1


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<xml><Content>&lol3;</Content></xml>"
)
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>'


@pytest.mark.parametrize(("body", "status"), [
    (BOMB, 400),
    (XXE, 400),
    ("<xml><unclosed>", 400),
    ("not xml at all", 400),
    ("<xml>" + "<Content>a</Content>" * 5000 + "</xml>", 413),
    # well-formed XML that is not a message an official account receives: validated before any turn
    (text_xml("hi").replace(f"<CreateTime>{NOW}</CreateTime>", "<CreateTime>soon</CreateTime>"), 400),
    (text_xml("hi").replace(f"<![CDATA[{OPENID}]]>", ""), 400),
    (text_xml("x" * 4097), 400),
    (text_xml("hi").replace("<xml>", "<message>").replace("</xml>", "</message>"), 400),
])
async def test_hostile_bodies_are_rejected_cleanly(env: Env, body: str, status: int) -> None:
    resp = await env.send(body)
    assert resp.status_code == status
    assert env.turns.seen == []


async def test_access_token_is_cached_and_refreshed_when_expired(env: Env) -> None:
    await env.channel.sender.send(OPENID, [Reply(text="包裹已发出")])
    await env.channel.sender.send(OPENID, [Reply(text="包裹到了")])
    assert env.stub.token_fetches == 1
    env.stub.expire_token()
    await env.channel.sender.send(OPENID, [Reply(text="已签收")])
    assert env.stub.token_fetches == 2
    assert [m["text"]["content"] for m in env.stub.sent] == ["包裹已发出", "包裹到了", "已签收"]


async def test_sender_failure_is_a_channel_send_error() -> None:
    stub = WeChatApiStub()
    async with serve(stub.app()) as url:
        channel = WeChatChannel(WeChatConfig(TOKEN, APP_ID, "wrong-secret", None, url), Turns())
        with pytest.raises(ChannelSendError):
            await channel.sender.send(OPENID, [Reply(text="hi")])
        await channel.stop()


async def test_setup_menu_creates_the_default_menu(env: Env) -> None:
    menu = await setup_menu(env.channel.api)
    assert env.stub.menus == [{"button": DEFAULT_MENU}] and menu == DEFAULT_MENU


@pytest.mark.redis
async def test_redis_store_rejects_replayed_nonces_across_instances(redis_url: str, redis_prefix: str) -> None:
    one = RedisChannelStore.from_url(redis_url, redis_prefix)
    two = RedisChannelStore.from_url(redis_url, redis_prefix)
    try:
        assert await one.add_if_absent("wx:nonce:1:n", 60)
        assert not await two.add_if_absent("wx:nonce:1:n", 60)
        await one.set("wx:access_token", "T1", 60)
        assert await two.get("wx:access_token") == "T1"
        api = WeChatApi(APP_ID, APP_SECRET, "http://127.0.0.1:9", store=two)
        assert await api.access_token() == "T1"  # shared: no fetch (the URL is unreachable)
    finally:
        await one.close()
        await two.close()


async def test_in_memory_store_expires_with_its_clock() -> None:
    now = [time.monotonic()]
    store = InMemoryChannelStore(clock=lambda: now[0])
    assert await store.add_if_absent("k", 10)
    assert not await store.add_if_absent("k", 10)
    now[0] += 11
    assert await store.add_if_absent("k", 10)
