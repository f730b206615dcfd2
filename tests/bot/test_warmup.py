"""First start: the server answers while the NLU model warms up, and says so.

`shopbot serve` builds the app with ``background_warmup``: the port opens at once; until the
model is there the shopper sees a "warming up" page, chat endpoints answer 503 + Retry-After, and
`/healthz` says ``warming_up``. Here the model load is held back by an event so the warm-up is
seen for sure; it then completes with the real (session-trained) model.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from bot import bootstrap
from bot.app import create_app
from bot.warmup import Warmup


async def wait_for(condition, what: str, deadline: float = 60.0) -> None:
    """Poll ``condition`` (an async callable) with a generous deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not await condition():
        assert loop.time() < end, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_port_answers_while_the_model_warms_up_then_the_bot_chats(settings, monkeypatch):
    real_load = bootstrap.load_or_train_async
    release = asyncio.Event()

    async def held_back_load(data_paths, model_dir, threshold, progress=None):
        progress("zh", 3, 14)  # what training reports per epoch
        await release.wait()
        return await real_load(data_paths, model_dir, threshold, progress)

    monkeypatch.setattr(bootstrap, "load_or_train_async", held_back_load)
    app = create_app(settings, background_warmup=True)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        health = (await c.get("/healthz")).json()
        assert health["status"] == "warming_up"

        async def progress_shown() -> bool:
            return "zh 3/14 epochs" in (await c.get("/healthz")).json()["detail"]

        await wait_for(progress_shown, "the training progress in /healthz")
        page = await c.get("/")
        assert page.status_code == 503 and "text/html" in page.headers["content-type"]
        assert "正在准备" in page.text and "warming up" in page.text
        for path, body in [("/webhooks/rest/webhook", {"sender": "w", "message": "你好"}),
                           ("/webchat/messages", {"sender": "w-1", "text": "hi"}),
                           ("/model/parse", {"text": "hi"})]:  # fmt: skip
            answer = await c.post(path, json=body)
            assert answer.status_code == 503, path
            assert int(answer.headers["retry-after"]) > 0 and answer.json()["status"] == "warming_up"
        assert (await c.get("/readyz")).json()["checks"]["nlu"] == "warming_up"

        release.set()

        async def healthy() -> bool:
            return (await c.get("/healthz")).json() == {"status": "ok"}

        await wait_for(healthy, "the warm-up to finish")
        reply = await c.post("/webhooks/rest/webhook", json={"sender": "w", "message": "想买5000以内的华为手机"})
        assert reply.status_code == 200 and reply.json()[0]["text"]
        chat_page = await c.get("/")
        assert chat_page.status_code == 200 and "正在准备" not in chat_page.text


async def test_warmup_logs_progress_while_it_trains_and_ends_with_the_url(caplog):
    caplog.set_level(logging.INFO, logger="shopbot.warmup")
    warmup = Warmup()
    release = asyncio.Event()

    async def load(progress):
        progress("en", 1, 14)
        await release.wait()  # one long epoch: the heartbeat keeps the log moving meanwhile

    task = asyncio.create_task(warmup.run(load, url="http://127.0.0.1:8000", heartbeat=0.05))

    async def two_heartbeats() -> bool:
        return sum("en 1/14 epochs" in r.getMessage() for r in caplog.records) >= 2

    await wait_for(two_heartbeats, "progress lines")
    assert not warmup.ready and warmup.health()["status"] == "warming_up"
    release.set()
    await task
    assert warmup.ready and warmup.health() == {"status": "ok"}
    last = caplog.records[-1].getMessage()
    assert "ready" in last and last.endswith("http://127.0.0.1:8000")


async def test_a_failed_warmup_is_reported_not_hidden(caplog):
    warmup = Warmup()

    async def load(progress):
        raise OSError("model directory is read-only")

    await warmup.run(load, url="http://127.0.0.1:8000")
    assert warmup.health()["status"] == "failed" and "read-only" in warmup.health()["detail"]
