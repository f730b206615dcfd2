"""The sandbox payment provider: signed callbacks, replay window, nonces, exact amounts, refunds."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.memory.clock import FakeClock
from integrations.payments.sandbox import SandboxPaymentProvider, sign
from shop.payments import (
    PaymentProviderError,
    PaymentVerificationError,
    UnknownPayment,
    UnsupportedPaymentMethod,
)

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2)


def provider(clock=None) -> SandboxPaymentProvider:
    return SandboxPaymentProvider(clock or FakeClock(), base_url="http://shop.local/", secret=b"s3cret")


@settings(max_examples=200, deadline=None)
@given(amount=amounts)
def test_every_amount_survives_the_callback_exactly(amount):
    p = provider()

    async def go():
        await p.create_payment("pay1", amount, "x")
        headers, body = p.pay("pay1", "alipay")
        return body, await p.verify_callback(headers, body)

    body, note = asyncio.run(go())
    assert note.amount == amount and isinstance(note.amount, Decimal)
    assert str(note.amount) == str(amount)
    assert json.loads(body)["amount"] == str(amount)  # a string on the wire, never a JSON float


async def test_pay_url_and_signed_callback():
    p = provider()
    intent = await p.create_payment("pay1", Decimal("12.30"), "耳机")
    assert intent.pay_url == "http://shop.local/pay/pay1" and intent.provider == "sandbox"
    headers, body = p.pay("pay1", "wechat_pay")
    assert headers["x-sandbox-signature"] == sign(
        b"s3cret", headers["x-sandbox-timestamp"], headers["x-sandbox-nonce"], body
    )
    note = await p.verify_callback(
        {k.upper(): v for k, v in headers.items()}, body
    )  # header case-insensitive
    assert (note.payment_id, note.paid, note.method) == ("pay1", True, "wechat_pay")
    assert note.provider_txn_id.startswith("SBX")


async def test_verification_failures():
    clock = FakeClock()
    p = provider(clock)
    await p.create_payment("pay1", Decimal("1.00"), "x")
    headers, body = p.pay("pay1", "card")
    with pytest.raises(PaymentVerificationError, match="missing"):
        await p.verify_callback({}, body)
    other = SandboxPaymentProvider(clock, base_url="http://x", secret=b"other")
    with pytest.raises(PaymentVerificationError, match="signature"):
        await other.verify_callback(headers, body)
    # the same nonce with another (validly signed) body: a forgery attempt
    evil = body.replace(b"1.00", b"9.00")
    evil_headers = {
        **headers,
        "x-sandbox-signature": sign(
            b"s3cret", headers["x-sandbox-timestamp"], headers["x-sandbox-nonce"], evil
        ),
    }
    await p.verify_callback(headers, body)
    with pytest.raises(PaymentVerificationError, match="nonce"):
        await p.verify_callback(evil_headers, evil)
    # the same genuine callback again inside the window is a redelivery, not an attack
    assert (await p.verify_callback(headers, body)).payment_id == "pay1"
    clock.advance(timedelta(minutes=6))
    with pytest.raises(PaymentVerificationError, match="window"):
        await p.verify_callback(headers, body)
    garbage = b'{"payment_id": "pay1"}'
    with pytest.raises(PaymentVerificationError, match="malformed"):
        await p.verify_callback(p.sign_body(garbage), garbage)


async def test_unknown_payment_bad_method_and_query():
    p = provider()
    with pytest.raises(UnknownPayment):
        p.pay("nope", "card")
    with pytest.raises(UnsupportedPaymentMethod):
        await p.create_payment("pay1", Decimal(1), "x", method="bitcoin")
    await p.create_payment("pay1", Decimal("5.00"), "x")
    with pytest.raises(UnsupportedPaymentMethod):
        p.pay("pay1", "cash")
    assert (await p.query("pay1")).paid is False
    p.pay("pay1", "card")
    assert (await p.query("pay1")).paid is True
    assert await p.query("nope") is None


async def test_refunds_are_idempotent_and_bounded():
    p = provider()
    await p.create_payment("pay1", Decimal("10.00"), "x")
    with pytest.raises(PaymentProviderError):
        await p.refund("pay1", "r0", Decimal("1.00"), Decimal("10.00"))  # not paid yet
    p.pay("pay1", "alipay")
    assert (await p.refund("pay1", "r1", Decimal("6.00"), Decimal("10.00"))).status == "success"
    assert (await p.refund("pay1", "r1", Decimal("6.00"), Decimal("10.00"))).amount == Decimal("6.00")
    with pytest.raises(PaymentProviderError, match="exceeds"):
        await p.refund("pay1", "r2", Decimal("4.01"), Decimal("10.00"))
    assert (await p.refund("pay1", "r3", Decimal("4.00"), Decimal("10.00"))).status == "success"
