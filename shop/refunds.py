"""The refunds repository port: money given back on a payment, in whole or in part.

A refund is recorded `requested` before the provider is asked (so a refund id is asked for at
most once at a time, and one the provider did not answer is asked again), then takes the
provider's answer: processing | success | failed. The use cases live in shop/ordering.py.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Protocol


class RefundRepository(Protocol):
    """Storage of refunds (SQL: integrations/db/refunds_repo.py). Inside a unit of work
    (shop/ports.UnitOfWork) every call joins its transaction."""

    async def add_refund(
        self, refund_id: str, payment_id: str, amount: Decimal, reason: str, at: datetime,
        order_id: str | None = None,
    ) -> bool:
        """Insert a refund in `requested` (the provider not asked yet); False when this id exists.
        `order_id`: which order of a payment several orders share it gives back."""
        ...

    async def refund_status(self, refund_id: str) -> str | None:
        """requested | processing | success | failed; None when there is no such refund."""
        ...

    async def refunds_with_status(self, status: str) -> list[tuple[str, str, Decimal, str]]:
        """(refund_id, payment_id, amount, reason) of the refunds in `status`, oldest first."""
        ...

    async def set_refund_status(self, refund_id: str, status: str) -> None: ...

    async def refunded_total(self, payment_id: str, order_id: str | None = None) -> Decimal:
        """The sum of the refunds that did not fail (of one order's part when given)."""
        ...

    async def refund_order(self, refund_id: str) -> str | None:
        """The order a refund gives back for, when recorded (shared payments)."""
        ...
