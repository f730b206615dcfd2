"""The push path: replies the bot sends on its own, routed to the shopper's own channel.

`PushRouter` implements `dialogue.ports.PushPort`. Channels that can deliver by themselves
(Telegram, WeChat customer-service messages) register a `ChannelSender`; everything else
(REST, web chat, a channel whose sender fails) lands in the outbox, which the REST outbox
route and the web chat socket drain.
"""

from __future__ import annotations

import logging
from typing import Protocol

from dialogue.messages import Reply, conversation_id
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

    async def push(self, channel: str, recipient_id: str, replies: list[Reply]) -> None:
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
