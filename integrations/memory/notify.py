"""A notifier that keeps every notification (tests, scripts)."""

from __future__ import annotations

from typing import Any

from shop.notify import Recipient
from shop.orders import OrderStatusChanged


class RecordingNotifier:
    """The in-memory twin: keeps every notification (tests, the terminal channel)."""

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, str, dict[str, Any]]] = []
        self.orders: list[OrderStatusChanged] = []

    async def notify(self, recipient: Recipient, kind: str, payload: dict[str, Any]) -> None:
        self.sent.append((recipient, kind, payload))

    async def order_changed(self, event: OrderStatusChanged) -> None:
        self.orders.append(event)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [p for _, k, p in self.sent if k == kind]
