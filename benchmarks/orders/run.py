"""Order creation latency (target: p99 <= 50 ms) on SQLite and PostgreSQL; checkout of a
10-item cart over three platforms (p99 <= 150 ms on PostgreSQL) and the 凑单 search for a
20-item cart (<= 50 ms): see benchmarks/orders/checkout.py.

    .venv/bin/python -m benchmarks.orders.run [--orders 300] [--checkouts 100] [--pg-dsn postgresql://postgres@127.0.0.1:5432/test]

Each store is measured twice in the same run: the real repository (one transaction per
order: order row, lines and the created event together) and a naive baseline (one
transaction per statement). PostgreSQL runs in a temporary database, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import integrations.db.orders_tables as tables
from benchmarks.orders.checkout import (
    CHECKOUT_TARGET_P99_MS,
    TOPUP_TARGET_MS,
    measure_checkout,
    measure_topup,
    report,
)
from integrations.db.base import metadata
from integrations.db.orders_repo import SqlOrderRepository, _line_row
from integrations.db.payments_repo import SqlPaymentCallbackLog, SqlPaymentRepository
from integrations.db.refunds_repo import SqlRefundRepository
from integrations.db.uow import SqlUnitOfWork
from integrations.memory.notify import RecordingNotifier
from shop.clock import SystemClock
from shop.ordering import OrderService
from shop.orders import DuplicateOrder, Order, OrderEvent, OrderLine, OrderSummary

TARGET_P99_MS = 50.0


class NaiveOrderRepository(SqlOrderRepository):
    """The baseline: every statement in its own transaction."""

    async def add_order(self, order: Order, event: OrderEvent) -> None:
        try:
            await self._insert_order(order)
        except IntegrityError as exc:
            raise DuplicateOrder("id") from exc
        for i, line in enumerate(order.lines):
            async with self.engine.begin() as conn:
                await conn.execute(insert(tables.order_lines).values(**_line_row(order.id, i, line)))
        async with self.engine.begin() as conn:
            await conn.execute(insert(tables.order_events).values(**self._event_row(event)))

    async def _insert_order(self, order: Order) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(tables.orders).values(
                    id=order.id,
                    idempotency_key=order.idempotency_key,
                    shopper_id=order.shopper_id,
                    channel=order.channel,
                    recipient_id=order.recipient_id,
                    language=order.language,
                    platform=order.platform,
                    merchant=order.merchant,
                    total=order.total,
                    currency=order.currency,
                    savings=order.savings,
                    receiver_name=order.receiver_name,
                    phone=order.phone,
                    address=order.address,
                    status=order.status.value,
                    created_at=order.created_at,
                    updated_at=order.updated_at,
                )
            )


def summary(i: int) -> OrderSummary:
    lines = tuple(OrderLine(f"p{j}", f"jd-{j}", f"商品 {j}", 1 + j, Decimal("99.90") + j) for j in range(3))
    return OrderSummary(
        shopper_id=f"u{i % 50}",
        channel="rest",
        recipient_id=f"u{i % 50}",
        platform="jd",
        lines=lines,
        total=Decimal("300.00"),
        receiver_name="张三",
        phone="13800000000",
        address="上海市",
        merchant="jd-shop",
    )


async def measure(engine: AsyncEngine, repo_cls: type[SqlOrderRepository], n: int) -> list[float]:
    service = OrderService(
        repo_cls(engine), SqlPaymentRepository(engine), SqlPaymentCallbackLog(engine), SqlRefundRepository(engine),
        {}, {}, RecordingNotifier(), SystemClock(), uow=SqlUnitOfWork(engine), default_provider="none"
    )
    for i in range(20):  # warm-up: connections, statement cache
        await service.create_from_summary(summary(i), f"warm-{repo_cls.__name__}-{i}")
    out = []
    for i in range(n):
        key = f"{repo_cls.__name__}-{i}-{uuid.uuid4().hex[:6]}"
        t0 = time.perf_counter()
        await service.create_from_summary(summary(i), key)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def bench_store(name: str, url: str, n: int,
                      checkouts: int = 0) -> tuple[list[tuple[str, str, float, float, float]], dict[str, list[float]]]:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    rows = []
    checkout_ms: dict[str, list[float]] = {}
    try:
        for label, cls in (("repository", SqlOrderRepository), ("naive baseline", NaiveOrderRepository)):
            ms = await measure(engine, cls, n)
            rows.append((name, label, statistics.median(ms), pct(ms, 0.99), max(ms)))
        if checkouts:
            checkout_ms = await measure_checkout(engine, checkouts)
    finally:
        await engine.dispose()
    return rows, checkout_ms


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--checkouts", type=int, default=100)
    parser.add_argument("--pg-dsn", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += (await bench_store("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", args.orders))[0]
    import asyncpg

    dbname = f"shopbot_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(args.pg_dsn)
    await admin.execute(f'CREATE DATABASE "{dbname}"')
    await admin.close()
    try:
        base = args.pg_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        pg_rows, checkout_ms = await bench_store("postgresql", f"{base}/{dbname}", args.orders, args.checkouts)
        rows += pg_rows
    finally:
        admin = await asyncpg.connect(args.pg_dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        await admin.close()

    print(f"order creation, {args.orders} orders of 3 lines each (ms)")
    print(f"{'store':<12}{'variant':<16}{'p50':>8}{'p99':>8}{'max':>8}  target p99 <= {TARGET_P99_MS:.0f}")
    for store, label, p50, p99, worst in rows:
        verdict = "" if label != "repository" else ("  PASS" if p99 <= TARGET_P99_MS else "  FAIL")
        print(f"{store:<12}{label:<16}{p50:>8.2f}{p99:>8.2f}{worst:>8.2f}{verdict}")
    print()
    report(f"checkout of a 10-item cart over 3 platforms, PostgreSQL, {args.checkouts} runs (ms)", checkout_ms,
           CHECKOUT_TARGET_P99_MS, "p99")
    print()
    report(f"凑单 search, 20-item cart, 40 candidates, {args.checkouts} runs (ms)", measure_topup(args.checkouts),
           TOPUP_TARGET_MS, "p99")


if __name__ == "__main__":
    asyncio.run(main())
