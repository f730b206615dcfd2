"""A tiny key-value port for channel state that must survive across workers.

Three channel needs share it: WeChat nonce replay protection (`add_if_absent`), Telegram
callback payloads too long for `callback_data` (`set`/`get`), WeChat numbered choices and the
web chat's unacknowledged pushes (`set`/`get`/`delete` of JSON strings).

`InMemoryChannelStore` is the in-process twin (with an injectable clock for expiry);
`RedisChannelStore` is the real adapter (`SET NX EX`), used when `REDIS_URL` is set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol


class ChannelStore(Protocol):
    async def add_if_absent(self, key: str, ttl: float) -> bool:
        """Record `key` for `ttl` seconds; False when it was already recorded (a replay)."""
        ...

    async def set(self, key: str, value: str, ttl: float | None = None) -> None: ...

    async def get(self, key: str) -> str | None: ...

    async def delete(self, key: str) -> None: ...


class InMemoryChannelStore:
    """The in-process twin: a dict of (value, expiry) with a controllable clock."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._data: dict[str, tuple[str, float | None]] = {}

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and self._clock() >= expires:
            del self._data[key]
            return None
        return value

    async def add_if_absent(self, key: str, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        self._data[key] = ("1", self._clock() + ttl)
        if len(self._data) > 10_000:
            self._sweep()
        return True

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._data[key] = (value, None if ttl is None else self._clock() + ttl)

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    def _sweep(self) -> None:
        now = self._clock()
        for key in [k for k, (_, exp) in self._data.items() if exp is not None and now >= exp]:
            del self._data[key]


class RedisChannelStore:
    """The Redis adapter; every key is prefixed (e.g. `shopbot:ch:`)."""

    def __init__(self, client: Any, prefix: str = "shopbot:ch:") -> None:
        self._r = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = "shopbot:ch:") -> RedisChannelStore:
        """Build from a Redis URL (no connection is made until the first command)."""
        import redis.asyncio as redis

        return cls(redis.Redis.from_url(url, decode_responses=True), prefix)

    async def add_if_absent(self, key: str, ttl: float) -> bool:
        ok = await self._r.set(self._prefix + key, "1", nx=True, px=max(1, int(ttl * 1000)))
        return bool(ok)

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        if ttl is None:
            await self._r.set(self._prefix + key, value)
        else:
            await self._r.set(self._prefix + key, value, px=max(1, int(ttl * 1000)))

    async def get(self, key: str) -> str | None:
        value = await self._r.get(self._prefix + key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def delete(self, key: str) -> None:
        await self._r.delete(self._prefix + key)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._r.aclose()
