"""The composition root: builds every component from `Settings`, and starts / stops them.

Embedded default (no REDIS_URL): SQLite file, in-process tracker store, locks and outbox.
Production: PostgreSQL via DATABASE_URL, Redis for trackers, locks, outbox and pub/sub.
Tests build the same graph with `build_container(Settings(...))`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import db
from bot.console.setup import ConsoleParts, attach_console
from bot.nlu_loader import load_or_train_async
from bot.observability import Metrics
from bot.orders_wiring import OrdersComponents, build_orders, register_order_jobs
from bot.push import PushRouter
from bot.routes.charts import chart_url
from bot.scheduler import JobScheduler
from bot.settings import Settings
from bot.turns import TurnHandler, build_turn_handler
from bot.wiring_real import RealAdapters, build_real_adapters
from dialogue.alert_notifications import PushAlertNotifier, parse_channel_rates
from dialogue.context import Services
from dialogue.engine import DialogueEngine
from dialogue.flows.alerts import FLOWS as ALERT_FLOWS
from dialogue.flows.base import Flow
from dialogue.flows.buy import Buy
from dialogue.flows.details import CompareProducts, ShowDetails
from dialogue.flows.orders import FLOWS as ORDER_FLOWS
from dialogue.flows.recommend import Recommend
from dialogue.flows.search import RefineSearch, SearchProduct
from dialogue.flows.smalltalk import FLOWS as SMALLTALK
from dialogue.notifications import PushNotifier
from integrations.cache.memory import MemoryCache
from integrations.cache.redis_cache import RedisCache
from integrations.carriers.simulated import ExceptionRates
from integrations.charts.price_chart import MatplotlibPriceChart
from integrations.db.alerts_repo import SqlAlertRepository, SqlPriceHistory
from integrations.db.shoppers_repo import SQLShopperRepository
from integrations.marketplaces.demo.factory import (
    DemoMarketplace,
    build_demo_marketplace,
    make_price_walk_job,
)
from nlu.types import Parser
from shop import relevance
from shop.alerts import AlertService, AlertSettings
from shop.charts import PriceChartService, product_title_lookup
from shop.clock import SystemClock
from shop.ports import PlatformUnavailable
from shop.price_history import BatchingPriceRecorder
from shop.search import SearchAggregator
from tracking.leader import RedisLeaderLock
from tracking.lock import InProcessLockManager, LockManager, RedisLockManager
from tracking.outbox import InMemoryOutbox, Outbox
from tracking.redis_store import RedisOutbox, RedisTrackerStore
from tracking.store import InMemoryTrackerStore, TrackerStore

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[Any]]

PRICE_BATCH_SECONDS = 5.0  # how often the prices the aggregator saw are written


class ParserHolder:
    """The current NLU parser: None until the model is loaded at start."""

    def __init__(self) -> None:
        self.current: Parser | None = None

    def __call__(self) -> Parser:
        if self.current is None:
            raise RuntimeError("the NLU model is not loaded: start the container first")
        return self.current

    def get(self) -> Parser | None:
        return self.current


@dataclass
class Container:
    settings: Settings
    db_engine: AsyncEngine
    redis: Redis | None
    tracker_store: TrackerStore
    locks: LockManager
    outbox: Outbox
    push: PushRouter
    parser: ParserHolder
    services: Services
    engine: DialogueEngine
    metrics: Metrics
    handle: TurnHandler
    scheduler: JobScheduler
    real: RealAdapters
    connectors: dict[str, Any] = field(default_factory=dict)  # every marketplace, demo or real
    demo: DemoMarketplace | None = None
    orders: OrdersComponents | None = None
    console: ConsoleParts | None = None
    alerts: AlertService | None = None
    charts: PriceChartService | None = None
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    started: bool = False

    async def start(self) -> None:
        """Connect and start everything, in order (the app's lifespan calls this)."""
        if self.started:
            return
        s = self.settings
        self.parser.current = await load_or_train_async([s.data_dir / "training"], s.nlu_model_dir,
                                                        s.nlu_fallback_threshold)
        await db.upgrade(self.db_engine)
        if self.redis is not None:
            await self.redis.ping()
        for hook in self.on_start:
            await hook()
        self.started = True
        log.info("shopbot started", extra={"database": self.db_engine.url.get_backend_name(),
                                           "redis": self.redis is not None})

    async def stop(self) -> None:
        for hook in reversed(self.on_stop):
            try:
                await hook()
            except Exception:  # keep stopping the rest; the failure is logged
                log.exception("stop hook failed")
        if self.redis is not None:
            await self.redis.aclose()
        await self.db_engine.dispose()
        self.started = False

    async def readiness(self) -> dict[str, str]:
        """Each backing service: "ok" or the error."""
        out: dict[str, str] = {}
        try:
            async with self.db_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            out["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported, not raised: this is the readiness probe
            out["database"] = f"error: {type(exc).__name__}"
        if self.redis is not None:
            try:
                await self.redis.ping()
                out["redis"] = "ok"
            except Exception as exc:  # noqa: BLE001 - reported, not raised
                out["redis"] = f"error: {type(exc).__name__}"
        return out


def build_flows(settings: Settings) -> list[Flow]:
    shopping: list[Flow] = [SearchProduct(), RefineSearch(), ShowDetails(), CompareProducts(), Buy(), Recommend()]
    return [*(cls() for cls in SMALLTALK), *shopping, *(cls() for cls in ORDER_FLOWS),
            *(cls() for cls in ALERT_FLOWS)]


def _wire_marketplaces(c: Container) -> None:
    """Demo platforms (embedded default) and real platforms (keys set) behind the search aggregator."""
    s = c.settings
    cache = RedisCache(s.redis_url, prefix=f"{s.redis_prefix}cache:") if s.redis_url else MemoryCache()
    demo = None
    if s.demo_platforms:
        demo = c.demo = build_demo_marketplace(
            latency_ms=s.demo_platform_latency_ms, jitter_ms=s.demo_platform_jitter_ms,
            failure_rate=s.demo_platform_failure_rate, fulfil_delay_seconds=s.demo_fulfil_delay_seconds,
            timeout_seconds=s.demo_platform_timeout_seconds,
            # In process (tests), the bot serves the platforms' images under /demo/{platform}.
            public_base_url=s.base_url if s.demo_platform_transport == "asgi" else None)
        if s.demo_price_walk_seconds > 0:
            c.scheduler.add_job("walk_demo_prices", make_price_walk_job(demo, after_change=invalidate_search(c)),
                                s.demo_price_walk_seconds)

    # Every price the aggregator sees goes to the price history: in batches off the turn every
    # 5 s (BatchingPriceRecorder), unless an unchanged price is to be logged again that often;
    # then each search writes its own sightings in the background.
    history = c.services.price_history
    recorder = None
    if history is not None and s.price_history_min_interval_seconds > 2 * PRICE_BATCH_SECONDS:
        recorder = BatchingPriceRecorder(history, interval=PRICE_BATCH_SECONDS)

    async def start() -> None:
        await asyncio.to_thread(relevance.warm_up)  # jieba's dictionary, before the first search
        if isinstance(cache, RedisCache):
            await cache.start()
        await c.real.start()
        if demo is not None:
            await demo.start(in_process=s.demo_platform_transport == "asgi")
            c.connectors.update(demo.connectors)
        c.connectors.update(c.real.marketplaces)  # a real platform replaces its demo twin
        if recorder is not None:
            recorder.start()
        c.services.search = SearchAggregator(c.connectors, cache, deadline_seconds=s.search_deadline_seconds,
                                             cache_ttl_seconds=s.search_cache_ttl_seconds,
                                             price_recorder=recorder or history)

    async def stop() -> None:
        if c.services.search is not None:
            await c.services.search.drain()  # sightings on their way to the recorder
        if recorder is not None:
            await recorder.close()  # the last batch is written before the database closes
        if demo is not None:
            await demo.stop()
        await c.real.stop()
        if isinstance(cache, RedisCache):
            await cache.close()

    c.on_start.append(start)
    c.on_stop.append(stop)


def invalidate_search(c: Container) -> Hook:
    async def invalidate() -> None:
        if c.services.search is not None:
            await c.services.search.invalidate()

    return invalidate


class _SearchProducts:
    """The aggregator as a product source for services built before it starts."""

    def __init__(self, c: Container) -> None:
        self._c = c

    async def get_product(self, product_id: str) -> Any:
        if self._c.services.search is None:
            raise PlatformUnavailable("search is not started")
        return await self._c.services.search.get_product(product_id)


def _wire_alerts(c: Container) -> None:
    """Price history (every price seen), price alerts evaluated set-based, charts."""
    s = c.settings
    history = SqlPriceHistory(c.db_engine, min_interval=timedelta(seconds=s.price_history_min_interval_seconds))
    c.services.price_history = history
    products = _SearchProducts(c)
    notifier = PushAlertNotifier(
        c.push, chart_url=lambda a: chart_url(s.base_url, a.product_id, a.target_price, a.language),
        default_rate=s.alert_push_rate_per_second, channel_rates=parse_channel_rates(s.alert_push_channel_rates),
        concurrency=s.alert_push_concurrency)
    alerts = c.alerts = AlertService(
        SqlAlertRepository(c.db_engine), history, products, notifier=notifier, clock=SystemClock(),
        settings=AlertSettings(ttl=timedelta(days=s.price_alert_ttl_days),
                               max_per_shopper=s.price_alert_max_per_shopper, batch_size=s.alert_batch_size))
    c.services.alerts = alerts
    c.services.extra["chart_url"] = lambda a: chart_url(s.base_url, a.product_id, a.target_price, a.language)
    c.charts = PriceChartService(history, MatplotlibPriceChart(), title_of=product_title_lookup(products),
                                 cache_size=s.chart_cache_size, clock=SystemClock())

    async def refresh_watched_prices() -> Any:
        return await alerts.refresh_watched_prices(c.connectors)

    c.scheduler.add_job("refresh_watched_prices", refresh_watched_prices, s.price_refresh_seconds)
    c.scheduler.add_job("evaluate_alerts", alerts.evaluate_alerts, s.alert_eval_seconds)
    c.scheduler.add_job("expire_alerts", alerts.expire_alerts, s.alert_expire_seconds)


def _wire_orders(c: Container) -> None:
    """Orders, payments, shipments and after-sales; their jobs run on the scheduler."""
    s = c.settings
    orders = c.orders = build_orders(
        c.db_engine, PushNotifier(c.push), SystemClock(), c.connectors, base_url=s.base_url,
        payment_provider=s.payment_provider, extra_providers=c.real.payments,
        sandbox_secret=s.sandbox_payment_secret.encode() if s.sandbox_payment_secret else None,
        carrier=c.real.carrier, carrier_step=timedelta(seconds=s.carrier_step_seconds),
        carrier_rates=ExceptionRates(s.carrier_delay_rate, s.carrier_lost_rate, s.carrier_rejected_rate),
        ticket_deadline=timedelta(hours=s.merchant_ticket_deadline_hours), merchant_api_keys=s.merchant_api_keys)
    c.services.orders, c.services.shipments, c.services.aftersales = orders.orders, orders.shipments, orders.tickets
    register_order_jobs(c.scheduler, orders, shipment_poll_seconds=s.shipment_poll_seconds,
                        platform_sync_seconds=s.platform_sync_seconds)

    async def start() -> None:
        await orders.orders.reconcile()  # finish what a crashed worker left between payment and order
        await c.scheduler.start()

    async def stop() -> None:
        await c.scheduler.shutdown()

    c.on_start.append(start)
    c.on_stop.append(stop)


def build_container(settings: Settings, *, console_clock: Any = None, console_hasher: Any = None) -> Container:
    """Build the whole graph; nothing connects until `start()`."""
    db_engine = db.create_engine(settings.database_url)
    redis: Redis | None = None
    tracker_store: TrackerStore
    locks: LockManager
    outbox: Outbox
    if settings.redis_url:
        redis = Redis.from_url(settings.redis_url)
        tracker_store = RedisTrackerStore(redis, settings.redis_prefix)
        locks = RedisLockManager(redis, settings.redis_prefix, settings.lock_lease_seconds)
        outbox = RedisOutbox(redis, settings.redis_prefix)
    else:
        tracker_store = InMemoryTrackerStore()
        locks = InProcessLockManager()
        outbox = InMemoryOutbox()
    push = PushRouter(outbox)
    parser = ParserHolder()
    shoppers = SQLShopperRepository(db_engine)
    services = Services(shoppers=shoppers)
    engine = DialogueEngine(parser=parser, store=tracker_store, locks=locks, flows=build_flows(settings),
                            services=services, shoppers=shoppers)
    metrics = Metrics()
    handle = build_turn_handler(engine, metrics)
    leader = RedisLeaderLock(settings.redis_url, key=f"{settings.redis_prefix}scheduler:leader") \
        if settings.redis_url else None
    container = Container(settings=settings, db_engine=db_engine, redis=redis, tracker_store=tracker_store,
                          locks=locks, outbox=outbox, push=push, parser=parser, services=services,
                          engine=engine, metrics=metrics, handle=handle, scheduler=JobScheduler(leader),
                          real=build_real_adapters(settings))
    _wire_alerts(container)
    _wire_marketplaces(container)
    _wire_orders(container)
    if leader is not None:
        container.on_stop.append(leader.aclose)
    container.console = attach_console(container, console_clock, console_hasher)
    return container
