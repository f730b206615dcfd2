"""The push path: replies the bot sends on its own, routed to the shopper's own channel.

`PushRouter` implements `dialogue.ports.PushPort`. Channels that can deliver by themselves
(Telegram, WeChat customer-service messages) register a `ChannelSender`; everything else
(REST, web chat, a channel whose sender fails) lands in the outbox, which the REST outbox
route and the web chat socket drain.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any, Protocol

from dialogue.messages import Reply, conversation_id
from shop.clock import Clock
from tracking.outbox import Outbox

log = logging.getLogger(__name__)


class ChannelSender(Protocol):
    async def send(self, recipient_id: str, replies: list[Reply]) -> None: ...


class ChannelSendError(Exception):
    """A channel could not deliver a pushed message (the router falls back to the outbox)."""


class PushRouter:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox
        self._senders: dict[str, ChannelSender] = {}

    def register(self, channel: str, sender: ChannelSender) -> None:
        self._senders[channel] = sender

    async def push(self, channel: str, recipient_id: str, replies: list[Reply], event_key: str | None = None) -> None:
        if not replies:
            return
        sender = self._senders.get(channel)
        if sender is not None:
            try:
                await sender.send(recipient_id, replies)
                return
            except ChannelSendError:
                log.warning("push via %s failed; kept in the outbox", channel, exc_info=True)
        await self._outbox.put(
            conversation_id(channel, recipient_id), [r.to_dict(recipient_id) for r in replies]
        )


class PushStore(Protocol):
    """The durable outbox of pushes (SQL: integrations/db/push_outbox.py)."""

    async def add(self, channel: str, recipient_id: str, event_key: str, replies: list[dict[str, Any]],
                  at: datetime) -> bool: ...

    async def claim(self, now: datetime, lease: timedelta, limit: int = 50) -> list[Any]: ...

    async def ack(self, push_id: int, at: datetime) -> None: ...


class DurablePush:
    """`PushPort` with at-least-once delivery: a push is a row in the durable outbox before it is
    sent (once per recipient and event: `event_key`), a sender claims due rows for a lease,
    delivers them through the router and acknowledges each. A sender that dies mid-push leaves
    its rows claimed; they are due again when the lease runs out, and the `deliver_pushes` job
    (or the next push) sends them."""

    def __init__(self, router: PushRouter, store: PushStore, clock: Clock,
                 lease: timedelta = timedelta(seconds=30)) -> None:
        self._router, self._store, self._clock, self._lease = router, store, clock, lease

    async def push(self, channel: str, recipient_id: str, replies: list[Reply], event_key: str | None = None) -> None:
        if not replies:
            return
        key = event_key or f"push:{uuid.uuid4().hex}"
        if not await self._store.add(channel, recipient_id, key, [r.to_dict(recipient_id) for r in replies],
                                     self._clock.now()):
            return  # this event was pushed to this recipient before
        try:
            await self.deliver_due()  # now, as before; what fails here is retried from the outbox
        except Exception:
            log.warning("delivering pushes failed; retried by deliver_pushes", exc_info=True)

    async def deliver_due(self) -> int:
        """Send every due push (claimed for a lease, acknowledged once sent); how many were sent."""
        sent = 0
        while batch := await self._store.claim(self._clock.now(), self._lease):
            for item in batch:
                replies = [Reply.from_dict(r) for r in item.replies]
                await self._router.push(item.channel, item.recipient_id, replies)
                await self._store.ack(item.id, self._clock.now())
                sent += 1
        return sent
