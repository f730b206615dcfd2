"""Console events over Redis pub/sub: a shopper's message handled on one worker reaches the
agents' sockets on every worker."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shop.handoff import HandoffError


class ConsoleEventsUnavailable(HandoffError):
    """Redis could not carry a console event."""


class RedisHandoffEvents:
    def __init__(self, redis: Redis, prefix: str = "shopbot:") -> None:
        self._redis = redis
        self._channel = f"{prefix}console:events"

    async def publish(self, event: dict[str, Any]) -> None:
        try:
            await self._redis.publish(self._channel, json.dumps(event, ensure_ascii=False, default=str))
        except RedisError as exc:
            raise ConsoleEventsUnavailable("could not publish a console event") from exc

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        pubsub = self._redis.pubsub()
        try:
            await pubsub.subscribe(self._channel)
        except RedisError as exc:
            await pubsub.aclose()
            raise ConsoleEventsUnavailable("could not subscribe to console events") from exc

        async def stream() -> AsyncIterator[dict[str, Any]]:
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30.0)
                if message is not None and message.get("type") == "message":
                    yield json.loads(message["data"])

        try:
            yield stream()
        finally:
            with contextlib.suppress(RedisError):
                await pubsub.unsubscribe(self._channel)
            await pubsub.aclose()
