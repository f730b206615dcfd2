"""Console login under attack: failed logins are throttled per account and per address with a
growing back-off and a lockout notice; an unknown user and a wrong password answer alike; argon2
never stalls the event loop."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from redis.asyncio import Redis

from bot.console.throttle import LoginLimits, LoginThrottle, RedisThrottleStore
from integrations.memory.clock import FakeClock
from tests.bot.test_console_api import PASSWORD, console_env


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def browser(app, address: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://shopbot.test")


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/console/api/login", json={"username": username, "password": password})


async def test_an_account_is_locked_after_five_wrong_passwords_with_a_growing_back_off(settings, clock):
    async with console_env(settings, clock) as (app, _new, _login):
        async with browser(app) as b:
            for _ in range(4):
                assert (await login(b, "alice", "wrong password")).status_code == 401
            fifth = await login(b, "alice", "wrong password")
            assert fifth.status_code == 429 and "locked" in fifth.json()["detail"]
            assert int(fifth.headers["retry-after"]) == 30
            # locked: even the right password is refused, with the notice and the time left
            right = await login(b, "alice", PASSWORD)
            assert right.status_code == 429 and 0 < int(right.headers["retry-after"]) <= 30
            clock.advance(timedelta(seconds=31))
            again = await login(b, "alice", "wrong again")  # one more failure: twice as long
            assert again.status_code == 429 and int(again.headers["retry-after"]) == 60
            clock.advance(timedelta(seconds=61))
            assert (await login(b, "alice", PASSWORD)).status_code == 200
            # a success clears the account's count
            assert (await login(b, "alice", "wrong password")).status_code == 401
        async with browser(app, "198.51.100.9") as other:  # alice's lock is the account's, not bob's
            assert (await login(other, "bob", PASSWORD)).status_code == 200


async def test_one_address_trying_many_accounts_is_locked(settings, clock):
    async with console_env(settings, clock) as (app, _new, _login):
        attacker, colleague = browser(app, "192.0.2.66"), browser(app, "192.0.2.1")
        async with attacker, colleague:
            answers = [(await login(attacker, f"user{i}", "guess")).status_code for i in range(20)]
            assert answers[:19] == [401] * 19 and answers[19] == 429
            assert (await login(attacker, "sue", PASSWORD)).status_code == 429
            assert (await login(colleague, "sue", PASSWORD)).status_code == 200


async def test_unknown_user_and_wrong_password_get_the_same_answer(settings, clock):
    async with console_env(settings, clock) as (app, _new, _login):
        async with browser(app) as b:
            unknown = await login(b, "nobody", "some password")
            wrong = await login(b, "alice", "some password")
        assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())


class SlowHasher(PasswordHasher):
    """argon2 that takes as long as the test wants (a thread event), like a big cost on a busy CPU."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.events: list[str] = []

    def verify(self, hash, password):
        self.entered.set()
        self.release.wait(timeout=20)  # run on the event loop, this would stall every request
        self.events.append("argon2 done")
        return super().verify(hash, password)


async def test_a_slow_password_check_never_blocks_other_requests(settings, clock):
    from tests.apps import create_app_with_console

    hasher = SlowHasher()
    app = create_app_with_console(settings.model_copy(update={"demo_platforms": False}), clock, hasher)
    async with app.router.lifespan_context(app):
        await app.state.console.auth.add_staff("alice", "agent", PASSWORD)
        async with browser(app) as b, browser(app, "192.0.2.2") as probe:
            task = asyncio.create_task(login(b, "alice", PASSWORD))
            while not hasher.entered.is_set():  # poll until argon2 is running
                await asyncio.sleep(0.01)
            health = await probe.get("/healthz")
            hasher.events.append("healthz answered")
            hasher.release.set()
            assert (await task).status_code == 200
        assert health.status_code == 200
        assert hasher.events == ["healthz answered", "argon2 done"]


@pytest.mark.redis
async def test_failures_are_counted_across_workers_in_redis(redis_url, redis_prefix):
    redis = Redis.from_url(redis_url)
    try:
        workers = [LoginThrottle(RedisThrottleStore(redis, redis_prefix), LoginLimits(max_account=3))
                   for _ in range(2)]
        assert await workers[0].failed("alice", "a1") == 0
        assert await workers[1].failed("alice", "a2") == 0
        assert await workers[0].failed("alice", "a3") == 30
        assert 0 < await workers[1].blocked_for("alice", "a4") <= 30
        await workers[1].succeeded("alice")
        assert await workers[0].blocked_for("alice", "a4") == 0
    finally:
        await redis.aclose()


