"""Payments port and its value types. Adapters: integrations/payments/ (sandbox, WeChat Pay v3, Alipay).

Owned by the orders work (issue 6); adapters implement exactly this protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol


class PaymentError(Exception):
    """Base of the payment errors."""


class PaymentVerificationError(PaymentError):
    """A callback whose signature, timestamp, nonce or payload does not verify."""


class PaymentProviderError(PaymentError):
    """The provider refused or failed a request (network, HTTP status, business error code)."""


@dataclass(frozen=True)
class PaymentIntent:
    """What the shopper is sent to pay: a page URL and/or a QR code URL."""

    payment_id: str
    provider: str
    pay_url: str | None = None
    code_url: str | None = None


@dataclass(frozen=True)
class PaymentNotification:
    """A verified statement from the provider about one payment."""

    payment_id: str  # our id (out_trade_no)
    provider_txn_id: str  # the provider's transaction id
    amount: Decimal  # yuan
    paid: bool
    paid_at: datetime | None = None
    method: str | None = None  # wechat_pay, alipay, card
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    payment_id: str
    amount: Decimal
    status: str  # processing, success, failed


class PaymentProvider(Protocol):
    name: str

    async def create_payment(
        self, payment_id: str, amount: Decimal, description: str, *, method: str | None = None
    ) -> PaymentIntent: ...

    async def verify_callback(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification:
        """Verify and decode a provider callback; raise PaymentVerificationError when it does not verify."""
        ...

    async def query(self, payment_id: str) -> PaymentNotification | None: ...

    async def refund(
        self, payment_id: str, refund_id: str, amount: Decimal, total: Decimal, reason: str = ""
    ) -> RefundResult: ...


class RefundPending(PaymentError):
    """The provider did not answer a refund request; it stays `requested` and is asked again
    (the `retry_refunds` job) until it answers."""


class PaymentAmountMismatch(PaymentError):
    """A verified callback whose amount is not exactly the order's total (never marks the order paid)."""


class UnknownPayment(PaymentError):
    """No payment with this id (unknown to the provider or to the shop)."""


class UnsupportedPaymentMethod(PaymentError):
    """The shopper picked a method the provider does not offer."""


PAYMENT_METHODS: tuple[str, ...] = ("wechat_pay", "alipay", "card")

# Providers: sandbox, wechat_pay, alipay (a provider's `name`, the name its payments are stored
# with). `wechatpay` was the old spelling of settings and notify URLs; it means wechat_pay.
_OLD_PROVIDER_NAMES = {"wechatpay": "wechat_pay"}


def canonical_provider_name(name: str) -> str:
    """The one name of a payment provider (the old spelling `wechatpay` → `wechat_pay`)."""
    return _OLD_PROVIDER_NAMES.get(name, name)


class PaymentStatus:
    """The shop's record of a payment: pending until a verified callback says paid."""

    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class Payment:
    """One attempt to pay an order, as the shop records it."""

    payment_id: str
    order_id: str
    provider: str
    amount: Decimal
    status: str = PaymentStatus.PENDING
    pay_url: str | None = None
    method: str | None = None
    provider_txn_id: str | None = None
    paid_at: datetime | None = None
    created_at: datetime | None = None


class PaymentRepository(Protocol):
    """Storage of payments, the shop's record of each attempt to pay (SQL:
    integrations/db/payments_repo.py). Inside a unit of work (shop/ports.UnitOfWork) every call
    joins its transaction."""

    async def add_payment(self, payment: Payment) -> None: ...

    async def get_payment(self, payment_id: str) -> Payment | None: ...

    async def pending_payment_for(self, order_id: str) -> Payment | None: ...

    async def mark_payment_paid(
        self, payment_id: str, provider_txn_id: str, method: str | None, paid_at: datetime
    ) -> bool:
        """pending → paid; False when it was not pending (a duplicate callback)."""
        ...

    async def set_payment_status(self, payment_id: str, status: str) -> None: ...

    async def payments_with_status(
        self, status: str, created_after: datetime | None = None
    ) -> list[Payment]: ...

    async def paid_payments_of_unpaid_orders(self) -> list[Payment]:
        """Payments marked paid whose order is still `created` (a worker died in between)."""
        ...


class PaymentCallbackLog(Protocol):
    """The inbox of verified provider callbacks: each kept once, then marked with what became
    of it (SQL: integrations/db/payments_repo.py)."""

    async def record_callback(self, provider: str, note: PaymentNotification, at: datetime) -> bool:
        """Keep a verified callback in `received`; False when the same one was kept before."""
        ...

    async def mark_callback(self, provider: str, note: PaymentNotification, status: str) -> None: ...

    async def callbacks_with_status(
        self, status: str, payment_id: str | None = None
    ) -> list[tuple[str, PaymentNotification]]:
        """Kept callbacks in `status` (of one payment if given), oldest first."""
        ...
