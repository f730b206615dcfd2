"""Redis adapters: tracker store (one list per conversation) and outbox (list + pub/sub)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from tracking.errors import StoreUnavailable
from tracking.events import Event
from tracking.sealing import EventCipher, dump_event, load_event, reseal_event
from tracking.store import TrackerStoreBase
from tracking.tracker import Tracker


class RedisTrackerStore(TrackerStoreBase):
    """Transcripts as Redis lists. `retention_seconds` (TRACKER_RETENTION_DAYS): a conversation
    idle that long is forgotten (its key expires; the index of conversations drops it).
    Durability is Redis's: run it with AOF (`appendonly yes`) — see the README."""

    def __init__(self, redis: Redis, prefix: str = "shopbot:", retention_seconds: float | None = None,
                 cipher: EventCipher | None = None) -> None:
        # Any: redis-py types every command as `T | Awaitable[T]`, which the asyncio client never returns
        self._r: Any = redis
        self._prefix = prefix
        self._cipher = cipher  # events encrypted at rest (tracking/sealing.py)
        self._retention = int(retention_seconds) if retention_seconds else None
        self._index = f"{prefix}conversations:active"  # sorted set: conversation → last activity

    def _key(self, conversation_id: str) -> str:
        return f"{self._prefix}tracker:{conversation_id}"

    async def load(self, conversation_id: str) -> Tracker:
        try:
            raw = await self._r.lrange(self._key(conversation_id), 0, -1)
        except RedisError as exc:
            raise StoreUnavailable(f"redis: {exc}") from exc
        return Tracker(conversation_id, [load_event(r, self._cipher) for r in raw])

    async def append(self, conversation_id: str, events: list[Event]) -> None:
        if not events:
            return
        key = self._key(conversation_id)
        try:
            async with self._r.pipeline(transaction=True) as pipe:
                pipe.rpush(key, *[dump_event(e, self._cipher) for e in events])
                if self._retention:
                    pipe.expire(key, self._retention)
                pipe.zadd(self._index, {conversation_id: time.time()})
                await pipe.execute()
        except RedisError as exc:
            raise StoreUnavailable(f"redis: {exc}") from exc

    async def conversation_ids(self) -> list[str]:
        try:
            if self._retention:
                await self._r.zremrangebyscore(self._index, "-inf", time.time() - self._retention)
            members = await self._r.zrange(self._index, 0, -1)
        except RedisError as exc:
            raise StoreUnavailable(f"redis: {exc}") from exc
        return sorted(m.decode() if isinstance(m, bytes) else m for m in members)

    async def encrypt_all(self) -> int:
        """Encrypt events stored in plain text and re-wrap the others under the current master
        key (`shopbot keys rotate`); how many events changed. Appends meanwhile only add at the
        end of a list, so setting an element by its index is safe."""
        cipher = self._cipher
        if cipher is None:
            return 0
        changed = 0
        async for key in self._r.scan_iter(match=f"{self._prefix}tracker:*", count=500):
            for index, raw in enumerate(await self._r.lrange(key, 0, -1)):
                new = reseal_event(raw, cipher)
                if new != (raw.decode() if isinstance(raw, bytes) else raw):
                    await self._r.lset(key, index, new)
                    changed += 1
        return changed


class RedisOutbox:
    """Pending pushes per conversation in a Redis list; a pub/sub message wakes waiters on any worker."""

    def __init__(self, redis: Redis, prefix: str = "shopbot:") -> None:
        self._r: Any = redis  # see RedisTrackerStore
        self._prefix = prefix

    def _key(self, conversation_id: str) -> str:
        return f"{self._prefix}outbox:{conversation_id}"

    def _channel(self, conversation_id: str) -> str:
        return f"{self._prefix}outbox-notify:{conversation_id}"

    async def put(self, conversation_id: str, items: list[dict[str, Any]]) -> None:
        if not items:
            return
        try:
            await self._r.rpush(
                self._key(conversation_id), *[json.dumps(i, ensure_ascii=False) for i in items]
            )
            await self._r.publish(self._channel(conversation_id), "1")
        except RedisError as exc:
            raise StoreUnavailable(f"redis: {exc}") from exc

    async def drain(self, conversation_id: str) -> list[dict[str, Any]]:
        key = self._key(conversation_id)
        try:
            async with self._r.pipeline(transaction=True) as pipe:
                pipe.lrange(key, 0, -1)
                pipe.delete(key)
                raw, _ = await pipe.execute()
        except RedisError as exc:
            raise StoreUnavailable(f"redis: {exc}") from exc
        return [json.loads(r) for r in raw]

    async def peek(self, conversation_id: str) -> list[dict[str, Any]]:
        raw = await self._r.lrange(self._key(conversation_id), 0, -1)
        return [json.loads(r) for r in raw]

    async def wait(self, conversation_id: str, timeout: float) -> bool:
        key = self._key(conversation_id)
        if await self._r.llen(key):
            return True
        pubsub = self._r.pubsub()
        try:
            await pubsub.subscribe(self._channel(conversation_id))
            # Re-check after subscribing: a put between the first check and the subscription
            # published before we listened.
            if await self._r.llen(key):
                return True
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while (left := deadline - loop.time()) > 0:
                msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
                if msg is not None:
                    return True
            return bool(await self._r.llen(key))
        finally:
            await pubsub.unsubscribe()
            await pubsub.aclose()
