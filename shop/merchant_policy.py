"""The demo stores answer after-sales tickets by a simple stated policy, so a demo completes
without a person playing the merchant (issue 17.6). The README states the same rules:

- refund: approved while the order has not shipped (paid, submitted); once it has shipped the
  shopper is asked to return it instead, so a refund after shipment goes to staff (left open);
- return: approved within `RETURN_DAYS` (7) of delivery, or before delivery; later it is rejected
  ("7 天无理由退货期已过 / the 7-day return period is over");
- exchange: approved within `EXCHANGE_DAYS` (15) of delivery; later it goes to staff;
- repair: accepted (approved);
- complaint: handed to staff (left open: the console's ticket list);
- a return, exchange or repair parcel the carrier has delivered back: receipt confirmed (a return
  is refunded).

`DemoMerchantPolicy.run()` is a job (`demo_merchant_policy`); it answers only for the merchants
`answers_for` accepts (the demo stores; a merchant with its own API key answers itself).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from shop.aftersales import (
    AWAITING_MERCHANT,
    AfterSalesTicket,
    IllegalTicketTransition,
    ServiceType,
    TicketService,
    TicketStatus,
)
from shop.logistics import ShipmentStatus
from shop.orders import OrderStatus
from shop.payments import PaymentError

log = logging.getLogger(__name__)
RETURN_DAYS = 7
EXCHANGE_DAYS = 15
NOT_SHIPPED = frozenset({OrderStatus.PAID, OrderStatus.SUBMITTED})
ACTOR = "demo-policy"
APPROVE, REJECT, STAFF = "approve", "reject", "staff"


class DemoMerchantPolicy:
    def __init__(self, tickets: TicketService, answers_for: Callable[[str], Awaitable[bool]]) -> None:
        self.tickets = tickets
        self.answers_for = answers_for

    async def decide(self, ticket: AfterSalesTicket) -> tuple[str, str]:
        """(approve | reject | staff, the note) for a ticket waiting for the merchant."""
        order = await self.tickets.orders.get(ticket.order_id)
        delivered = await self._delivered_at(ticket.order_id)
        days = None if delivered is None else (self.tickets.clock.now() - delivered) / timedelta(days=1)
        kind = ticket.service_type
        if kind is ServiceType.REFUND:
            if order.status in NOT_SHIPPED:
                return APPROVE, "未发货,同意退款 / not shipped yet: refund approved"
            return STAFF, ""
        if kind is ServiceType.RETURN:
            if days is None or days <= RETURN_DAYS:
                return APPROVE, "7 天无理由退货,同意 / within the 7-day return period: approved"
            return REJECT, "7 天无理由退货期已过 / the 7-day return period is over"
        if kind is ServiceType.EXCHANGE:
            if days is None or days <= EXCHANGE_DAYS:
                return APPROVE, "15 天内换货,同意 / within 15 days: exchange approved"
            return STAFF, ""
        if kind is ServiceType.REPAIR:
            return APPROVE, "保修范围内,受理维修 / repair accepted"
        return STAFF, ""  # a complaint: a person reads it

    async def _delivered_at(self, order_id: str) -> datetime | None:
        shipment = await self.tickets.shipments.shipment_for_order(order_id)
        if shipment is None:
            return None
        return next((e.time for e in shipment.events if e.status is ShipmentStatus.DELIVERED), None)

    async def run(self) -> int:
        """Answer what the demo stores have waiting; confirm returned parcels that arrived. The
        number of tickets moved."""
        moved = 0
        for ticket in await self.tickets.repo.find(statuses=AWAITING_MERCHANT, limit=200):
            if not await self.answers_for(ticket.merchant):
                continue
            decision, note = await self.decide(ticket)
            if decision == STAFF:
                continue
            try:
                await self.tickets.answer(ticket.id, ticket.merchant, decision == APPROVE, note, actor=ACTOR)
                moved += 1
            except (IllegalTicketTransition, PaymentError):
                log.info("demo policy could not answer %s now; next round", ticket.id, exc_info=True)
        for ticket in await self.tickets.repo.find(statuses=[TicketStatus.RETURN_SHIPPING], limit=200):
            if not ticket.return_tracking_number or not await self.answers_for(ticket.merchant):
                continue
            parcel = await self.tickets.shipments.repo.get_by_parcel(ticket.return_carrier,
                                                                     ticket.return_tracking_number)
            if parcel is None or parcel.status is not ShipmentStatus.DELIVERED:
                continue
            try:
                await self.tickets.confirm_return_received(ticket.id, ticket.merchant)
                moved += 1
            except (IllegalTicketTransition, PaymentError):
                log.info("demo policy could not confirm %s now; next round", ticket.id, exc_info=True)
        return moved
