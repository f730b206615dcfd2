"""After-sales tickets: return, exchange, repair, refund and complaint, tied to an order line.

    open → merchant_processing → approved | rejected
    approved → return_shipping → resolved        (return, exchange, repair: the parcel goes back)
    approved → resolved                          (refund, complaint)
    rejected → arbitration | resolved            (the shopper escalates, or accepts)
    open | merchant_processing → arbitration     (the merchant missed its deadline)
    arbitration → approved | resolved            (the platform decides)

A return, exchange or repair approved carries the merchant's return address (`ReturnAddressBook`,
copied onto the ticket when it is approved); the shopper sends the parcel there and gives its
carrier and tracking number (`add_return_shipment`, checked by shop/parcels.py), which the ticket
keeps and the carrier tracks until the merchant confirms it is back.

Refunds (refund once approved, return once the parcel is back) go through the order's payment
provider, with the ticket id as the refund id, so a retry refunds once. The shopper is told of
every change (`ticket` payload).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import Enum
from typing import Any, Protocol

from shop.clock import Clock
from shop.notify import ShopperNotifier
from shop.ordering import OrderService
from shop.orders import CENT, OrderError, OrderStatus, new_order_id
from shop.parcels import valid_parcel
from shop.payments import PaymentError, RefundPending
from shop.ports import NoUnitOfWork, UnitOfWork
from shop.refunds import RefundRepository
from shop.shipments import ShipmentService


class ServiceType(str, Enum):
    RETURN = "return"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    REFUND = "refund"
    COMPLAINT = "complaint"


class TicketStatus(str, Enum):
    OPEN = "open"
    MERCHANT_PROCESSING = "merchant_processing"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURN_SHIPPING = "return_shipping"
    ARBITRATION = "arbitration"
    RESOLVED = "resolved"


T = TicketStatus
TICKET_TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    T.OPEN: frozenset({T.MERCHANT_PROCESSING, T.ARBITRATION}),
    T.MERCHANT_PROCESSING: frozenset({T.APPROVED, T.REJECTED, T.ARBITRATION}),
    T.REJECTED: frozenset({T.ARBITRATION, T.RESOLVED}),
    T.ARBITRATION: frozenset({T.APPROVED, T.RESOLVED}),
    T.APPROVED: frozenset({T.RETURN_SHIPPING, T.RESOLVED}),
    T.RETURN_SHIPPING: frozenset({T.RESOLVED}),
    T.RESOLVED: frozenset(),
}
NEEDS_RETURN = frozenset({ServiceType.RETURN, ServiceType.EXCHANGE, ServiceType.REPAIR})
REFUNDS_MONEY = frozenset({ServiceType.RETURN, ServiceType.REFUND})
AWAITING_MERCHANT = (T.OPEN, T.MERCHANT_PROCESSING)
MAX_PHOTOS = 9
TICKETABLE = frozenset(
    {
        OrderStatus.PAID,
        OrderStatus.SUBMITTED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.COMPLETED,
    }
)


class TicketError(OrderError):
    """Base of the after-sales errors."""


class IllegalTicketTransition(TicketError):
    def __init__(self, ticket_id: str, current: TicketStatus, target: TicketStatus) -> None:
        allowed = ", ".join(sorted(s.value for s in TICKET_TRANSITIONS[current])) or "nothing (resolved)"
        super().__init__(
            f"ticket {ticket_id} cannot go from {current.value} to {target.value}; "
            f"from {current.value} it may go to: {allowed}"
        )
        self.current, self.target = current, target


class TicketNotFound(TicketError):
    pass


class InvalidTicket(TicketError):
    """The request cannot become a ticket (wrong order, line, owner or state)."""


@dataclass(frozen=True)
class AfterSalesTicket:
    id: str
    order_id: str
    line_no: int
    service_type: ServiceType
    reason: str
    photos: tuple[str, ...]
    status: TicketStatus
    merchant: str
    shopper_id: str
    deadline_at: datetime
    created_at: datetime
    updated_at: datetime
    resolution: str = ""
    refund_amount: Decimal | None = None
    quantity: int = 1  # how many of the line's items the request is about
    return_address: str = ""  # where the parcel goes back (copied from the merchant on approval)
    return_carrier: str = ""  # the shopper's return parcel: carrier code (shop.parcels)
    return_tracking_number: str = ""


@dataclass(frozen=True)
class TicketEvent:
    ticket_id: str
    at: datetime
    from_status: TicketStatus | None
    to_status: TicketStatus
    actor: str
    note: str = ""


class ReturnAddressBook(Protocol):
    async def return_address(self, merchant: str) -> str | None:
        """The merchant's return address (receiver, phone, address in one line), None when unknown."""
        ...

    async def set_return_address(self, merchant: str, address: str) -> None: ...


class NoReturnAddresses:
    """No merchant data: the shopper is told the merchant will send the address."""

    async def return_address(self, merchant: str) -> str | None:
        return None

    async def set_return_address(self, merchant: str, address: str) -> None:
        raise InvalidTicket("return addresses are not kept here")


class TicketRepository(Protocol):
    async def add(self, ticket: AfterSalesTicket, event: TicketEvent, idempotency_key: str | None) -> bool:
        """Insert; False when the idempotency key was used already."""
        ...

    async def get(self, ticket_id: str) -> AfterSalesTicket | None: ...

    async def get_by_key(self, idempotency_key: str) -> AfterSalesTicket | None: ...

    async def update_status(
        self, ticket_id: str, expected: TicketStatus, event: TicketEvent, fields: Mapping[str, Any]
    ) -> bool: ...

    async def find(
        self,
        *,
        shopper_id: str | None = None,
        merchant: str | None = None,
        statuses: Sequence[TicketStatus] | None = None,
        due_before: datetime | None = None,
        limit: int = 50,
    ) -> list[AfterSalesTicket]: ...

    async def events(self, ticket_id: str) -> list[TicketEvent]: ...

    async def add_photo(self, ticket_id: str, photo: str, at: datetime) -> bool:
        """Append a photo reference to the ticket (unchanged when it is there already)."""
        ...


class TicketService:
    def __init__(
        self,
        repo: TicketRepository,
        orders: OrderService,
        shipments: ShipmentService,
        notifier: ShopperNotifier,
        clock: Clock,
        *,
        deadline: timedelta = timedelta(hours=48),
        uow: UnitOfWork | None = None,
        addresses: ReturnAddressBook | None = None,
        refunds: RefundRepository,
    ) -> None:
        self.repo = repo
        self.refunds = refunds  # to see whether an approved ticket's refund is still unanswered
        self.addresses: ReturnAddressBook = addresses or NoReturnAddresses()
        self.orders = orders
        self.shipments = shipments
        self.notifier = notifier
        self.clock = clock
        self.deadline = deadline
        self.uow: UnitOfWork = uow or NoUnitOfWork()

    async def get(self, ticket_id: str) -> AfterSalesTicket:
        ticket = await self.repo.get(ticket_id)
        if ticket is None:
            raise TicketNotFound(f"no ticket {ticket_id}")
        return ticket

    async def open_ticket(
        self,
        order_id: str,
        line_no: int,
        service_type: ServiceType | str,
        reason: str,
        shopper_id: str,
        photos: Sequence[str] = (),
        idempotency_key: str | None = None,
        notify: bool = True,
        quantity: int | None = None,
    ) -> AfterSalesTicket:
        """Open a ticket on one line of the shopper's order (once per idempotency key). The
        shopper is pushed its card unless `notify` is False: the chat that opened it shows the
        card in its answer, and a second card of the same status would be a duplicate."""
        if idempotency_key and (found := await self.repo.get_by_key(idempotency_key)) is not None:
            return found
        order = await self.orders.get(order_id)
        if order.shopper_id != shopper_id:
            raise InvalidTicket(f"order {order_id} is not this shopper's")
        if order.status not in TICKETABLE:
            raise InvalidTicket(f"order {order_id} is {order.status.value}; after-sales needs a paid order")
        if not 0 <= line_no < len(order.lines):
            raise InvalidTicket(f"order {order_id} has no line {line_no}")
        if not reason.strip():
            raise InvalidTicket("a reason is required")
        bought = order.lines[line_no].quantity
        quantity = bought if quantity is None else quantity
        if not 1 <= quantity <= bought:
            raise InvalidTicket(f"line {line_no} of order {order_id} has {bought} item(s), not {quantity}")
        now = self.clock.now()
        for _ in range(8):
            ticket = AfterSalesTicket(
                id="AS" + new_order_id(now)[2:],  # AS + yyyymmdd + 5 digits
                order_id=order_id,
                line_no=line_no,
                service_type=ServiceType(service_type),
                reason=reason.strip(),
                photos=tuple(photos),
                status=T.OPEN,
                merchant=order.merchant,
                shopper_id=shopper_id,
                deadline_at=now + self.deadline,
                created_at=now,
                updated_at=now,
                quantity=quantity,
            )
            if await self.repo.get(ticket.id) is None:
                break
        added = await self.repo.add(
            ticket, TicketEvent(ticket.id, now, None, T.OPEN, f"shopper:{shopper_id}"), idempotency_key
        )
        if not added and idempotency_key:
            found = await self.repo.get_by_key(idempotency_key)
            assert found is not None
            return found
        if notify:
            await self.notifier.ticket_changed(order.recipient, ticket)
        return ticket

    async def list_for_shopper(self, shopper_id: str, limit: int = 20) -> list[AfterSalesTicket]:
        return await self.repo.find(shopper_id=shopper_id, limit=limit)

    async def awaiting_return_parcel(self, shopper_id: str) -> AfterSalesTicket | None:
        """The shopper's newest approved return / exchange / repair still waiting for its parcel."""
        found = await self.repo.find(shopper_id=shopper_id, statuses=[T.APPROVED], limit=20)
        return next((t for t in found if t.service_type in NEEDS_RETURN), None)

    async def add_photo(self, shopper_id: str, photo: str) -> AfterSalesTicket:
        """Add a photo to the shopper's newest ticket still being handled (`TicketNotFound`
        when there is none; `InvalidTicket` past MAX_PHOTOS)."""
        open_ = [t for t in await self.repo.find(shopper_id=shopper_id, limit=20) if t.status is not T.RESOLVED]
        if not open_:
            raise TicketNotFound(f"shopper {shopper_id} has no open ticket")
        ticket = open_[0]
        if len(ticket.photos) >= MAX_PHOTOS and photo not in ticket.photos:
            raise InvalidTicket(f"ticket {ticket.id} has {MAX_PHOTOS} photos already")
        await self.repo.add_photo(ticket.id, photo, self.clock.now())
        return await self.get(ticket.id)

    async def list_for_merchant(
        self,
        merchant: str,
        statuses: Sequence[TicketStatus] | None = None,
    ) -> list[AfterSalesTicket]:
        return await self.repo.find(merchant=merchant, statuses=statuses)

    async def _move(
        self, ticket: AfterSalesTicket, target: TicketStatus, actor: str, note: str = "",
        *, notify: bool = True, **fields: Any,
    ) -> AfterSalesTicket:
        if target not in TICKET_TRANSITIONS[ticket.status]:
            raise IllegalTicketTransition(ticket.id, ticket.status, target)
        now = self.clock.now()
        event = TicketEvent(ticket.id, now, ticket.status, target, actor, note)
        if not await self.repo.update_status(ticket.id, ticket.status, event, fields):
            fresh = await self.get(ticket.id)
            raise IllegalTicketTransition(ticket.id, fresh.status, target)
        moved = replace(ticket, status=target, updated_at=now, **fields)
        if notify:
            await self._tell(moved)
        return moved

    async def _tell(self, ticket: AfterSalesTicket) -> None:
        order = await self.orders.get(ticket.order_id)
        await self.notifier.ticket_changed(order.recipient, ticket)

    async def refund_amount(self, ticket: AfterSalesTicket) -> Decimal | None:
        """What approving this ticket gives back (None: it refunds nothing)."""
        if ticket.service_type not in REFUNDS_MONEY:
            return None
        return self._share(await self.orders.get(ticket.order_id), ticket)

    @staticmethod
    def _share(order: Any, ticket: AfterSalesTicket) -> Decimal:
        """The paid share of the ticket's items: its part of the line, the line's part of the order."""
        line = order.lines[ticket.line_no]
        whole_line = ticket.quantity >= line.quantity
        if len(order.lines) == 1 and whole_line:
            return Decimal(order.total)
        lines_sum = sum((ln.amount for ln in order.lines), Decimal(0))  # promotions spread over the lines
        part = line.amount if whole_line else line.amount * ticket.quantity / line.quantity
        return Decimal(part * order.total / lines_sum).quantize(CENT, ROUND_DOWN)

    async def _approve(self, ticket: AfterSalesTicket, actor: str, note: str) -> AfterSalesTicket:
        """Approve and, for a refund, record the refund request in the same transaction: the
        ticket is never approved without its refund, nor the refund requested without approval.
        The provider is asked after the commit; if it does not answer, the ticket stays approved
        with its refund requested, and the `retry_refunds` job asks again until it does."""
        extra: dict[str, Any] = {}
        if ticket.service_type in NEEDS_RETURN:
            extra["return_address"] = await self.addresses.return_address(ticket.merchant) or ""
        async with self.uow():
            moved = await self._move(ticket, T.APPROVED, actor, note, notify=False, resolution=note, **extra)
            if moved.service_type in REFUNDS_MONEY and moved.service_type not in NEEDS_RETURN:
                order = await self.orders.get(ticket.order_id)
                await self.orders.reserve_refund(order, self._share(order, ticket), f"ticket-{ticket.id}",
                                                 f"after-sales {ticket.id}")
        await self._tell(moved)
        try:
            return await self._approved(moved, actor)
        except RefundPending:
            return moved

    async def take(self, ticket_id: str, merchant: str) -> AfterSalesTicket:
        """The merchant starts working on an open ticket."""
        ticket = await self.get(ticket_id)
        return await self._move(ticket, T.MERCHANT_PROCESSING, f"merchant:{merchant}")

    async def answer(self, ticket_id: str, merchant: str, approve: bool, note: str = "",
                     actor: str | None = None) -> AfterSalesTicket:
        """The merchant approves or rejects (an open ticket is taken first); `actor` is who
        decided for the merchant (a support agent), recorded in the ticket's events."""
        ticket = await self.get(ticket_id)
        actor = actor or f"merchant:{merchant}"
        if ticket.status is T.OPEN:
            ticket = await self._move(ticket, T.MERCHANT_PROCESSING, actor)
        if not approve:
            return await self._move(ticket, T.REJECTED, actor, note, resolution=note)
        return await self._approve(ticket, actor, note)

    async def _approved(self, ticket: AfterSalesTicket, actor: str) -> AfterSalesTicket:
        if ticket.service_type in NEEDS_RETURN:
            return ticket  # waits for the shopper's return parcel
        if ticket.service_type in REFUNDS_MONEY:
            ticket = await self._refund(ticket, actor)
        return await self._move(
            ticket, T.RESOLVED, actor, ticket.resolution, refund_amount=ticket.refund_amount
        )

    async def _refund(self, ticket: AfterSalesTicket, actor: str) -> AfterSalesTicket:
        order = await self.orders.get(ticket.order_id)
        amount = self._share(order, ticket)  # the line's share of what was really paid
        await self.orders.refund(order, amount, f"ticket-{ticket.id}", actor, f"after-sales {ticket.id}")
        return replace(ticket, refund_amount=amount)

    async def escalate(self, ticket_id: str, shopper_id: str, note: str = "") -> AfterSalesTicket:
        """The shopper takes a rejected ticket to platform arbitration."""
        ticket = await self.get(ticket_id)
        if ticket.shopper_id != shopper_id:
            raise InvalidTicket("not this shopper's ticket")
        return await self._move(ticket, T.ARBITRATION, f"shopper:{shopper_id}", note)

    async def accept_rejection(self, ticket_id: str, shopper_id: str) -> AfterSalesTicket:
        ticket = await self.get(ticket_id)
        if ticket.shopper_id != shopper_id:
            raise InvalidTicket("not this shopper's ticket")
        return await self._move(ticket, T.RESOLVED, f"shopper:{shopper_id}", "rejection accepted")

    async def arbitrate(self, ticket_id: str, approve: bool, note: str = "",
                        actor: str = "platform") -> AfterSalesTicket:
        """The platform's decision on a ticket in arbitration (`actor`: who decided)."""
        ticket = await self.get(ticket_id)
        if not approve:
            return await self._move(ticket, T.RESOLVED, actor, note, resolution=note)
        return await self._approve(ticket, actor, note)

    async def add_return_shipment(
        self, ticket_id: str, shopper_id: str, carrier_code: str, tracking_number: str, notify: bool = True
    ) -> AfterSalesTicket:
        """The shopper sent the item back (return, exchange, repair): the parcel is kept on the
        ticket and tracked (`InvalidTicket` when the number does not fit the carrier's format)."""
        ticket = await self.get(ticket_id)
        if ticket.shopper_id != shopper_id:
            raise InvalidTicket("not this shopper's ticket")
        if ticket.service_type not in NEEDS_RETURN:
            raise InvalidTicket(f"a {ticket.service_type.value} ticket needs no return parcel")
        if not valid_parcel(carrier_code, tracking_number):
            raise InvalidTicket(f"{tracking_number!r} is not a {carrier_code} tracking number")
        moved = await self._move(
            ticket, T.RETURN_SHIPPING, f"shopper:{shopper_id}", f"{carrier_code} {tracking_number}",
            return_carrier=carrier_code, return_tracking_number=tracking_number, notify=notify,
        )
        await self.shipments.add_return(ticket.id, ticket.order_id, carrier_code, tracking_number)
        return moved

    async def confirm_return_received(self, ticket_id: str, merchant: str) -> AfterSalesTicket:
        """The merchant has the parcel back: refund a return, then resolve."""
        ticket = await self.get(ticket_id)
        if ticket.status is not T.RETURN_SHIPPING:
            raise IllegalTicketTransition(ticket.id, ticket.status, T.RESOLVED)
        actor = f"merchant:{merchant}"
        if ticket.service_type in REFUNDS_MONEY:
            try:
                ticket = await self._refund(ticket, actor)
            except RefundPending:
                return ticket  # stays return_shipping; `retry_refunds` resolves it when the provider answers
        return await self._move(
            ticket, T.RESOLVED, actor, "return received", refund_amount=ticket.refund_amount
        )

    async def escalate_overdue_tickets(self) -> int:
        """Job: tickets the merchant left past the deadline go to platform arbitration."""
        moved = 0
        for ticket in await self.repo.find(
            statuses=AWAITING_MERCHANT, due_before=self.clock.now(), limit=500
        ):
            try:
                await self._move(ticket, T.ARBITRATION, "system", "merchant missed the deadline")
                moved += 1
            except IllegalTicketTransition:
                continue  # another worker (or the merchant) got there first
        return moved

    async def retry_refunds(self) -> int:
        """Job: every approved refund the provider has not answered yet is asked again; its
        ticket is resolved once it answers. The number of refunds answered."""
        done, asked = 0, set()
        for ticket in await self.repo.find(statuses=[T.APPROVED, T.RETURN_SHIPPING], limit=500):
            if ticket.service_type not in REFUNDS_MONEY:
                continue
            if await self.refunds.refund_status(f"ticket-{ticket.id}") != "requested":
                continue
            asked.add(f"ticket-{ticket.id}")
            try:
                if ticket.status is T.APPROVED:
                    await self._approved(ticket, "system:retry")
                else:
                    refunded = await self._refund(ticket, "system:retry")
                    await self._move(refunded, T.RESOLVED, "system:retry", "return received",
                                     refund_amount=refunded.refund_amount)
                done += 1
            except (PaymentError, IllegalTicketTransition):
                continue  # no answer yet, or another worker finished it
        return done + await self.orders.retry_refunds(skip=asked)

    async def events(self, ticket_id: str) -> list[TicketEvent]:
        return await self.repo.events(ticket_id)
