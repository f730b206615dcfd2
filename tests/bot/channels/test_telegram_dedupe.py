"""Telegram retries a webhook delivery it thinks failed: the same update_id is one turn, one reply,
whichever worker each delivery reaches (workers share Redis)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from bot.channels.store import RedisChannelStore
from bot.channels.telegram import TelegramChannel, TelegramConfig
from tests.bot.channels.botapi_stub import BotApiStub
from tests.bot.channels.test_telegram import SECRET, TOKEN, FakeTurns, message_update, post, stub  # noqa: F401


@pytest.fixture
async def two_workers(stub, redis_url, redis_prefix) -> AsyncIterator[tuple[list[httpx.AsyncClient], BotApiStub, FakeTurns]]:  # noqa: F811
    api, url = stub
    turns = FakeTurns()
    redis = Redis.from_url(redis_url)
    clients, channels = [], []
    for _ in range(2):  # two server processes: their own channel objects, one Redis
        channel = TelegramChannel(TelegramConfig(TOKEN, SECRET, url, public_url="https://shop.example.cn"),
                                  turns, store=RedisChannelStore(redis, redis_prefix))
        await channel.start()
        app = FastAPI()
        app.include_router(channel.router)
        channels.append(channel)
        clients.append(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test"))
    try:
        yield clients, api, turns
    finally:
        for client in clients:
            await client.aclose()
        for channel in channels:
            await channel.stop()
        await redis.aclose()


@pytest.mark.redis
async def test_five_concurrent_deliveries_of_one_update_are_one_turn_and_one_reply(two_workers):
    clients, api, turns = two_workers
    update = message_update(9001, "hello")
    answers = await asyncio.gather(*(post(clients[i % 2], update) for i in range(5)))
    assert [a.status_code for a in answers] == [200] * 5  # Telegram must stop retrying
    assert [m.text for m in turns.seen] == ["hello"]
    assert [c.method for c in api.outgoing()] == ["sendMessage"]
    again = await post(clients[1], message_update(9002, "hello"))  # the next update is a new turn
    assert again.status_code == 200 and len(turns.seen) == 2
