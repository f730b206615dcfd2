"""Conversation locks: in order within a conversation, parallel across conversations; a dead
Redis holder's lease expires."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from tracking.errors import LockTimeout
from tracking.lock import InProcessLockManager, RedisLockManager


@pytest.fixture(params=["memory", "redis"])
async def locks(request, redis_url, redis_prefix):
    if request.param == "memory":
        yield InProcessLockManager()
    else:
        client = Redis.from_url(redis_url)
        yield RedisLockManager(client, redis_prefix, lease_seconds=5, poll_seconds=0.005)
        await client.aclose()


async def test_one_conversation_is_handled_in_order(locks):
    order: list[str] = []
    first_in = asyncio.Event()
    release_first = asyncio.Event()

    async def first() -> None:
        async with locks.lock("c1"):
            order.append("first-in")
            first_in.set()
            await release_first.wait()
            order.append("first-out")

    async def second() -> None:
        await first_in.wait()
        async with locks.lock("c1"):
            order.append("second-in")

    t1, t2 = asyncio.create_task(first()), asyncio.create_task(second())
    await first_in.wait()
    await asyncio.sleep(0.05)  # give the second a chance to (wrongly) get in; it must not
    assert order == ["first-in"]
    release_first.set()
    await asyncio.gather(t1, t2)
    assert order == ["first-in", "first-out", "second-in"]


async def test_other_conversations_are_not_blocked(locks):
    async with locks.lock("c1"), locks.lock("c2", timeout=1):
        pass


async def test_waiting_past_the_timeout_raises(locks):
    async with locks.lock("c1"):
        with pytest.raises(LockTimeout):
            async with locks.lock("c1", timeout=0.1):
                pass


async def test_a_dead_holders_lease_expires(redis_url, redis_prefix):
    client = Redis.from_url(redis_url)
    try:
        # A worker that died while holding the lock: its key is there, nobody will release it.
        await client.set(f"{redis_prefix}lock:c9", "dead-worker", px=300)
        manager = RedisLockManager(client, redis_prefix, lease_seconds=5, poll_seconds=0.01)
        async with manager.lock("c9", timeout=3):
            assert await client.get(f"{redis_prefix}lock:c9") != b"dead-worker"
        assert await client.get(f"{redis_prefix}lock:c9") is None
    finally:
        await client.aclose()


async def test_lease_is_renewed_while_the_holder_works(redis_url, redis_prefix):
    client = Redis.from_url(redis_url)
    key = f"{redis_prefix}lock:c10"
    try:
        manager = RedisLockManager(client, redis_prefix, lease_seconds=3, poll_seconds=0.01)
        async with manager.lock("c10"):
            last = await client.pttl(key)
            deadline = asyncio.get_running_loop().time() + 30
            while (now := await client.pttl(key)) <= last:  # poll until the holder's renewal shows
                assert asyncio.get_running_loop().time() < deadline, "the lease was never renewed"
                last = now
                await asyncio.sleep(0.05)
            other = RedisLockManager(client, redis_prefix, lease_seconds=3)
            with pytest.raises(LockTimeout):
                async with other.lock("c10", timeout=0.1):
                    pass
    finally:
        await client.aclose()


HOLDER = """
import asyncio, sys
from redis.asyncio import Redis
from tracking.lock import RedisLockManager

async def main():
    manager = RedisLockManager(Redis.from_url(sys.argv[1]), sys.argv[2], float(sys.argv[3]))
    async with manager.lock("c11"):
        print("held", flush=True)
        await asyncio.Event().wait()  # a turn that never ends: the worker is killed in it

asyncio.run(main())
"""


async def test_a_killed_worker_frees_its_conversation_within_seconds(redis_url, redis_prefix):
    """kill -9 of a worker mid-turn: with the default lease the next message gets in long before
    the 30 s request timeout (the old lease)."""
    import os
    import signal
    import sys

    from bot.settings import Settings

    lease = Settings().lock_lease_seconds
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, redis_url, redis_prefix, str(lease),
        stdout=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    client = Redis.from_url(redis_url)
    try:
        assert holder.stdout is not None
        assert (await asyncio.wait_for(holder.stdout.readline(), 60)).strip() == b"held"
        holder.send_signal(signal.SIGKILL)
        await holder.wait()
        manager = RedisLockManager(client, redis_prefix, lease_seconds=lease, poll_seconds=0.01)
        async with manager.lock("c11", timeout=20):  # the dead holder's lease runs out first
            pass
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()
        await client.aclose()
