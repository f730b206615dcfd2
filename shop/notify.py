"""How the shop services tell a shopper that something changed (order, shipment, ticket).

Orders hand over a typed domain event (`OrderStatusChanged`); shipments and tickets hand
over their channel-neutral `custom` payload (`shipment`, `ticket`). The dialogue layer
(dialogue/notifications.py) turns either into a readable reply in the shopper's language and
pushes it to the shopper's own channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from shop.orders import OrderStatusChanged


@dataclass(frozen=True)
class Recipient:
    """Where and in which language a shopper is told about changes."""

    channel: str
    recipient_id: str
    language: str = "zh"


class ShopperNotifier(Protocol):
    async def notify(self, recipient: Recipient, kind: str, payload: dict[str, Any]) -> None:
        """Tell the shopper; `kind` is the payload type (shipment, ticket)."""
        ...

    async def order_changed(self, event: OrderStatusChanged) -> None:
        """Tell the order's shopper that it moved."""
        ...
