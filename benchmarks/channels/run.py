"""Webhook-to-reply latency of the Telegram and WeChat channels, in process.

    .venv/bin/python -m benchmarks.channels.run [--n 1000]

- baseline: the bare turn handler call (no channel), and PTB's `bot.send_message` alone
  against the local Bot API stub (the outgoing HTTP call every Telegram reply costs);
- telegram: Update JSON → `POST /webhooks/telegram` (httpx ASGITransport) → handler →
  sendMessage captured by the local Bot API stub (a real uvicorn server on loopback);
  the request returns after the Bot API call, so the time covers the whole reply;
- wechat plain / aes: signed message XML → `POST /webhooks/wechat` → passive XML reply.

The rate limiter is `AIORateLimiter(overall_max_rate=0, group_max_rate=0)` (limits off):
Telegram's 30 msg/s flood limit would otherwise queue a benchmark that sends 1000 messages
as fast as it can, which measures Telegram's limits, not the channel.
Target: p99 ≤ 50 ms for both channels' text messages.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
from fastapi import FastAPI
from telegram.ext import AIORateLimiter
from wechatpy.crypto import WeChatCrypto

from bot.channels.store import InMemoryChannelStore
from bot.channels.telegram import TelegramChannel, TelegramConfig
from bot.channels.wechat import WeChatChannel, WeChatConfig
from bot.channels.wechat_guard import signature
from dialogue.messages import Button, IncomingMessage, Reply
from tests.bot.channels.botapi_stub import BotApiStub
from tests.bot.channels.servers import serve

TOKEN = "123456:BENCH-token"
SECRET = "bench-secret"
WX_TOKEN = "wx-bench"
APP_ID = "wxbench000000001"


async def handle(message: IncomingMessage) -> list[Reply]:
    """A fixed, cheap turn: one text with two buttons (the channel's cost, not the engine's)."""
    return [Reply(text=f"收到:{message.text}。还需要什么?",
                  buttons=(Button("看详情", '/show_details{"ordinal": 1}'), Button("就买它", '/buy{"ordinal": 1}')))]


async def measure(n: int, call: Callable[[int], Awaitable[None]], warmup: int = 50) -> list[float]:
    for i in range(warmup):
        await call(-1 - i)
    out: list[float] = []
    for i in range(n):
        start = time.perf_counter()
        await call(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def figures(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return f"{name:<34} n={len(samples):<5} p50={p50:7.2f} ms  p99={p99:7.2f} ms  max={samples[-1]:7.2f} ms"


def tg_update(i: int) -> dict:
    return {"update_id": 10_000 + i, "message": {
        "message_id": i, "date": 1763870000, "chat": {"id": 42, "type": "private"},
        "from": {"id": 42, "is_bot": False, "first_name": "Bench", "language_code": "zh-hans"},
        "text": f"想买笔记本 {i}"}}


def wx_xml(i: int) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oBench]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[想买笔记本 {i}]]></Content><MsgId>{10_000_000 + i}</MsgId></xml>")


async def main(n: int) -> None:
    lines = []
    msg = IncomingMessage("telegram", "42", "想买笔记本")
    lines.append(figures("baseline: bare handler", await measure(n, lambda i: handle(msg))))

    stub = BotApiStub(TOKEN)
    async with serve(stub.app()) as url:
        limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0)
        tg = TelegramChannel(TelegramConfig(TOKEN, SECRET, url), handle, InMemoryChannelStore(), limiter)
        await tg.start()
        bot = tg.application.bot

        async def bare_send(i: int) -> None:
            await bot.send_message(chat_id=42, text="收到", parse_mode="MarkdownV2")

        lines.append(figures("baseline: PTB sendMessage → stub", await measure(n, bare_send)))
        app = FastAPI()
        app.include_router(tg.router)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as client:
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

            async def tg_call(i: int) -> None:
                resp = await client.post("/webhooks/telegram", json=tg_update(i), headers=headers)
                assert resp.status_code == 200

            before = len(stub.calls)
            lines.append(figures("telegram: webhook → sendMessage", await measure(n, tg_call)))
            assert len(stub.calls) - before == n + 50, "every update must have been answered"
        await tg.stop()

    for mode, aes in (("plain", None), ("aes", base64.b64encode(os.urandom(32)).decode()[:43])):
        wx = WeChatChannel(WeChatConfig(WX_TOKEN, APP_ID, "secret", aes, "http://127.0.0.1:9"), handle,
                           InMemoryChannelStore())
        crypto = WeChatCrypto(WX_TOKEN, aes, APP_ID) if aes else None
        app = FastAPI()
        app.include_router(wx.router)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as client:

            async def wx_call(i: int, crypto: WeChatCrypto | None = crypto) -> None:
                ts, nonce = str(int(time.time())), f"bench{i}"
                params = {"signature": signature(WX_TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
                body = wx_xml(i)
                if crypto is not None:
                    body = crypto.encrypt_message(body, nonce, ts)
                    encrypted = body.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
                    params |= {"encrypt_type": "aes", "msg_signature": signature(WX_TOKEN, ts, nonce, encrypted)}
                resp = await client.post("/webhooks/wechat", params=params, content=body.encode())
                assert resp.status_code == 200 and "xml" in resp.headers["content-type"], resp.text

            lines.append(figures(f"wechat {mode}: POST → passive XML", await measure(n, wx_call)))
        await wx.stop()

    print("\n".join(lines))
    print("target: p99 <= 50 ms (telegram and wechat text messages)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    asyncio.run(main(parser.parse_args().n))
