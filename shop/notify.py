"""How the shop services tell a shopper that something changed (order, shipment, ticket).

The services hand over the channel-neutral `custom` payload of contracts/channels.md
(`order`, `shipment`, `ticket`); the dialogue layer (dialogue/notifications.py) turns it into a
readable reply in the shopper's language and pushes it to the shopper's own channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Recipient:
    """Where and in which language a shopper is told about changes."""

    channel: str
    recipient_id: str
    language: str = "zh"


class ShopperNotifier(Protocol):
    async def notify(self, recipient: Recipient, kind: str, payload: dict[str, Any]) -> None:
        """Tell the shopper; `kind` is the payload type (order, shipment, ticket)."""
        ...


class RecordingNotifier:
    """The in-memory twin: keeps every notification (tests, the terminal channel)."""

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, str, dict[str, Any]]] = []

    async def notify(self, recipient: Recipient, kind: str, payload: dict[str, Any]) -> None:
        self.sent.append((recipient, kind, payload))

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [p for _, k, p in self.sent if k == kind]
