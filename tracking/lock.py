"""Per-conversation locks: messages of one conversation are handled in order.

`InProcessLockManager` serves one process; `RedisLockManager` serves many workers, with a
short lease (5 s by default) renewed every lease/2.5 (2 s) while the holder's turn runs: a live
holder keeps its conversation however long the turn takes, a killed one frees it within one
lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from tracking.errors import LockTimeout, StoreUnavailable

log = logging.getLogger(__name__)


class LockManager(Protocol):
    def lock(self, conversation_id: str, timeout: float = 30.0) -> contextlib.AbstractAsyncContextManager[None]:
        ...


class InProcessLockManager:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def lock(self, conversation_id: str, timeout: float = 30.0) -> AsyncIterator[None]:
        lk = self._locks.setdefault(conversation_id, asyncio.Lock())
        self._users[conversation_id] = self._users.get(conversation_id, 0) + 1
        try:
            try:
                await asyncio.wait_for(lk.acquire(), timeout)
            except TimeoutError as exc:
                raise LockTimeout(conversation_id) from exc
            try:
                yield
            finally:
                lk.release()
        finally:
            self._users[conversation_id] -= 1
            if self._users[conversation_id] == 0:
                del self._users[conversation_id]
                self._locks.pop(conversation_id, None)


_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end
"""


class RedisLockManager:
    """SET NX PX with a random token; released and renewed only by its holder (Lua compare)."""

    def __init__(self, redis: Redis, prefix: str = "shopbot:", lease_seconds: float = 5.0,
                 poll_seconds: float = 0.01) -> None:
        self._r: Any = redis  # redis-py types commands as `T | Awaitable[T]`
        self._prefix = prefix
        self._lease_ms = int(lease_seconds * 1000)
        self._poll = poll_seconds

    def _key(self, conversation_id: str) -> str:
        return f"{self._prefix}lock:{conversation_id}"

    @contextlib.asynccontextmanager
    async def lock(self, conversation_id: str, timeout: float = 30.0) -> AsyncIterator[None]:
        key, token = self._key(conversation_id), uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        delay = self._poll
        try:
            while not await self._r.set(key, token, nx=True, px=self._lease_ms):
                if loop.time() >= deadline:
                    raise LockTimeout(conversation_id)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.2)
        except RedisError as exc:
            raise StoreUnavailable(f"redis: {exc}") from exc
        renewer = asyncio.create_task(self._renew(key, token))
        try:
            yield
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            try:
                await self._r.eval(_RELEASE, 1, key, token)
            except RedisError as exc:
                raise StoreUnavailable(f"redis: {exc}") from exc

    async def _renew(self, key: str, token: str) -> None:
        while True:
            await asyncio.sleep(self._lease_ms / 2500)
            try:
                if not await self._r.eval(_RENEW, 1, key, token, str(self._lease_ms)):
                    log.warning("conversation lock %s was lost (lease ran out before renewal)", key)
                    return
            except RedisError:  # a blip: try again at the next beat, the lease still runs
                log.warning("renewing conversation lock %s failed", key, exc_info=True)
