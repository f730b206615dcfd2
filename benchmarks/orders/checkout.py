"""Checkout and 凑单 figures for benchmarks/orders/run.py (issue 18.2).

* checkout of a 10-item cart over three platforms: price the cart store by store
  (`quote_cart`), make one order per store and one payment (`OrderService.place_checkout`,
  sandbox provider) — target p99 <= 150 ms on PostgreSQL; baseline in the same run: the same
  ten items bought as ten single orders with ten payments (what shoppers had before the cart).
* 凑单 search for a 20-item cart (`top_up_hints`, 40 add-on candidates) — target <= 50 ms;
  baseline: every combination of up to three candidates tried (itertools), no pruning.
"""

from __future__ import annotations

import itertools
import random
import statistics
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.orders_repo import SqlOrderRepository
from integrations.db.payments_repo import SqlPaymentCallbackLog, SqlPaymentRepository
from integrations.db.refunds_repo import SqlRefundRepository
from integrations.db.uow import SqlUnitOfWork
from integrations.memory.notify import RecordingNotifier
from integrations.payments.sandbox import SandboxPaymentProvider
from shop import topup
from shop.catalog import Offer, Promotion, PromotionKind
from shop.clock import SystemClock
from shop.ordering import OrderService
from shop.orders import OrderLine, OrderSummary
from shop.pricing import CartItem, quote_cart
from shop.topup import AddOn, top_up_hints

CHECKOUT_TARGET_P99_MS = 150.0
TOPUP_TARGET_MS = 50.0
PLATFORMS = ("taobao", "jd", "pdd")


def _promos(rng: random.Random, platform: str) -> tuple[Promotion, ...]:
    if platform == "taobao":
        return (Promotion(PromotionKind.FULL_REDUCTION, "跨店每满300减50", Decimal(50), Decimal(300), stackable=True),
                Promotion(PromotionKind.COUPON, "10元店铺券", Decimal(10)))
    if platform == "jd":
        return (Promotion(PromotionKind.FULL_REDUCTION, "每满300减40", Decimal(40), Decimal(300), stackable=True),
                Promotion(PromotionKind.COUPON, "满500减20元券", Decimal(20), Decimal(500)))
    return (Promotion(PromotionKind.DIRECT_DISCOUNT, "百亿补贴直降20元", Decimal(20)),)


def cart(n: int, seed: int = 1) -> list[CartItem]:
    """`n` lines over the three platforms, two merchants each."""
    rng = random.Random(seed)
    items = []
    for i in range(n):
        platform = PLATFORMS[i % 3]
        offer = Offer(platform, f"{platform}-{i}", Decimal(rng.randint(60, 900)), Decimal(999), "CNY",
                      _promos(rng, platform), stock=100, merchant=f"{platform}-shop-{i % 2}")
        items.append(CartItem(offer, rng.randint(1, 3), f"L{i}"))
    return items


def candidates(n: int, seed: int = 2) -> list[AddOn]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        platform = PLATFORMS[i % 3]
        offer = Offer(platform, f"c-{i}", Decimal(rng.randint(5, 60)), Decimal(300), "CNY",
                      _promos(rng, platform), stock=10, merchant=f"{platform}-shop-{i % 2}")
        out.append(AddOn(f"c{i}", f"candidate {i}", offer))
    return out


def _summaries(items: list[CartItem], shopper: str) -> list[OrderSummary]:
    priced = quote_cart(items)
    return [OrderSummary(shopper_id=shopper, channel="rest", recipient_id=shopper, platform=store.platform,
                         merchant=store.merchant,
                         lines=tuple(OrderLine(it.key, it.offer.platform_product_id, it.key, it.quantity, it.offer.price)
                                     for it in store.items),
                         total=store.goods_total.amount, receiver_name="张三", phone="13800000000", address="上海市")
            for store in priced.stores]


def _service(engine: AsyncEngine) -> OrderService:
    clock = SystemClock()
    provider = SandboxPaymentProvider(clock, base_url="http://bench", window=timedelta(minutes=5))
    return OrderService(SqlOrderRepository(engine), SqlPaymentRepository(engine), SqlPaymentCallbackLog(engine),
                        SqlRefundRepository(engine), {"sandbox": provider}, {}, RecordingNotifier(), clock,
                        uow=SqlUnitOfWork(engine), default_provider="sandbox")


async def measure_checkout(engine: AsyncEngine, n: int) -> dict[str, list[float]]:
    """ms per checkout of a 10-item cart: one checkout, and the baseline of ten single orders."""
    service = _service(engine)
    items = cart(10)
    for i in range(10):  # warm-up
        await service.place_checkout(_summaries(items, "warm"), f"warm-{uuid.uuid4().hex}")
    out: dict[str, list[float]] = {"one checkout": [], "ten single orders": []}
    for i in range(n):
        t0 = time.perf_counter()
        await service.place_checkout(_summaries(items, f"s{i}"), f"ck-{uuid.uuid4().hex}")
        out["one checkout"].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        for item in items:
            (single,) = _summaries([item], f"b{i}")
            await service.place(single, f"single-{uuid.uuid4().hex}")
        out["ten single orders"].append((time.perf_counter() - t0) * 1000)
    return out


def every_combination(gap: Decimal, candidates: Sequence[tuple[Decimal, int]], max_picks: int = 3) -> list[int]:
    """The baseline search: every combination of up to `max_picks` candidates, no pruning."""
    best: tuple[Decimal, int, list[int]] | None = None
    for k in range(1, max_picks + 1):
        for combo in itertools.combinations(candidates, k):
            total = sum((c[0] for c in combo), Decimal(0))
            if total >= gap and (best is None or (total, k) < (best[0], best[1])):
                best = (total, k, [c[1] for c in combo])
    return best[2] if best is not None else []


def _brute_force(items: list[CartItem], pool: list[AddOn]) -> None:
    exact = topup.cheapest_reaching
    topup.cheapest_reaching = every_combination  # type: ignore[assignment]
    try:
        top_up_hints(items, pool)
    finally:
        topup.cheapest_reaching = exact


def measure_topup(n: int) -> dict[str, list[float]]:
    items, pool = cart(20, seed=5), candidates(40)
    out: dict[str, list[float]] = {"exact search": [], "all combinations": []}
    for _ in range(n):
        t0 = time.perf_counter()
        top_up_hints(items, pool)
        out["exact search"].append((time.perf_counter() - t0) * 1000)
    for _ in range(max(1, n // 10)):
        t0 = time.perf_counter()
        _brute_force(items, pool)
        out["all combinations"].append((time.perf_counter() - t0) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(title: str, rows: dict[str, list[float]], target: float, measured: str) -> None:
    print(title)
    print(f"{'variant':<22}{'p50':>8}{'p99':>8}{'max':>8}  target {measured} <= {target:.0f} ms")
    for i, (label, ms) in enumerate(rows.items()):
        figure = p(ms, 0.99)
        verdict = ("  PASS" if figure <= target else "  FAIL") if i == 0 else ""
        print(f"{label:<22}{statistics.median(ms):>8.2f}{figure:>8.2f}{max(ms):>8.2f}{verdict}")
