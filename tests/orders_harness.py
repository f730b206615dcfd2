"""Test harness of the orders area: the real services on a real database, with twins around them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import integrations.db.orders_tables  # noqa: F401  (declares the tables on the metadata)
from bot.bootstrap import OrdersComponents, build_orders
from integrations.db.base import metadata
from integrations.memory.clock import FakeClock
from integrations.memory.notify import RecordingNotifier
from shop.orders import OrderLine, OrderSummary
from shop.ports import PlatformOrder, PlatformOrderRequest, PlatformUnavailable


class FakeOrderingConnector:
    """An in-memory platform: idempotent on our order id; tests ship or cancel orders by hand."""

    def __init__(self, platform: str = "jd") -> None:
        self.platform = platform
        self.placed: dict[str, PlatformOrder] = {}
        self.requests: list[PlatformOrderRequest] = []
        self.down = False

    async def place_order(self, request: PlatformOrderRequest) -> PlatformOrder:
        if self.down:
            raise PlatformUnavailable("down")
        self.requests.append(request)
        if request.order_id not in self.placed:
            self.placed[request.order_id] = PlatformOrder(
                self.platform,
                f"{self.platform.upper()}-{len(self.placed) + 1:06d}",
                request.order_id,
                "submitted",
            )
        return self.placed[request.order_id]

    async def get_order_status(self, platform_order_id: str) -> PlatformOrder:
        for po in self.placed.values():
            if po.platform_order_id == platform_order_id:
                return po
        raise PlatformUnavailable(platform_order_id)

    def set_status(self, order_id: str, status: str, tracking: str | None = None) -> None:
        po = self.placed[order_id]
        self.placed[order_id] = PlatformOrder(
            po.platform, po.platform_order_id, po.order_id, status, "SF" if tracking else None, tracking
        )


async def make_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return engine


@dataclass
class World:
    engine: AsyncEngine
    clock: FakeClock
    notifier: RecordingNotifier
    connector: FakeOrderingConnector
    c: OrdersComponents
    keys: str = field(default="jd-shop:k-jd,other:k-other")

    @property
    def orders(self):
        return self.c.orders


async def build_world(url: str, **kwargs) -> World:
    engine = await make_engine(url)
    clock = FakeClock()
    notifier = RecordingNotifier()
    connector = FakeOrderingConnector("jd")
    kwargs.setdefault("merchant_api_keys", "jd-shop:k-jd,other:k-other")
    c = build_orders(
        engine,
        notifier,
        clock,
        {"jd": connector},
        base_url="http://testserver",
        sandbox_secret=b"test-secret",
        **kwargs,
    )
    return World(engine, clock, notifier, connector, c)


def summary(
    shopper: str = "u1",
    total: str = "5999.00",
    lines: tuple[OrderLine, ...] | None = None,
    language: str = "zh",
) -> OrderSummary:
    lines = lines or (OrderLine("p1", "jd-100", "联想小新 Pro 14", 1, Decimal("6299.00"), {"颜色": "灰"}),)
    return OrderSummary(
        shopper_id=shopper,
        channel="rest",
        recipient_id=shopper,
        platform="jd",
        lines=lines,
        total=Decimal(total),
        receiver_name="张三",
        phone="13800000000",
        address="上海市浦东新区 1 号",
        language=language,
        merchant="jd-shop",
        savings="满6000减300",
    )


async def paid_order(w: World, shopper: str = "u1", key: str = "k1"):
    """An order paid through the sandbox (so submitted to the fake platform)."""
    order = await w.orders.create_from_summary(summary(shopper), key)
    intent = await w.orders.start_payment(order.id)
    assert w.c.sandbox is not None
    headers, body = w.c.sandbox.pay(intent.payment_id, "alipay")
    await w.orders.handle_payment_callback("sandbox", headers, body)
    return await w.orders.get(order.id)


def build_app(w: World, *, sandbox: bool = True):
    """A FastAPI app with the orders routes, and its scheduler (jobs registered, not started)."""
    from fastapi import FastAPI

    from bot.app import include_order_routers
    from bot.bootstrap import register_order_jobs
    from bot.scheduler import JobScheduler

    app = FastAPI()
    scheduler = JobScheduler()
    register_order_jobs(scheduler, w.c)
    include_order_routers(app, w.c, scheduler, sandbox=sandbox)
    return app, scheduler


def client(app):
    import httpx

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
