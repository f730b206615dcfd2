"""The sandbox payment provider: the embedded default, with a local pay page.

The shopper opens `/pay/{payment_id}`, picks WeChat Pay, Alipay or card and confirms; the
provider then produces a callback signed exactly like a real provider's would be, and it goes
through the same verification and the same `OrderService.handle_payment_callback` as a real one.

Callback wire format (JSON body, amounts as decimal strings):
    {"payment_id", "transaction_id", "amount": "12.30", "status": "paid", "method", "paid_at"}
headers:
    X-Sandbox-Timestamp: unix seconds
    X-Sandbox-Nonce:     random hex
    X-Sandbox-Signature: hex HMAC-SHA256(secret, timestamp + "\\n" + nonce + "\\n" + body)

Verification rejects a bad signature, a timestamp outside the window (a replay of an old
callback) and a known nonce carrying a different body. The same genuine callback delivered
again inside the window verifies (providers retry until they get "success"), and the order
service turns it into one payment.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Protocol

from shop.clock import Clock
from shop.payments import (
    PAYMENT_METHODS,
    PaymentIntent,
    PaymentNotification,
    PaymentProviderError,
    PaymentVerificationError,
    RefundResult,
    UnknownPayment,
    UnsupportedPaymentMethod,
)

TS_HEADER = "x-sandbox-timestamp"
NONCE_HEADER = "x-sandbox-nonce"
SIG_HEADER = "x-sandbox-signature"


class NonceStore(Protocol):
    def remember(self, nonce: str, digest: str, expires_at: datetime) -> str | None:
        """Keep the nonce; return the digest it was first seen with, or None when it is new."""
        ...


class InMemoryNonceStore:
    """Nonces seen inside the replay window (the sandbox runs in one process)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._seen: dict[str, tuple[str, datetime]] = {}

    def remember(self, nonce: str, digest: str, expires_at: datetime) -> str | None:
        now = self._clock.now()
        if len(self._seen) > 10_000:
            self._seen = {k: v for k, v in self._seen.items() if v[1] > now}
        known = self._seen.get(nonce)
        if known is not None and known[1] > now:
            return known[0]
        self._seen[nonce] = (digest, expires_at)
        return None


def sign(secret: bytes, timestamp: str, nonce: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over timestamp, nonce and body, newline separated."""
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


@dataclass
class SandboxPayment:
    payment_id: str
    amount: Decimal
    description: str
    status: str = "pending"  # pending, paid
    method: str | None = None
    paid_at: datetime | None = None
    refunds: dict[str, Decimal] = field(default_factory=dict)

    @property
    def transaction_id(self) -> str:
        return "SBX" + hashlib.sha256(self.payment_id.encode()).hexdigest()[:20].upper()


class SandboxPaymentProvider:
    """Implements `shop.payments.PaymentProvider` with a local pay page and signed callbacks."""

    name = "sandbox"

    def __init__(
        self,
        clock: Clock,
        *,
        base_url: str,
        secret: bytes | None = None,
        window: timedelta = timedelta(minutes=5),
        nonces: NonceStore | None = None,
    ) -> None:
        self._clock = clock
        self._base_url = base_url.rstrip("/")
        self._secret = secret or secrets.token_bytes(32)
        self._window = window
        self._nonces = nonces or InMemoryNonceStore(clock)
        self._payments: dict[str, SandboxPayment] = {}

    async def create_payment(
        self, payment_id: str, amount: Decimal, description: str, *, method: str | None = None
    ) -> PaymentIntent:
        if method is not None and method not in PAYMENT_METHODS:
            raise UnsupportedPaymentMethod(method)
        self._payments.setdefault(payment_id, SandboxPayment(payment_id, amount, description))
        return PaymentIntent(payment_id, self.name, pay_url=f"{self._base_url}/pay/{payment_id}")

    def knows(self, payment_id: str) -> bool:
        return payment_id in self._payments

    def pay(self, payment_id: str, method: str) -> tuple[dict[str, str], bytes]:
        """The shopper confirmed on the pay page: return the signed callback (headers, body)."""
        if method not in PAYMENT_METHODS:
            raise UnsupportedPaymentMethod(method)
        payment = self._payments.get(payment_id)
        if payment is None:
            raise UnknownPayment(payment_id)
        if payment.status == "pending":
            payment.status, payment.method, payment.paid_at = "paid", method, self._clock.now()
        return self.signed_callback(payment)

    def signed_callback(
        self, payment: SandboxPayment, *, amount: str | None = None
    ) -> tuple[dict[str, str], bytes]:
        """A callback for `payment` as the provider sends it (`amount` overrides, for tests)."""
        body = json.dumps(
            {
                "payment_id": payment.payment_id,
                "transaction_id": payment.transaction_id,
                "amount": amount if amount is not None else str(payment.amount),
                "status": payment.status,
                "method": payment.method,
                "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
            },
            separators=(",", ":"),
        ).encode()
        return self.sign_body(body), body

    def sign_body(self, body: bytes) -> dict[str, str]:
        timestamp = str(int(self._clock.now().timestamp()))
        nonce = secrets.token_hex(16)
        return {
            TS_HEADER: timestamp,
            NONCE_HEADER: nonce,
            SIG_HEADER: sign(self._secret, timestamp, nonce, body),
        }

    async def verify_callback(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification:
        low = {k.lower(): v for k, v in headers.items()}
        timestamp, nonce, signature = low.get(TS_HEADER), low.get(NONCE_HEADER), low.get(SIG_HEADER)
        if not (timestamp and nonce and signature):
            raise PaymentVerificationError("missing signature headers")
        if not hmac.compare_digest(sign(self._secret, timestamp, nonce, body), signature):
            raise PaymentVerificationError("bad signature")
        try:
            sent_at = datetime.fromtimestamp(int(timestamp), tz=self._clock.now().tzinfo)
        except (ValueError, OverflowError) as exc:
            raise PaymentVerificationError("bad timestamp") from exc
        if abs(self._clock.now() - sent_at) > self._window:
            raise PaymentVerificationError("timestamp outside the replay window")
        digest = hashlib.sha256(body).hexdigest()
        first = self._nonces.remember(nonce, digest, self._clock.now() + 2 * self._window)
        if first is not None and first != digest:
            raise PaymentVerificationError("nonce reused with another body")
        return self._decode(body)

    @staticmethod
    def _decode(body: bytes) -> PaymentNotification:
        try:
            data = json.loads(body, parse_float=Decimal)
            amount = (
                Decimal(str(data["amount"])) if not isinstance(data["amount"], Decimal) else data["amount"]
            )
            if not amount.is_finite():
                raise InvalidOperation
            paid_at = datetime.fromisoformat(data["paid_at"]) if data.get("paid_at") else None
            return PaymentNotification(
                payment_id=str(data["payment_id"]),
                provider_txn_id=str(data["transaction_id"]),
                amount=amount,
                paid=data["status"] == "paid",
                paid_at=paid_at,
                method=data.get("method"),
                raw=data,
            )
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise PaymentVerificationError("malformed callback body") from exc

    async def query(self, payment_id: str) -> PaymentNotification | None:
        payment = self._payments.get(payment_id)
        if payment is None:
            return None
        return PaymentNotification(
            payment_id=payment_id,
            provider_txn_id=payment.transaction_id,
            amount=payment.amount,
            paid=payment.status == "paid",
            paid_at=payment.paid_at,
            method=payment.method,
        )

    async def refund(
        self, payment_id: str, refund_id: str, amount: Decimal, total: Decimal, reason: str = ""
    ) -> RefundResult:
        payment = self._payments.get(payment_id)
        if payment is None:
            # The sandbox forgets payments at restart; it refunds what it is told, within the total.
            payment = self._payments[payment_id] = SandboxPayment(payment_id, total, "", status="paid")
        if payment.status != "paid":
            raise PaymentProviderError(f"payment {payment_id} is not paid")
        if refund_id not in payment.refunds:
            if sum(payment.refunds.values(), Decimal(0)) + amount > payment.amount:
                raise PaymentProviderError("refund exceeds the paid amount")
            payment.refunds[refund_id] = amount
        return RefundResult(refund_id, payment_id, payment.refunds[refund_id], "success")
