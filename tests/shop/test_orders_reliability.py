"""The issue's reliability tests: duplicate callbacks, early callbacks, a killed worker, exact money."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from shop.orders import OrderStatus
from shop.payments import PaymentAmountMismatch, PaymentVerificationError
from tests.orders_harness import build_world, summary

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def w(sqlite_url):
    world = await build_world(sqlite_url)
    yield world
    await world.engine.dispose()


async def _started(w, key="k1", total="5999.00"):
    order = await w.orders.create_from_summary(summary(total=total), key)
    intent = await w.orders.start_payment(order.id)
    return order, intent.payment_id


async def test_the_same_callback_five_times_is_one_payment(w):
    order, pid = await _started(w)
    headers, body = w.c.sandbox.pay(pid, "wechat_pay")
    outcomes = [await w.orders.handle_payment_callback("sandbox", headers, body) for _ in range(5)]
    assert outcomes == ["applied"] + ["duplicate"] * 4
    events = await w.orders.events(order.id)
    assert [e.to_status for e in events].count(OrderStatus.PAID) == 1
    assert len(w.connector.placed) == 1
    assert [p.status for p in await w.orders.payments.payments_with_status("paid")] == ["paid"]
    assert [e.order.status.value for e in w.notifier.orders] == ["paid", "submitted"]


async def test_five_concurrent_deliveries_are_one_payment(w):
    order, pid = await _started(w)
    headers, body = w.c.sandbox.pay(pid, "card")
    outcomes = await asyncio.gather(
        *(w.orders.handle_payment_callback("sandbox", headers, body) for _ in range(5))
    )
    assert outcomes.count("applied") == 1
    events = await w.orders.events(order.id)
    assert [e.to_status for e in events].count(OrderStatus.PAID) == 1
    assert [e.to_status for e in events].count(OrderStatus.SUBMITTED) == 1
    assert (await w.orders.get(order.id)).status is OrderStatus.SUBMITTED


async def test_paying_twice_on_the_page_is_one_payment(w):
    order, pid = await _started(w)
    for method in ("alipay", "card"):  # two fresh, differently signed callbacks, same transaction
        headers, body = w.c.sandbox.pay(pid, method)
        await w.orders.handle_payment_callback("sandbox", headers, body)
    assert [e.to_status for e in await w.orders.events(order.id)].count(OrderStatus.PAID) == 1


async def test_a_callback_arriving_before_the_payment_commits_is_applied(w):
    """The provider calls back while start_payment has not stored the payment yet."""
    sandbox, orders = w.c.sandbox, w.orders
    real_create = sandbox.create_payment
    seen = []

    async def create_then_call_back_at_once(payment_id, amount, description, *, method=None):
        intent = await real_create(payment_id, amount, description, method=method)
        headers, body = sandbox.pay(payment_id, "alipay")
        seen.append(await orders.handle_payment_callback("sandbox", headers, body))
        return intent

    sandbox.create_payment = create_then_call_back_at_once
    order = await orders.create_from_summary(summary(), "early")
    await orders.start_payment(order.id)
    assert seen == ["pending"]  # the payment row did not exist when the callback came
    assert (await orders.get(order.id)).status is OrderStatus.SUBMITTED


async def test_forged_tampered_and_replayed_callbacks_are_rejected(w):
    order, pid = await _started(w)
    headers, body = w.c.sandbox.pay(pid, "alipay")
    forged = {**headers, "x-sandbox-signature": "0" * 64}
    with pytest.raises(PaymentVerificationError, match="signature"):
        await w.orders.handle_payment_callback("sandbox", forged, body)
    tampered = body.replace(b'"5999.00"', b'"0.01"')
    with pytest.raises(PaymentVerificationError):
        await w.orders.handle_payment_callback("sandbox", headers, tampered)
    w.clock.advance(minutes=10)  # a captured callback replayed later
    with pytest.raises(PaymentVerificationError, match="window"):
        await w.orders.handle_payment_callback("sandbox", headers, body)
    assert (await w.orders.get(order.id)).status is OrderStatus.CREATED


async def test_a_genuine_callback_with_another_amount_never_pays_the_order(w):
    order, pid = await _started(w)
    w.c.sandbox.pay(pid, "alipay")
    payment = w.c.sandbox._payments[pid]
    headers, body = w.c.sandbox.signed_callback(payment, amount="5998.99")
    with pytest.raises(PaymentAmountMismatch):
        await w.orders.handle_payment_callback("sandbox", headers, body)
    assert (await w.orders.get(order.id)).status is OrderStatus.CREATED
    assert await w.orders.callbacks.callbacks_with_status("amount_mismatch")


@pytest.mark.parametrize(
    "raw, accepted",
    [("0.30", True), ("0.3", True), ("0.30000000000000004", False), ("0.299999999999999988898", False)],
)
async def test_float_ish_amounts_are_compared_exactly(w, raw, accepted):
    lines = (summary().lines[0].__class__("p", "jd-1", "贴纸", 3, Decimal("0.10")),)
    order = await w.orders.create_from_summary(summary(total="0.30", lines=lines), "f")
    pid = (await w.orders.start_payment(order.id)).payment_id
    w.c.sandbox.pay(pid, "card")
    body = (
        json.dumps(
            {
                "payment_id": pid,
                "transaction_id": "T1",
                "amount": "X",
                "status": "paid",
                "method": "card",
                "paid_at": None,
            }
        )
        .replace('"X"', raw)
        .encode()
    )  # a JSON number
    headers = w.c.sandbox.sign_body(body)
    if accepted:
        assert await w.orders.handle_payment_callback("sandbox", headers, body) == "applied"
    else:
        with pytest.raises(PaymentAmountMismatch):
            await w.orders.handle_payment_callback("sandbox", headers, body)
    assert ((await w.orders.get(order.id)).status is OrderStatus.SUBMITTED) is accepted


async def test_a_worker_killed_between_payment_and_order_leaves_neither_and_is_reconciled(sqlite_url, tmp_path):
    w = await build_world(sqlite_url)
    order, pid = await _started(w)
    headers, body = w.c.sandbox.pay(pid, "wechat_pay")
    cb = tmp_path / "callback.json"
    cb.write_text(json.dumps({"headers": headers, "body": body.decode()}), encoding="utf-8")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "tests/shop/payment_worker.py"),
        sqlite_url,
        str(cb),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        if not line:
            pytest.fail((await proc.stderr.read()).decode())
        assert line.strip() == "HOOK payment_recorded"
        proc.send_signal(signal.SIGKILL)  # killed between the payment and the order update
        assert await asyncio.wait_for(proc.wait(), 30) == -signal.SIGKILL
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    # Killed inside the unit of work: neither the payment nor the order moved; the verified
    # callback is kept in the inbox, still to apply.
    assert (await w.orders.payments.get_payment(pid)).status == "pending"
    assert (await w.orders.get(order.id)).status is OrderStatus.CREATED
    assert [n.payment_id for _, n in await w.orders.callbacks.callbacks_with_status("received")] == [pid]
    await w.engine.dispose()

    restarted = await build_world(sqlite_url)  # "restart": new process state, same database
    counts = await restarted.orders.reconcile()
    assert counts["callbacks"] == 1  # the kept callback applied: paid, then submitted
    assert (await restarted.orders.payments.get_payment(pid)).status == "paid"
    done = await restarted.orders.get(order.id)
    assert done.status is OrderStatus.SUBMITTED and done.payment_id == pid
    assert [e.to_status for e in await restarted.orders.events(order.id)].count(OrderStatus.PAID) == 1
    assert await restarted.orders.reconcile() == {"callbacks": 0, "payments": 0, "submitted": 0}
    await restarted.engine.dispose()


async def test_paying_a_cancelled_order_or_paying_twice_gives_the_money_back(w):
    order, pid = await _started(w, key="cancel-then-pay")
    await w.orders.cancel(order.id, "shopper:u1")
    await w.orders.handle_payment_callback("sandbox", *w.c.sandbox.pay(pid, "alipay"))
    assert (await w.orders.get(order.id)).status is OrderStatus.CANCELLED
    assert (await w.orders.payments.get_payment(pid)).status == "refunded"
    assert w.c.sandbox._payments[pid].refunds == {f"orphan-{pid}": Decimal("5999.00")}

    # two checkouts raced and the shopper paid both pages
    second = await w.orders.create_from_summary(summary(), "double")
    from shop.payments import Payment

    first = (await w.orders.start_payment(second.id)).payment_id
    extra = "pay_extra"  # what a racing second start_payment would have stored
    await w.c.sandbox.create_payment(extra, second.total, "x")
    await w.orders.payments.add_payment(
        Payment(extra, second.id, "sandbox", second.total, created_at=w.clock.now())
    )
    await w.orders.handle_payment_callback("sandbox", *w.c.sandbox.pay(first, "card"))
    await w.orders.handle_payment_callback("sandbox", *w.c.sandbox.pay(extra, "card"))
    done = await w.orders.get(second.id)
    assert done.status is OrderStatus.SUBMITTED and done.payment_id == first
    assert (await w.orders.payments.get_payment(extra)).status == "refunded"
    assert (await w.orders.payments.get_payment(first)).status == "paid"
