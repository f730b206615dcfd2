"""Orders: the domain (state machine, lines, events) and the orders repository port.

An order is created from the summary the shopper confirmed, under an idempotency key, so a
retried message never creates a second order. Its life:

    created → paid → submitted → shipped → delivered → completed
    created → cancelled;  paid | submitted | shipped | delivered | completed → refunded

Any other move raises `IllegalTransition`; every move is recorded as an `OrderEvent` (time,
from, to, actor, note). The service that drives orders lives in shop/ordering.py.

Errors (all `OrderError`): `IllegalTransition`, `OrderNotFound`, `InvalidOrder`, `DuplicateOrder`
(raised by repositories, handled by the service).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from shop.notify import Recipient

CENT = Decimal("0.01")


class OrderStatus(str, Enum):
    CREATED = "created"
    PAID = "paid"
    SUBMITTED = "submitted"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.CREATED: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.SUBMITTED, S.REFUNDED}),
    S.SUBMITTED: frozenset({S.SHIPPED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.REFUNDED}),
    S.COMPLETED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
OPEN_STATUSES = frozenset({S.CREATED, S.PAID, S.SUBMITTED, S.SHIPPED, S.DELIVERED})


class OrderError(Exception):
    """Base of the order errors."""


class IllegalTransition(OrderError):
    def __init__(self, order_id: str, current: OrderStatus, target: OrderStatus) -> None:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "nothing (final state)"
        super().__init__(
            f"order {order_id} cannot go from {current.value} to {target.value}; "
            f"from {current.value} it may go to: {allowed}"
        )
        self.order_id = order_id
        self.current = current
        self.target = target


class OrderNotFound(OrderError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no order {order_id}")
        self.order_id = order_id


class InvalidOrder(OrderError):
    """The confirmed summary cannot become an order (no lines, bad quantity, bad total)."""


class DuplicateOrder(OrderError):
    """Raised by a repository when the order id or the idempotency key is taken."""

    def __init__(self, field_name: str) -> None:
        super().__init__(f"duplicate order {field_name}")
        self.field_name = field_name


def check_transition(order_id: str, current: OrderStatus, target: OrderStatus) -> None:
    """Raise IllegalTransition unless the table allows current → target."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(order_id, current, target)


def reachable_from(status: OrderStatus) -> frozenset[OrderStatus]:
    """Every status some sequence of legal moves leads to from `status`."""
    seen: set[OrderStatus] = set()
    todo = list(TRANSITIONS[status])
    while todo:
        nxt = todo.pop()
        if nxt not in seen:
            seen.add(nxt)
            todo.extend(TRANSITIONS[nxt])
    return frozenset(seen)


def new_order_id(now: datetime) -> str:
    """`SO` + yyyymmdd + 5 random digits (a clash is retried by the service)."""
    return f"SO{now:%Y%m%d}{secrets.randbelow(100_000):05d}"


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    platform_product_id: str
    title: str
    quantity: int
    unit_price: Decimal
    variant: Mapping[str, str] = field(default_factory=dict)

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class OrderSummary:
    """What the shopper confirmed in the chat: one platform's lines, the effective total, the address."""

    shopper_id: str
    channel: str
    recipient_id: str
    platform: str
    lines: tuple[OrderLine, ...]
    total: Decimal
    receiver_name: str
    phone: str
    address: str
    language: str = "zh"
    merchant: str = ""  # the shop on the platform; defaults to the platform
    savings: str = ""  # the promotion explanation shown to the shopper
    currency: str = "CNY"

    def validate(self) -> None:
        """Raise InvalidOrder when the summary cannot become an order."""
        if not self.lines:
            raise InvalidOrder("an order needs at least one line")
        for line in self.lines:
            if not isinstance(line.unit_price, Decimal) or line.unit_price <= 0:
                raise InvalidOrder(f"bad unit price for {line.product_id}: {line.unit_price!r}")
            if line.quantity < 1:
                raise InvalidOrder(f"bad quantity for {line.product_id}: {line.quantity}")
        if not isinstance(self.total, Decimal) or self.total <= 0:
            raise InvalidOrder(f"bad total {self.total!r}")
        if self.total != self.total.quantize(CENT):
            raise InvalidOrder(f"total {self.total} has more than two decimals")
        if self.total > sum((line.amount for line in self.lines), Decimal(0)):
            raise InvalidOrder("the total exceeds the sum of the lines")
        if not (self.receiver_name and self.phone and self.address):
            raise InvalidOrder("receiver name, phone and address are required")


@dataclass(frozen=True)
class Order:
    id: str
    idempotency_key: str
    shopper_id: str
    channel: str
    recipient_id: str
    language: str
    platform: str
    merchant: str
    lines: tuple[OrderLine, ...]
    total: Decimal
    currency: str
    savings: str
    receiver_name: str
    phone: str
    address: str
    status: OrderStatus
    created_at: datetime
    updated_at: datetime
    payment_id: str | None = None
    platform_order_id: str | None = None
    accepted_at: datetime | None = None
    checkout_id: str | None = None  # the cart checkout this order is one store's part of (one payment)

    @property
    def recipient(self) -> Recipient:
        return Recipient(self.channel, self.recipient_id, self.language)


@dataclass(frozen=True)
class OrderStatusChanged:
    """A domain event: the order moved (paid, shipped, …); `payment_url` while it is unpaid."""

    order: Order
    payment_url: str | None = None
    refusal: str | None = None  # why the platform refused it (shop/refusals.py), when it was refunded so


@dataclass(frozen=True)
class OrderEvent:
    order_id: str
    at: datetime
    from_status: OrderStatus | None
    to_status: OrderStatus
    actor: str
    note: str = ""


class OrderRepository(Protocol):
    """Storage of orders and their events (SQL: integrations/db/orders_repo.py). Payments, the
    provider callback log and refunds have their own repositories (shop/payments.py, shop/refunds.py)."""

    async def add_order(self, order: Order, event: OrderEvent) -> None:
        """Insert; raise DuplicateOrder("idempotency_key" | "id") when taken."""
        ...

    async def get_order(self, order_id: str) -> Order | None: ...

    async def get_order_by_key(self, idempotency_key: str) -> Order | None: ...

    async def orders_of_checkout(self, checkout_id: str) -> list[Order]:
        """The orders one cart checkout made (one per store), sharing one payment."""
        ...

    async def update_status(
        self, order_id: str, expected: OrderStatus, event: OrderEvent, fields: Mapping[str, Any]
    ) -> bool:
        """Compare-and-set the status (and `fields`) and record the event; False if the status moved."""
        ...

    async def set_fields(self, order_id: str, fields: Mapping[str, Any]) -> None: ...

    async def list_orders(
        self,
        *,
        shopper_id: str | None = None,
        merchant: str | None = None,
        statuses: Sequence[OrderStatus] | None = None,
        limit: int = 20,
    ) -> list[Order]:
        """Newest first."""
        ...

    async def events(self, order_id: str) -> list[OrderEvent]: ...
