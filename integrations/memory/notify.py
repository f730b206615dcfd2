"""A notifier that keeps every notification (tests, scripts)."""

from __future__ import annotations

from typing import Any

from shop.aftersales import AfterSalesTicket
from shop.notify import Recipient
from shop.orders import OrderStatusChanged
from shop.shipments import Shipment


class RecordingNotifier:
    """The in-memory twin: keeps every notification (tests, the terminal channel)."""

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, str, Any]] = []
        self.orders: list[OrderStatusChanged] = []

    async def shipment_changed(self, recipient: Recipient, shipment: Shipment) -> None:
        self.sent.append((recipient, "shipment", shipment))

    async def ticket_changed(self, recipient: Recipient, ticket: AfterSalesTicket) -> None:
        self.sent.append((recipient, "ticket", ticket))

    async def order_changed(self, event: OrderStatusChanged) -> None:
        self.orders.append(event)

    def of_kind(self, kind: str) -> list[Any]:
        """What the shopper was told of that kind ("shipment": Shipments, "ticket": tickets), in order."""
        return [told for _, k, told in self.sent if k == kind]
