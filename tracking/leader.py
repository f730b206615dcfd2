"""Leader election for periodic jobs: only the worker holding the lease runs the schedule.

`RedisLeaderLock` takes the lease with `SET key owner NX PX ttl` and renews it (or gives it up)
with small Lua scripts that act only while this worker still owns the key, so a worker that
stalls past its lease cannot extend or delete a lease another worker took since.
`InProcessLeaderLock` is the embedded twin: one process, always the leader.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol

RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class LeaderLockError(Exception):
    """The lease store could not be reached; the worker stops leading until it can renew."""


class LeaderLock(Protocol):
    @property
    def is_leader(self) -> bool: ...

    async def acquire_or_renew(self) -> bool:
        """Take the lease if free, renew it if ours; return whether we lead now."""
        ...

    async def release(self) -> None: ...


class InProcessLeaderLock:
    """A single process always leads."""

    is_leader = True

    async def acquire_or_renew(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class RedisLeaderLock:
    """A lease in Redis; call `acquire_or_renew()` more often than `ttl_ms` (e.g. every ttl/3)."""

    def __init__(
        self,
        redis_url: str,
        key: str = "shopbot:scheduler:leader",
        ttl_ms: int = 15_000,
        owner: str | None = None,
    ) -> None:
        self.key = key
        self.ttl_ms = ttl_ms
        self.owner = owner or uuid.uuid4().hex
        self._url = redis_url
        self._client: Any = None
        self._leader = False

    @property
    def is_leader(self) -> bool:
        return self._leader

    async def start(self) -> None:
        import redis.asyncio as aioredis

        if self._client is None:
            self._client = aioredis.from_url(self._url)

    async def acquire_or_renew(self) -> bool:
        from redis.exceptions import RedisError

        if self._client is None:
            await self.start()
        try:
            if await self._client.set(self.key, self.owner, nx=True, px=self.ttl_ms):
                self._leader = True
            else:
                self._leader = bool(await self._client.eval(RENEW, 1, self.key, self.owner, self.ttl_ms))
        except RedisError as exc:
            self._leader = False  # cannot prove we still hold the lease: stop leading
            raise LeaderLockError("leader lease renewal failed") from exc
        return self._leader

    async def release(self) -> None:
        if self._client is not None:
            await self._client.eval(RELEASE, 1, self.key, self.owner)
        self._leader = False

    async def aclose(self) -> None:
        await self.release()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
