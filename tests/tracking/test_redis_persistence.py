"""Transcripts in Redis: kept across a Redis crash in the documented mode (AOF), forgotten after
TRACKER_RETENTION_DAYS, and a Redis without persistence is called out at start."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import time

import pytest
from redis.asyncio import Redis

from bot.bootstrap import warn_without_persistence
from tracking import events as ev
from tracking.redis_store import RedisTrackerStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateRedis:
    """A redis-server of this test's own, on a free port, with its data in `directory`."""

    def __init__(self, directory, *options: str) -> None:
        self.directory, self.options, self.port = directory, options, free_port()
        self.proc: subprocess.Popen | None = None

    async def start(self) -> Redis:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",  # noqa: ASYNC220  (returns at once)
                                      "--dir", str(self.directory), *self.options],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + 30
        while True:  # bounded polling: a real server is starting
            try:
                await client.ping()
                return client
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)  # a crash: nothing is flushed on the way out
            self.proc.wait(timeout=10)


async def transcript_after_a_crash(directory, *options: str) -> list[str]:
    server = PrivateRedis(directory, *options)
    client = await server.start()
    try:
        store = RedisTrackerStore(client, "shopbot:")
        await store.append("rest:u1", [ev.user_uttered("我要买手机", {}), ev.bot_uttered({"text": "好的"})])
        await client.aclose()
        server.kill()
        client = await server.start()
        store = RedisTrackerStore(client, "shopbot:")
        return [e.type for e in (await store.load("rest:u1")).events]
    finally:
        await client.aclose()
        server.kill()


@pytest.mark.redis
async def test_with_aof_a_transcript_survives_a_redis_crash(tmp_path):
    kept = await transcript_after_a_crash(tmp_path, "--appendonly", "yes", "--appendfsync", "always", "--save", "")
    assert kept == ["user", "bot"]


@pytest.mark.redis
async def test_without_persistence_a_crash_erases_it_and_start_up_says_so(tmp_path, caplog):
    assert await transcript_after_a_crash(tmp_path, "--appendonly", "no", "--save", "") == []
    bare, durable = PrivateRedis(tmp_path / "b", "--appendonly", "no", "--save", ""), None
    (tmp_path / "b").mkdir()
    (tmp_path / "d").mkdir()
    durable = PrivateRedis(tmp_path / "d", "--appendonly", "yes")
    try:
        bare_client, durable_client = await bare.start(), await durable.start()
        assert await warn_without_persistence(bare_client) is False
        assert "appendonly yes" in caplog.text
        assert await warn_without_persistence(durable_client) is True
        await bare_client.aclose()
        await durable_client.aclose()
    finally:
        bare.kill()
        durable.kill()


@pytest.mark.redis
async def test_transcripts_expire_after_the_retention(redis_url, redis_prefix):
    client = Redis.from_url(redis_url)
    try:
        store = RedisTrackerStore(client, redis_prefix, retention_seconds=3 * 86400)
        await store.append("rest:u1", [ev.user_uttered("hi", {})])
        ttl = await client.ttl(f"{redis_prefix}tracker:rest:u1")
        assert 0 < ttl <= 3 * 86400
        await store.append("rest:u2", [ev.user_uttered("hi", {})])
        await client.zadd(f"{redis_prefix}conversations:active", {"rest:u2": time.time() - 4 * 86400})
        assert await store.conversation_ids() == ["rest:u1"]  # u2 idle past the retention
    finally:
        await client.aclose()
