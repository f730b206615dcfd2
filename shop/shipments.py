"""Shipments: parcels of orders (and of after-sales returns), polled from the carrier.

Two jobs keep them moving (both safe to run twice, even at the same time):
* `sync_platform_orders()` asks each platform about submitted orders; a shipped order gets
  its shipment (and the order moves to shipped), a cancelled one is refunded;
* `poll_shipments()` fetches new tracking events of open shipments and pushes each NEW
  status to the shopper exactly once: a push is claimed by inserting (shipment, status)
  under a unique constraint before sending, and released again if the send fails.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from shop.clock import Clock
from shop.logistics import Carrier, CarrierError, ShipmentStatus, TrackingEvent
from shop.notify import ShopperNotifier
from shop.ordering import OrderService
from shop.orders import IllegalTransition, OrderStatus
from shop.ports import MarketplaceError

log = logging.getLogger(__name__)
FINAL = frozenset({ShipmentStatus.DELIVERED, ShipmentStatus.LOST, ShipmentStatus.REJECTED})


@dataclass(frozen=True)
class Shipment:
    id: str
    order_id: str
    carrier_code: str
    tracking_number: str
    status: ShipmentStatus
    open: bool
    created_at: datetime
    updated_at: datetime
    kind: str = "delivery"  # delivery, return
    ticket_id: str | None = None
    events: tuple[TrackingEvent, ...] = ()


class ShipmentRepository(Protocol):
    async def add_shipment(self, shipment: Shipment) -> bool:
        """Insert; False when the parcel (carrier code, tracking number) is known already."""
        ...

    async def get_by_parcel(self, carrier_code: str, tracking_number: str) -> Shipment | None: ...

    async def by_tracking_number(self, tracking_number: str) -> list[Shipment]: ...

    async def for_order(self, order_id: str, kind: str = "delivery") -> Shipment | None: ...

    async def list_open(self, limit: int = 500) -> list[Shipment]: ...

    async def save_events(
        self, shipment_id: str, events: list[TrackingEvent], status: ShipmentStatus, open_: bool, at: datetime
    ) -> None:
        """Store the events not stored yet (by position) and the current status."""
        ...

    async def claim_push(self, shipment_id: str, status: ShipmentStatus, at: datetime) -> bool:
        """True for the one caller that may push this status of this shipment."""
        ...

    async def release_push(self, shipment_id: str, status: ShipmentStatus) -> None: ...


class ShipmentService:
    def __init__(
        self,
        repo: ShipmentRepository,
        carrier: Carrier,
        orders: OrderService,
        notifier: ShopperNotifier,
        clock: Clock,
        *,
        callback_url: str = "",
    ) -> None:
        self.repo = repo
        self.carrier = carrier
        self.orders = orders
        self.notifier = notifier
        self.clock = clock
        self.callback_url = callback_url

    async def ship(self, order_id: str, carrier_code: str, tracking_number: str, actor: str) -> Shipment:
        """The merchant (or platform) shipped the order: record the parcel, order → shipped."""
        order = await self.orders.get(order_id)
        if order.status is not OrderStatus.SUBMITTED:
            existing = await self.repo.for_order(order_id)
            if existing is not None and existing.tracking_number == tracking_number:
                return existing
            raise IllegalTransition(order.id, order.status, OrderStatus.SHIPPED)
        shipment = await self._add(order_id, carrier_code, tracking_number, "delivery", None)
        await self.orders.transition(order, OrderStatus.SHIPPED, actor, f"{carrier_code} {tracking_number}")
        return shipment

    async def add_return(
        self, ticket_id: str, order_id: str, carrier_code: str, tracking_number: str
    ) -> Shipment:
        """The shopper sent an after-sales parcel back."""
        return await self._add(order_id, carrier_code, tracking_number, "return", ticket_id)

    async def _add(self, order_id: str, code: str, number: str, kind: str, ticket_id: str | None) -> Shipment:
        now = self.clock.now()
        shipment = Shipment(
            id=f"{code}:{number}",
            order_id=order_id,
            carrier_code=code,
            tracking_number=number,
            status=ShipmentStatus.CREATED,
            open=True,
            created_at=now,
            updated_at=now,
            kind=kind,
            ticket_id=ticket_id,
        )
        if not await self.repo.add_shipment(shipment):
            known = await self.repo.get_by_parcel(code, number)
            assert known is not None
            return known
        if self.callback_url:
            try:
                await self.carrier.subscribe(code, number, self.callback_url)
            except CarrierError:
                log.warning("subscribing %s %s failed; polling only", code, number, exc_info=True)
        return shipment

    async def shipment_for_order(self, order_id: str) -> Shipment | None:
        """The order's delivery parcel with its events (None before it ships)."""
        return await self.repo.for_order(order_id)

    async def poll_shipments(self) -> int:
        """Fetch open parcels' events; push each new status once. Returns the pushes made."""
        pushed = 0
        for shipment in await self.repo.list_open():
            try:
                events = await self.carrier.track(shipment.carrier_code, shipment.tracking_number)
            except CarrierError:
                log.warning("tracking %s failed; next round", shipment.id, exc_info=True)
                continue
            pushed += await self.apply_events(shipment, events)
        return pushed

    async def handle_carrier_callback(self, headers: Mapping[str, str], body: bytes) -> int:
        """A carrier pushed an update: verify it (CarrierError if it does not) and apply it."""
        tracking_number, events = self.carrier.parse_callback(headers, body)
        found = await self.repo.by_tracking_number(tracking_number)
        if not found:
            raise CarrierError(f"no shipment with tracking number {tracking_number}")
        return sum([await self.apply_events(shipment, events) for shipment in found])

    async def apply_events(self, shipment: Shipment, events: list[TrackingEvent]) -> int:
        """Store a parcel's events (from polling or a carrier push) and tell the shopper."""
        if not events:
            return 0
        status = events[-1].status
        now = self.clock.now()
        await self.repo.save_events(shipment.id, events, status, status not in FINAL, now)
        current = Shipment(
            **{
                **shipment.__dict__,
                "status": status,
                "events": tuple(events),
                "open": status not in FINAL,
                "updated_at": now,
            }
        )
        pushed = 0
        seen: list[ShipmentStatus] = []
        for event in events:
            if event.status in seen:
                continue
            seen.append(event.status)
            if not await self.repo.claim_push(shipment.id, event.status, now):
                continue
            upto = events[: max(i for i, e in enumerate(events) if e.status is event.status) + 1]
            told = replace(current, status=event.status, events=tuple(upto))
            order = await self.orders.get(shipment.order_id)
            try:
                await self.notifier.shipment_changed(order.recipient, told)
            except BaseException:
                await self.repo.release_push(shipment.id, event.status)
                raise
            pushed += 1
        if status is ShipmentStatus.DELIVERED and shipment.kind == "delivery":
            order = await self.orders.get(shipment.order_id)
            if order.status is OrderStatus.SHIPPED:
                await self.orders.transition(order, OrderStatus.DELIVERED, f"carrier:{shipment.carrier_code}")
        return pushed

    async def sync_platform_orders(self) -> int:
        """Ask the platforms about submitted orders; returns how many changed."""
        changed = 0
        for order in await self.orders.find(statuses=[OrderStatus.SUBMITTED], limit=500):
            connector = self.orders.connectors.get(order.platform)
            if connector is None or order.platform_order_id is None:
                continue
            try:
                state = await connector.get_order_status(order.platform_order_id)
            except MarketplaceError:
                log.warning("status of %s on %s unavailable", order.id, order.platform, exc_info=True)
                continue
            if state.status in ("shipped", "delivered") and state.tracking_number:
                await self.ship(
                    order.id,
                    state.carrier_code or order.platform,
                    state.tracking_number,
                    f"platform:{order.platform}",
                )
                changed += 1
            elif state.status == "cancelled":
                await self.orders.refund(
                    order,
                    order.total,
                    f"platform-cancel-{order.id}",
                    f"platform:{order.platform}",
                    "cancelled by the platform",
                )
                changed += 1
        return changed
