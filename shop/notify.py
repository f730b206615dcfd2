"""How the shop services tell a shopper that something changed (order, shipment, ticket).

The services hand over typed values: an `OrderStatusChanged` event, the `Shipment` as the
shopper should now see it, the `AfterSalesTicket` that moved. The dialogue layer
(dialogue/notifications.py) turns each into a payload and a readable reply in the shopper's
language and pushes it to the shopper's own channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from shop.aftersales import AfterSalesTicket
    from shop.orders import OrderStatusChanged
    from shop.shipments import Shipment


@dataclass(frozen=True)
class Recipient:
    """Where and in which language a shopper is told about changes."""

    channel: str
    recipient_id: str
    language: str = "zh"


class ShopperNotifier(Protocol):
    async def shipment_changed(self, recipient: Recipient, shipment: Shipment) -> None:
        """Tell the shopper where the parcel is (`shipment` holds the status and events to tell)."""
        ...

    async def ticket_changed(self, recipient: Recipient, ticket: AfterSalesTicket) -> None:
        """Tell the shopper that an after-sales ticket was opened or moved."""
        ...

    async def order_changed(self, event: OrderStatusChanged) -> None:
        """Tell the order's shopper that it moved."""
        ...
