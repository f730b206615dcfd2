"""Web chat routes: the page, one turn over HTTP, pushes over a real WebSocket with acks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import websockets
from fastapi import FastAPI

from bot.channels.store import InMemoryChannelStore
from bot.channels.webchat import WebChatChannel
from dialogue.messages import Button, IncomingMessage, Reply
from tests.bot.channels.servers import serve
from tracking.outbox import InMemoryOutbox

CONV = "webchat:w123"


async def turns(message: IncomingMessage) -> list[Reply]:
    return [Reply(text=f"echo {message.text}", buttons=(Button("More", "/help"),))]


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, InMemoryOutbox, WebChatChannel]]:
    outbox = InMemoryOutbox()
    channel = WebChatChannel(turns, outbox, store=InMemoryChannelStore())
    app = FastAPI()
    app.include_router(channel.router)
    async with serve(app) as url:
        yield url, outbox, channel


async def test_page_and_static_files_are_served(server) -> None:
    url, _, _ = server
    async with httpx.AsyncClient(base_url=url) as client:
        page = await client.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert '<script src="/webchat/static/app.js">' in page.text
        js = await client.get("/webchat/static/app.js")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]
        assert (await client.get("/webchat/static/style.css")).status_code == 200
        assert (await client.get("/webchat/static/..%2Fwebchat.py")).status_code == 404


async def test_a_message_gets_its_replies(server) -> None:
    url, _, _ = server
    async with httpx.AsyncClient(base_url=url) as client:
        resp = await client.post("/webchat/messages", json={"sender": "w123", "text": "你好", "language": "zh"})
        assert resp.json() == {"replies": [
            {"recipient_id": "w123", "text": "echo 你好", "buttons": [{"title": "More", "payload": "/help"}]}
        ]}
        bad = await client.post("/webchat/messages", json={"sender": "../x", "text": "hi"})
        empty = await client.post("/webchat/messages", json={"sender": "w123", "text": ""})
        assert bad.status_code == 422 and empty.status_code == 422


def ws_url(url: str, sender: str = "w123") -> str:
    return url.replace("http://", "ws://") + f"/webchat/ws?sender={sender}"


async def recv_push(ws) -> dict:
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if msg["type"] == "push":
            return msg


async def test_pushes_survive_a_dropped_connection_until_acknowledged(server) -> None:
    url, outbox, _ = server
    shipment = {"recipient_id": "w123", "text": "已发货", "custom": {"type": "shipment", "order_id": "SO1"}}
    async with websockets.connect(ws_url(url)) as ws:
        await outbox.put(CONV, [shipment])
        first = await recv_push(ws)
        assert first["reply"] == shipment
        # the connection drops before the page acknowledged
    assert await outbox.peek(CONV) == []  # drained from the outbox, but still pending
    async with websockets.connect(ws_url(url)) as ws:
        again = await recv_push(ws)
        assert again == first
        await ws.send(json.dumps({"type": "ack", "ids": [first["id"]]}))
        await outbox.put(CONV, [{"recipient_id": "w123", "text": "已签收"}])
        nxt = await recv_push(ws)
        assert nxt["reply"]["text"] == "已签收"
        await ws.send(json.dumps({"type": "ack", "ids": [nxt["id"]]}))
        await outbox.put(CONV, [{"recipient_id": "w123", "text": "marker"}])
        assert (await recv_push(ws))["reply"]["text"] == "marker"  # acks were processed in order
    async with websockets.connect(ws_url(url)) as ws:
        assert (await recv_push(ws))["reply"]["text"] == "marker"  # only the unacknowledged one


async def test_pushes_made_while_away_arrive_on_connect(server) -> None:
    url, outbox, _ = server
    await outbox.put(CONV, [{"recipient_id": "w123", "text": "降价了"}])
    await outbox.put("webchat:other", [{"recipient_id": "other", "text": "not yours"}])
    async with websockets.connect(ws_url(url)) as ws:
        assert (await recv_push(ws))["reply"]["text"] == "降价了"
    assert await outbox.peek("webchat:other") != []


async def test_bad_sender_is_refused(server) -> None:
    url, _, _ = server
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        async with websockets.connect(ws_url(url, "bad%20id")):
            pass
    assert refused.value.response.status_code == 403


async def test_a_reconnect_takes_over_from_a_socket_not_yet_seen_closed(server) -> None:
    url, outbox, _ = server
    async with websockets.connect(ws_url(url)) as old, websockets.connect(ws_url(url)) as new:
        await outbox.put(CONV, [{"recipient_id": "w123", "text": "发货了"}])
        assert (await recv_push(new))["reply"]["text"] == "发货了"
        await old.send(json.dumps({"type": "ack", "ids": []}))
    assert await outbox.peek(CONV) == []


@pytest.mark.redis
async def test_unacknowledged_pushes_follow_the_shopper_to_another_worker(redis_url, redis_prefix) -> None:
    from bot.channels.store import RedisChannelStore

    outbox = InMemoryOutbox()  # shared, as the Redis outbox is between workers
    stores = [RedisChannelStore.from_url(redis_url, redis_prefix) for _ in range(2)]
    apps = []
    for store in stores:
        app = FastAPI()
        app.include_router(WebChatChannel(turns, outbox, store=store).router)
        apps.append(app)
    try:
        async with serve(apps[0]) as url_a, serve(apps[1]) as url_b:
            async with websockets.connect(ws_url(url_a)) as ws:
                await outbox.put(CONV, [{"recipient_id": "w123", "text": "已发货"}])
                pushed = await recv_push(ws)
            async with websockets.connect(ws_url(url_b)) as ws:
                assert await recv_push(ws) == pushed
                await ws.send(json.dumps({"type": "ack", "ids": [pushed["id"]]}))
                await outbox.put(CONV, [{"recipient_id": "w123", "text": "marker"}])
                assert (await recv_push(ws))["reply"]["text"] == "marker"
            assert len(await WebChatChannel(turns, outbox, store=stores[0]).pending.load(CONV)) == 1
    finally:
        for store in stores:
            await store.close()
