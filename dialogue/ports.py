"""Ports the dialogue layer needs from the outside; adapters are wired in bot/wiring.py."""

from __future__ import annotations

from typing import Protocol

from dialogue.messages import Reply


class PushPort(Protocol):
    """Deliver replies the bot sends on its own (shipment updates, alerts, an agent's reply).

    The bot layer routes them to the shopper's own channel: the REST outbox, a Telegram
    chat, a WeChat customer-service message, a web chat socket.
    """

    async def push(self, channel: str, recipient_id: str, replies: list[Reply]) -> None: ...
