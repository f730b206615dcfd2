"""Redis-backed cache (production search cache); implements shop.cache.Cache.

Connects in `start()` (or `async with`), never at import or construction. Redis errors are
treated as a cache miss / skipped write: the search still answers, just without the cache.
"""

from __future__ import annotations

import logging
from typing import Self

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class RedisCache:
    """Keys live under `prefix`; values are text with a TTL in milliseconds."""

    def __init__(self, url: str, *, prefix: str = "shopbot:cache:") -> None:
        self.url = url
        self.prefix = prefix
        self._client: aioredis.Redis | None = None

    async def start(self, *, check: bool = True) -> None:
        """Create the client; with `check`, ping so a wrong URL fails at start, not later."""
        if self._client is None:
            self._client = aioredis.Redis.from_url(self.url, decode_responses=True, socket_connect_timeout=2)
            if check:
                await self._client.ping()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _redis(self) -> aioredis.Redis:
        if self._client is None:
            raise RuntimeError("RedisCache not started")
        return self._client

    async def get(self, key: str) -> str | None:
        try:
            value = await self._redis().get(self.prefix + key)
        except RedisError as exc:
            log.warning("cache get failed: %s", exc)
            return None
        return None if value is None else str(value)

    async def set(self, key: str, value: str, ttl_seconds: float) -> None:
        try:
            await self._redis().set(self.prefix + key, value, px=max(1, int(ttl_seconds * 1000)))
        except RedisError as exc:
            log.warning("cache set failed: %s", exc)

    async def delete(self, key: str) -> None:
        try:
            await self._redis().delete(self.prefix + key)
        except RedisError as exc:
            log.warning("cache delete failed: %s", exc)
