"""The one bootstrap: builds the whole graph from `Settings`, in dependency order, and returns
a frozen `Runtime` whose `start()` / `stop()` run it (the app's lifespan calls them).

    runtime = build_runtime(Settings())   # nothing connects yet
    await runtime.start()                 # NLU model, migrations, Redis, platforms, scheduler
    await runtime.handle(IncomingMessage("rest", "u1", "想买耳机"))
    await runtime.stop()

Embedded default (no REDIS_URL): SQLite file, in-process tracker store, locks and outbox.
Production: PostgreSQL via DATABASE_URL, Redis for trackers, locks, outbox and pub/sub.
Every part is built here and only here; nothing is assigned to it after `build_runtime`
returns. Each part that holds a connection says how it starts and stops (`Part`), in the
order it was built; `stop()` runs them backwards.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import db
from bot.accounts_setup import AccountsParts, build_accounts
from bot.console.collected import ConsoleBackends
from bot.console.setup import ConsoleParts, build_console
from bot.console.throttle import LoginLimits, LoginThrottle, MemoryThrottleStore, RedisThrottleStore
from bot.demo_merchants import DEMO_REVIEWER, demo_return_address, seed_demo_merchants
from bot.merchant_notices import EmailDecisionNotifier, LogEmailSender
from bot.nlu_loader import load_or_train_async
from bot.observability import Metrics
from bot.privacy import PrivacyDesk
from bot.push import DurablePush, PushRouter
from bot.routes.accounts_web import AccountPages
from bot.routes.charts import chart_url
from bot.routes.merchant import parse_merchant_keys
from bot.scheduler import JobScheduler
from bot.settings import Settings
from bot.turns import TurnHandler, build_turn_handler
from dialogue.alert_notifications import PushAlertNotifier, parse_channel_rates
from dialogue.engine import DialogueEngine
from dialogue.flows.account import FLOWS as ACCOUNT_FLOWS
from dialogue.flows.account import account_trigger
from dialogue.flows.alerts import FLOWS as ALERT_FLOWS
from dialogue.flows.base import Flow
from dialogue.flows.buy import Buy
from dialogue.flows.cart import Cart, cart_trigger
from dialogue.flows.checkout import Checkout, checkout_trigger
from dialogue.flows.currency import parse_rates
from dialogue.flows.details import CompareProducts, ShowDetails
from dialogue.flows.group_buy import GroupBuyFlow, GroupBuyStatus, JoinGroupBuy, group_buy_trigger
from dialogue.flows.handoff import FLOWS as HANDOFF_FLOWS
from dialogue.flows.handoff import handoff_trigger
from dialogue.flows.orders import FLOWS as ORDER_FLOWS
from dialogue.flows.photos import FLOWS as PHOTO_FLOWS
from dialogue.flows.recommend import Recommend
from dialogue.flows.return_parcel import return_parcel_trigger
from dialogue.flows.reviews import RateOrder, rating_trigger
from dialogue.flows.search import RefineSearch, SearchProduct
from dialogue.flows.share import OpenShare, ShareProduct, share_trigger
from dialogue.flows.smalltalk import FLOWS as SMALLTALK
from dialogue.notifications import PushNotifier
from dialogue.ports import Services
from dialogue.presentation.charts import chart_labels
from dialogue.presentation.orders import payment_subject
from dialogue.quality_notifications import DelistingNotifier
from integrations.accounts.crypto import EnvelopeCipher
from integrations.cache.redis_cache import RedisCache
from integrations.carriers.kuaidi100 import Kuaidi100Carrier, Kuaidi100Config
from integrations.carriers.simulated import ExceptionRates, SimulatedCarrier
from integrations.charts.price_chart import PillowPriceChart
from integrations.db.accounts_repo import SQLAccountSessions
from integrations.db.alerts_repo import SqlAlertRepository, SqlPriceHistory
from integrations.db.cart_repo import SQLCartRepository
from integrations.db.group_buys_repo import SqlGroupBuyRepository
from integrations.db.merchants_repo import SqlMerchantApplications
from integrations.db.orders_logistics_repo import SqlShipmentRepository, SqlTicketRepository
from integrations.db.orders_repo import SqlOrderRepository
from integrations.db.payments_repo import SqlPaymentCallbackLog, SqlPaymentRepository
from integrations.db.privacy_repo import SQLPersonalData
from integrations.db.push_outbox import SqlPushOutbox
from integrations.db.quality_repo import SqlQualityRepository, merchant_signals
from integrations.db.refunds_repo import SqlRefundRepository
from integrations.db.return_addresses_repo import SqlReturnAddressBook
from integrations.db.reviews_repo import SqlReviewRepository
from integrations.db.shares_repo import SqlShareRepository
from integrations.db.shoppers_repo import SQLShopperRepository
from integrations.db.uow import SqlUnitOfWork
from integrations.marketplaces.demo.factory import (
    DemoMarketplace,
    build_demo_marketplace,
    make_price_walk_job,
)
from integrations.marketplaces.demo.store import CATALOG_PATH, full_catalog_path
from integrations.marketplaces.jd_union import JdUnionConfig, JdUnionConnector
from integrations.marketplaces.pdd_ddk import PddDdkConfig, PddDdkConnector
from integrations.marketplaces.taobao_tbk import TaobaoTbkConfig, TaobaoTbkConnector
from integrations.memory.cache import MemoryCache
from integrations.payments.alipay import AlipayConfig, AlipayProvider
from integrations.payments.sandbox import SandboxPaymentProvider
from integrations.payments.wechatpay import WeChatPayConfig, WeChatPayProvider
from integrations.text import jieba_words
from nlu.types import Parser
from shop import relevance
from shop.aftersales import TicketService
from shop.alerts import AlertService, AlertSettings
from shop.charts import PriceChartService, product_title_lookup
from shop.clock import Clock, SandboxClock, SystemClock
from shop.group_buys import GroupBuyService
from shop.logistics import Carrier
from shop.merchant_policy import DemoMerchantPolicy
from shop.merchants import ApplicationStatus, MerchantOnboarding
from shop.notify import ShopperNotifier
from shop.ordering import OrderService
from shop.orders import OrderStatus
from shop.payments import PaymentProvider, canonical_provider_name
from shop.ports import OrderingConnector
from shop.price_history import BatchingPriceRecorder
from shop.refusals import OfferCheck, offer_check
from shop.reviews import MerchantScores, ReviewService
from shop.search import SearchAggregator
from shop.sharing import ShareService
from shop.shipments import ShipmentService
from shop.spot_checks import ListingFilter, MerchantSignals, QualityService
from tracking.leader import RedisLeaderLock
from tracking.lock import InProcessLockManager, LockManager, RedisLockManager
from tracking.outbox import InMemoryOutbox, Outbox
from tracking.redis_store import RedisOutbox, RedisTrackerStore
from tracking.sql_store import SQLTrackerStore
from tracking.store import TrackerStore

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[Any]]

PRICE_BATCH_SECONDS = 5.0  # how often the prices the aggregator saw are written


class ParserHolder:
    """The current NLU parser: None until the model is loaded at start."""

    def __init__(self) -> None:
        self.current: Parser | None = None

    def __call__(self) -> Parser:
        if self.current is None:
            raise RuntimeError("the NLU model is not loaded: start the runtime first")
        return self.current

    def get(self) -> Parser | None:
        return self.current


@dataclass(frozen=True)
class Part:
    """One part's lifecycle: started in build order, stopped in reverse."""

    name: str
    start: Hook | None = None
    stop: Hook | None = None


@dataclass
class _Status:
    started: bool = False


@dataclass(frozen=True)
class RealAdapters:
    """Adapters to real outside systems; each is on only when its keys are set. Payment
    providers are keyed by their `name`, the name payments are stored with."""

    marketplaces: Mapping[str, Any] = field(default_factory=dict)
    payments: Mapping[str, PaymentProvider] = field(default_factory=dict)
    carrier: Kuaidi100Carrier | None = None

    def all(self) -> list[Any]:
        out: list[Any] = [*self.marketplaces.values(), *self.payments.values()]
        return out + ([self.carrier] if self.carrier else [])

    async def start(self) -> None:
        for adapter in self.all():
            await adapter.start()

    async def stop(self) -> None:
        for adapter in self.all():
            await adapter.aclose()


@dataclass(frozen=True)
class OrdersComponents:
    """The orders area: services, payment providers, carrier (and their sandbox twins)."""

    orders: OrderService
    shipments: ShipmentService
    tickets: TicketService
    providers: Mapping[str, PaymentProvider]
    carrier: Carrier
    sandbox: SandboxPaymentProvider | None = None
    simulated_carrier: SimulatedCarrier | None = None
    merchant_keys: Mapping[str, str] = field(default_factory=dict)
    return_addresses: SqlReturnAddressBook | None = None


@dataclass(frozen=True)
class Runtime:
    """The built graph. `start()` connects everything in order; `stop()` undoes it."""

    settings: Settings
    db_engine: AsyncEngine
    redis: Redis | None
    tracker_store: TrackerStore
    locks: LockManager
    outbox: Outbox
    push: PushRouter
    parser: ParserHolder
    metrics: Metrics
    scheduler: JobScheduler
    real: RealAdapters
    connectors: Mapping[str, Any]  # every marketplace, demo or real
    search: SearchAggregator
    alerts: AlertService
    charts: PriceChartService
    orders: OrdersComponents
    console: ConsoleParts
    services: Services
    engine: DialogueEngine
    handle: TurnHandler
    demo: DemoMarketplace | None
    parts: tuple[Part, ...]
    merchants: MerchantOnboarding | None = None  # onboarding: applications, reviews, issued keys
    quality: QualityService | None = None  # spot checks, delistings, appeals, merchant standing
    accounts: AccountsParts | None = None  # shopper accounts: register, sign in, codes
    privacy: PrivacyDesk | None = None  # export and delete one's data
    account_pages: AccountPages | None = None  # the shopper's web account pages
    _status: _Status = field(default_factory=_Status, repr=False, compare=False)

    @property
    def started(self) -> bool:
        return self._status.started

    async def load_nlu(self, progress: Callable[[str, int, int], None] | None = None) -> None:
        """Load the NLU model, training it first when it is missing or stale (in a worker thread)."""
        s = self.settings
        self.parser.current = await load_or_train_async([s.data_dir / "training"], s.nlu_model_dir,
                                                        s.nlu_fallback_threshold, progress)

    async def start(self, *, nlu: bool = True) -> None:
        """Load the NLU model, migrate, then start every part in build order. ``nlu=False`` leaves
        the model to the caller (`load_nlu`: the server's background warm-up, bot/warmup.py)."""
        if self._status.started:
            return
        if nlu:
            await self.load_nlu()
        await db.upgrade(self.db_engine, self.accounts.cipher if self.accounts else None)  # 0018 encrypts old rows
        if self.redis is not None:
            await self.redis.ping()
            await warn_without_persistence(self.redis)
        for part in self.parts:
            if part.start is not None:
                await part.start()
        self._status.started = True
        log.info("shopbot started", extra={"database": self.db_engine.url.get_backend_name(),
                                           "redis": self.redis is not None})

    async def stop(self) -> None:
        for part in reversed(self.parts):
            if part.stop is None:
                continue
            try:
                await part.stop()
            except Exception:  # keep stopping the rest; the failure is logged
                log.exception("stopping %s failed", part.name)
        if self.redis is not None:
            await self.redis.aclose()
        await self.db_engine.dispose()
        self._status.started = False

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


def build_flows() -> list[Flow]:
    shopping: list[Flow] = [SearchProduct(), RefineSearch(), ShowDetails(), CompareProducts(), Buy(), Recommend(), Cart(), Checkout(), ShareProduct(),
                            OpenShare(), RateOrder(), GroupBuyFlow(), JoinGroupBuy(), GroupBuyStatus()]
    return [*(cls() for cls in SMALLTALK), *shopping, *(cls() for cls in ORDER_FLOWS),
            *(cls() for cls in ALERT_FLOWS), *(cls() for cls in HANDOFF_FLOWS),
            *(cls() for cls in ACCOUNT_FLOWS), *(cls() for cls in PHOTO_FLOWS)]


def build_real_adapters(s: Settings) -> RealAdapters:
    marketplaces: dict[str, Any] = {}
    payments: dict[str, PaymentProvider] = {}
    carrier = None
    if s.jd_union_app_key and s.jd_union_app_secret:
        marketplaces["jd"] = JdUnionConnector(JdUnionConfig(s.jd_union_app_key, s.jd_union_app_secret,
                                                            api_url=s.jd_union_api_url))
    if s.taobao_app_key and s.taobao_app_secret:
        marketplaces["taobao"] = TaobaoTbkConnector(TaobaoTbkConfig(
            s.taobao_app_key, s.taobao_app_secret, s.taobao_adzone_id, api_url=s.taobao_api_url,
            sign_method=s.taobao_sign_method))
    if s.pdd_client_id and s.pdd_client_secret:
        marketplaces["pdd"] = PddDdkConnector(PddDdkConfig(s.pdd_client_id, s.pdd_client_secret, s.pdd_pid,
                                                           api_url=s.pdd_api_url))
    if s.wechatpay_mchid and s.wechatpay_api_v3_key:
        wechat = WeChatPayProvider(WeChatPayConfig(
            s.wechatpay_mchid, s.wechatpay_appid, s.wechatpay_api_v3_key, s.wechatpay_cert_serial_no,
            s.wechatpay_private_key_path,
            s.wechatpay_notify_url or f"{s.base_url}/payments/{WeChatPayProvider.name}/notify",
            platform_public_key_path=s.wechatpay_public_key_path,
            platform_public_key_id=s.wechatpay_public_key_id, platform_cert_dir=s.wechatpay_platform_cert_dir,
            api_url=s.wechatpay_api_url, cert_refresh_interval=s.wechatpay_cert_refresh_seconds))
        payments[wechat.name] = wechat
    if s.alipay_app_id and s.alipay_app_private_key_path:
        alipay = AlipayProvider(AlipayConfig(
            s.alipay_app_id, s.alipay_app_private_key_path, s.alipay_public_key_path,
            gateway_url=s.alipay_gateway_url, notify_url=s.alipay_notify_url or f"{s.base_url}/payments/alipay/notify",
            return_url=s.alipay_return_url, default_method=s.alipay_method,
            notify_max_age=timedelta(seconds=s.alipay_notify_max_age_seconds)))
        payments[alipay.name] = alipay
    if s.carrier == "kuaidi100" and s.kuaidi100_customer:
        carrier = Kuaidi100Carrier(Kuaidi100Config(s.kuaidi100_customer, s.kuaidi100_key, s.kuaidi100_salt,
                                                   api_url=s.kuaidi100_api_url))
    return RealAdapters(marketplaces, payments, carrier)


def build_orders(
    engine: AsyncEngine,
    notifier: ShopperNotifier,
    clock: Clock,
    connectors: Mapping[str, OrderingConnector],
    *,
    base_url: str,
    payment_provider: str = "sandbox",
    extra_providers: Mapping[str, PaymentProvider] | None = None,
    sandbox_secret: bytes | None = None,
    carrier: Carrier | None = None,
    carrier_callback_url: str = "",
    carrier_step: timedelta = timedelta(hours=6),
    carrier_rates: ExceptionRates | None = None,
    ticket_deadline: timedelta = timedelta(hours=48),
    merchant_api_keys: str = "",
    offer_check: OfferCheck | None = None,
    return_address_fallback: Callable[[str], str | None] | None = None,
    cipher: EnvelopeCipher | None = None,
) -> OrdersComponents:
    """The orders area: repositories, providers, carrier, services. `extra_providers` holds the
    real adapters (wechat_pay, alipay); the sandbox provider and simulated carrier fill the gaps."""
    # One name per provider: the key is the name its payments are stored with (`wechat_pay`).
    providers: dict[str, PaymentProvider] = {p.name: p for p in (extra_providers or {}).values()}
    payment_provider = canonical_provider_name(payment_provider)
    sandbox = None
    if payment_provider == "sandbox" or "sandbox" not in providers:
        sandbox = SandboxPaymentProvider(clock, base_url=base_url, secret=sandbox_secret)
        providers.setdefault("sandbox", sandbox)
    if payment_provider not in providers:
        raise ValueError(f"PAYMENT_PROVIDER={payment_provider!r} has no adapter wired")
    simulated = None
    if carrier is None:
        carrier = simulated = SimulatedCarrier(clock, step=carrier_step, rates=carrier_rates or ExceptionRates())
    uow = SqlUnitOfWork(engine)
    refunds = SqlRefundRepository(engine)
    orders = OrderService(SqlOrderRepository(engine, cipher), SqlPaymentRepository(engine), SqlPaymentCallbackLog(engine),
                          refunds, providers, connectors, notifier, clock, uow=uow,
                          default_provider=payment_provider, payment_subject=payment_subject,
                          offer_check=offer_check)
    # Parcels are subscribed to push updates at this URL (the simulated carrier just learns of
    # the parcel; a real carrier calls POST /carriers/{name}/notify). Empty: polling only.
    callback_url = carrier_callback_url or (
        f"{base_url.rstrip('/')}/carriers/{carrier.name}/notify" if simulated else "")
    shipments = ShipmentService(SqlShipmentRepository(engine), carrier, orders, notifier, clock,
                                callback_url=callback_url)
    addresses = SqlReturnAddressBook(engine, clock, return_address_fallback)
    tickets = TicketService(SqlTicketRepository(engine), orders, shipments, notifier, clock, deadline=ticket_deadline,
                            uow=uow, refunds=refunds, addresses=addresses)
    return OrdersComponents(orders, shipments, tickets, providers, carrier, sandbox, simulated,
                            parse_merchant_keys(merchant_api_keys), addresses)


async def warn_without_persistence(redis: Redis) -> bool:
    """Transcripts live in Redis: without AOF or RDB snapshots a Redis restart erases them all.
    Logs a warning then (False); True when some persistence is on or it cannot be told (a
    managed Redis that disables CONFIG)."""
    try:
        config = await redis.config_get("appendonly")
        config |= await redis.config_get("save")
    except RedisError:
        return True
    text = {(k.decode() if isinstance(k, bytes) else str(k)): (v.decode() if isinstance(v, bytes) else str(v))
            for k, v in config.items()}
    appendonly, save = text.get("appendonly", ""), text.get("save", "").strip()
    if appendonly == "yes" or save:
        return True
    log.warning("Redis runs without persistence (appendonly no, no save points): a Redis restart "
                "erases every conversation transcript; run it with appendonly yes (see the README)")
    return False


def demo_stores(keys: Mapping[str, str], merchants: MerchantOnboarding) -> Callable[[str], Awaitable[bool]]:
    """Whether the demo policy answers for a merchant: not one holding its own API key (from the
    settings, or issued on an approved application that a person, not the demo seed, reviewed)."""
    async def answers_for(merchant: str) -> bool:
        if merchant in keys:
            return False
        approved = await merchants.repo.find([ApplicationStatus.APPROVED], 1000)
        return not any(a.merchant_id == merchant and a.reviewer != DEMO_REVIEWER for a in approved)

    return answers_for


def register_order_jobs(scheduler: JobScheduler, c: OrdersComponents, *, shipment_poll_seconds: float = 60,
                        platform_sync_seconds: float = 60, ticket_check_seconds: float = 300,
                        carrier_clock_seconds: float = 1.0) -> None:
    """The orders area's periodic jobs (names are what `GET /sandbox/jobs` lists)."""
    simulated = c.simulated_carrier
    if simulated is not None:
        async def carrier_events_due() -> int:
            """The simulated carrier's parcels move on its clock: an event that has happened is
            pushed to the shopper now, not at the next poll."""
            return await c.shipments.poll_shipments() if simulated.due() else 0

        scheduler.add_job("carrier_events_due", carrier_events_due, carrier_clock_seconds)
    scheduler.add_job("sync_platform_orders", c.shipments.sync_platform_orders, platform_sync_seconds)
    scheduler.add_job("poll_shipments", c.shipments.poll_shipments, shipment_poll_seconds)
    scheduler.add_job("escalate_overdue_tickets", c.tickets.escalate_overdue_tickets, ticket_check_seconds)
    scheduler.add_job("reconcile_payments", c.orders.reconcile, platform_sync_seconds * 5)
    scheduler.add_job("auto_complete_orders", c.orders.auto_complete, ticket_check_seconds)
    scheduler.add_job("retry_refunds", c.tickets.retry_refunds, platform_sync_seconds)



OPEN_ORDER_STATUSES = (OrderStatus.CREATED, OrderStatus.PAID, OrderStatus.SUBMITTED, OrderStatus.SHIPPED)


def build_quality(s: Settings, db_engine: AsyncEngine, clock: Any, search: SearchAggregator,
                  demo: DemoMarketplace | None, scheduler: JobScheduler) -> QualityService:
    """Spot checks (a scheduled job sampling the demo platforms' listings), delistings and
    merchant standing; search leaves out what they hide."""
    repo = SqlQualityRepository(db_engine)

    async def signals(merchants: Sequence[str]) -> dict[str, MerchantSignals]:
        return await merchant_signals(db_engine, merchants)

    quality = QualityService(repo, clock, ListingFilter(repo, time.monotonic), listings=demo, signals=signals,
                             sample_size=s.spot_check_sample_size, after_change=search.invalidate)
    search.offer_filter = quality.filter
    if s.spot_check_seconds > 0:
        scheduler.add_job("spot_checks", quality.run_spot_checks, s.spot_check_seconds)
    return quality


def open_orders_flagger(orders: OrderService) -> Callable[[str, str], Awaitable[Sequence[str]]]:
    """On a merchant's suspension: their open orders, written to the audit log for staff."""
    audit = logging.getLogger("shopbot.audit")

    async def flag(merchant: str, reason: str) -> Sequence[str]:
        found = await orders.find(merchant=merchant, statuses=OPEN_ORDER_STATUSES, limit=500)
        ids = [o.id for o in found]
        audit.warning("merchant %s suspended (%s): open orders to follow up: %s", merchant, reason,
                      ", ".join(ids) or "none")
        return ids

    return flag


def _demo_catalog_path(s: Settings) -> Path:
    """The demo platforms' catalog: the full generated one (built at first start), the small
    committed one, or a file."""
    if s.demo_catalog == "full":
        return full_catalog_path(s.var_dir)
    if s.demo_catalog == "demo":
        return CATALOG_PATH
    return Path(s.demo_catalog)

def build_runtime(settings: Settings, *, console_clock: Clock | None = None,
                  console_hasher: PasswordHasher | None = None) -> Runtime:
    """Build the whole graph, in dependency order; nothing connects until `start()`."""
    s = settings
    parts: list[Part] = []
    # SANDBOX: the demo may move the clock forward (POST /sandbox/clock/advance)
    clock: Clock = SandboxClock() if s.sandbox else SystemClock()
    jieba_words.install()  # search relevance cuts Chinese with jieba

    # Storage: database, Redis, trackers, locks, outbox, pushes.
    db_engine = db.create_engine(s.database_url)
    # Shopper accounts (register and sign in with codes); personal data encrypted at rest, in the
    # tables (shoppers, orders) and in the transcripts, under the accounts' master keys.
    accounts = build_accounts(s, db_engine, clock)
    redis: Redis | None = None
    tracker_store: TrackerStore
    locks: LockManager
    outbox: Outbox
    if s.redis_url:
        redis = Redis.from_url(s.redis_url)
        tracker_store = RedisTrackerStore(redis, s.redis_prefix,
                                          retention_seconds=s.tracker_retention_days * 86400 or None,
                                          cipher=accounts.cipher)
        locks = RedisLockManager(redis, s.redis_prefix, s.lock_lease_seconds)
        outbox = RedisOutbox(redis, s.redis_prefix)
    else:
        # conversations live in the database, so one interrupted at any step resumes after a restart
        tracker_store, locks, outbox = (SQLTrackerStore(db_engine, accounts.cipher), InProcessLockManager(),
                                        InMemoryOutbox())
    push = PushRouter(outbox)
    leader = RedisLeaderLock(s.redis_url, key=f"{s.redis_prefix}scheduler:leader") if s.redis_url else None
    scheduler = JobScheduler(leader)
    real = build_real_adapters(s)
    parts.append(Part("accounts", accounts.start, accounts.stop))
    shoppers = SQLShopperRepository(db_engine, accounts.cipher, accounts.service.keyed_hash_key)

    # Marketplaces behind the search aggregator; every price it sees goes to the price history:
    # in batches off the turn every 5 s (BatchingPriceRecorder), unless an unchanged price is to
    # be logged again that often; then each search writes its own sightings in the background.
    history = SqlPriceHistory(db_engine, min_interval=timedelta(seconds=s.price_history_min_interval_seconds))
    recorder = None
    if s.price_history_min_interval_seconds > 2 * PRICE_BATCH_SECONDS:
        recorder = BatchingPriceRecorder(history, interval=PRICE_BATCH_SECONDS)
    cache = RedisCache(s.redis_url, prefix=f"{s.redis_prefix}cache:") if s.redis_url else MemoryCache()
    in_process = s.demo_platform_transport == "asgi"
    demo = None
    connectors: dict[str, Any] = {}
    if s.demo_platforms:
        demo = build_demo_marketplace(
            latency_ms=s.demo_platform_latency_ms, jitter_ms=s.demo_platform_jitter_ms,
            failure_rate=s.demo_platform_failure_rate, fulfil_delay_seconds=s.demo_fulfil_delay_seconds,
            timeout_seconds=s.demo_platform_timeout_seconds, catalog_path=_demo_catalog_path(s),
            # In process (tests), the bot serves the platforms' images under /demo/{platform}.
            public_base_url=s.base_url if in_process else None, picture_dir=s.var_dir / "pictures")
        connectors.update(demo.prepare(in_process=in_process))
    connectors.update(real.marketplaces)  # a real platform replaces its demo twin
    search = SearchAggregator(connectors, cache, deadline_seconds=s.search_deadline_seconds,
                              cache_ttl_seconds=s.search_cache_ttl_seconds, price_recorder=recorder or history)
    if demo is not None and s.demo_price_walk_seconds > 0:
        scheduler.add_job("walk_demo_prices", make_price_walk_job(demo, after_change=search.invalidate),
                          s.demo_price_walk_seconds)

    async def start_search() -> None:
        await asyncio.to_thread(relevance.warm_up)  # jieba's dictionary, before the first search
        if isinstance(cache, RedisCache):
            await cache.start()
        await real.start()
        if demo is not None:
            await demo.start()
        if recorder is not None:
            recorder.start()

    async def stop_search() -> None:
        await search.drain()  # sightings on their way to the recorder
        if recorder is not None:
            await recorder.close()  # the last batch is written before the database closes
        if demo is not None:
            await demo.stop()
        await real.stop()
        if isinstance(cache, RedisCache):
            await cache.close()

    parts.append(Part("search", start_search, stop_search))

    # Price alerts (evaluated set-based) and charts.
    def alert_chart_url(alert: Any) -> str:
        return chart_url(s.base_url, alert.product_id, alert.target_price, alert.language)

    durable_push = DurablePush(push, SqlPushOutbox(db_engine), clock)  # at least once, from the database
    scheduler.add_job("deliver_pushes", durable_push.deliver_due, s.push_retry_seconds)
    notifier = PushAlertNotifier(durable_push, chart_url=alert_chart_url, default_rate=s.alert_push_rate_per_second,
                                 channel_rates=parse_channel_rates(s.alert_push_channel_rates),
                                 concurrency=s.alert_push_concurrency)
    alert_repo = SqlAlertRepository(db_engine)
    alerts = AlertService(
        alert_repo, history, search, notifier=notifier, clock=clock,
        settings=AlertSettings(ttl=timedelta(days=s.price_alert_ttl_days),
                               max_per_shopper=s.price_alert_max_per_shopper, batch_size=s.alert_batch_size))
    charts = PriceChartService(history, PillowPriceChart(), labeller=chart_labels, title_of=product_title_lookup(search),
                               cache_size=s.chart_cache_size, clock=clock)

    async def refresh_watched_prices() -> Any:
        return await alerts.refresh_watched_prices(connectors)

    scheduler.add_job("refresh_watched_prices", refresh_watched_prices, s.price_refresh_seconds)
    scheduler.add_job("evaluate_alerts", alerts.evaluate_alerts, s.alert_eval_seconds)
    scheduler.add_job("expire_alerts", alerts.expire_alerts, s.alert_expire_seconds)

    # Orders, payments, shipments and after-sales.
    if s.payment_provider == "sandbox" and not s.sandbox:
        log.warning("PAYMENT_PROVIDER=sandbox with SANDBOX off: orders cannot be paid (no pay page); "
                    "set SANDBOX=1 for the demo (make run does) or configure WeChat Pay / Alipay")
    # Group buys (拼团): members' paid orders are held until the group is complete.
    group_buys = GroupBuyService(SqlGroupBuyRepository(db_engine), clock.now, s.base_url,
                                 notifier=PushNotifier(durable_push, base_url=s.base_url))
    orders = build_orders(
        db_engine, PushNotifier(durable_push, ask_rating=True), clock, connectors, base_url=s.base_url,
        payment_provider=s.payment_provider, extra_providers=real.payments,
        sandbox_secret=s.sandbox_payment_secret.encode() if s.sandbox_payment_secret else None,
        carrier=real.carrier, carrier_step=timedelta(seconds=s.carrier_step_seconds),
        carrier_rates=ExceptionRates(s.carrier_delay_rate, s.carrier_lost_rate, s.carrier_rejected_rate),
        ticket_deadline=timedelta(hours=s.merchant_ticket_deadline_hours), merchant_api_keys=s.merchant_api_keys,
        offer_check=offer_check(search, s.checkout_price_tolerance_percent, grouped=group_buys.in_group),
        cipher=accounts.cipher,
        return_address_fallback=demo_return_address if s.demo_platforms or s.demo_merchant_policy else None)
    group_buys.orders = orders.orders
    orders.orders.hold = group_buys
    scheduler.add_job("expire_group_buys", group_buys.expire_due, s.group_buy_check_seconds)
    register_order_jobs(scheduler, orders, shipment_poll_seconds=s.shipment_poll_seconds,
                        platform_sync_seconds=s.platform_sync_seconds, carrier_clock_seconds=s.carrier_clock_seconds)
    # Finish what a crashed worker left between payment and order, before the scheduler runs.
    parts.append(Part("orders", orders.orders.reconcile))

    # Merchant onboarding (applications reviewed in the console), spot checks and delisting.
    merchant_mail = LogEmailSender()  # no SMTP port in the shop yet: decision notices go to the log
    merchants = MerchantOnboarding(SqlMerchantApplications(db_engine), clock, EmailDecisionNotifier(merchant_mail))
    quality = build_quality(s, db_engine, clock, search, demo, scheduler)
    if s.demo_merchant_policy:
        policy = DemoMerchantPolicy(orders.tickets, demo_stores(orders.merchant_keys, merchants))
        scheduler.add_job("demo_merchant_policy", policy.run, s.demo_merchant_policy_seconds)
    quality.on_delisted.append(DelistingNotifier(durable_push, alert_repo.list_for_product, alert_repo.set_status))
    quality.on_suspended.append(open_orders_flagger(orders.orders))

    async def cancel_groups(delisting: Any) -> None:  # delisting covers group buys (issue 20.4)
        await group_buys.product_delisted(delisting.product_id, delisting.platform)

    quality.on_delisted.append(cancel_groups)
    review_repo = SqlReviewRepository(db_engine)
    reviews = ReviewService(review_repo, clock, MerchantScores(review_repo.merchant_records, time.monotonic))
    search.merchant_scores = reviews.scores

    # The handoff desk and the support console.
    console = build_console(s, db_engine, redis, tracker_store, locks, push, console_clock or clock,
                            ConsoleBackends(shoppers, search, orders.orders, orders.tickets, alerts,
                                            merchants=merchants, accounts=accounts.service),
                            console_hasher)
    scheduler.add_job("release_stale_handoffs", console.desk.release_stale_handoffs,
                      console.config.release_interval_seconds)  # the leader runs it

    # The conversation: ports, engine, the turn handler every channel calls.
    shares = ShareService(SqlShareRepository(db_engine), clock.now, s.base_url)
    cart = SQLCartRepository(db_engine)
    personal = SQLPersonalData(db_engine)
    privacy = PrivacyDesk(shoppers=shoppers, accounts=accounts.repo, orders=orders.orders, tickets=orders.tickets,
                          alerts=alerts, cart=cart, personal=personal,
                          secret=accounts.service.keyed_hash_key, base_url=s.base_url)
    if s.cart_retention_days > 0:
        async def expire_carts() -> int:
            return await personal.expire_carts(clock.now() - timedelta(days=s.cart_retention_days))

        scheduler.add_job("expire_carts", expire_carts, 3600)
    if isinstance(tracker_store, SQLTrackerStore) and s.tracker_retention_days > 0:
        sql_trackers = tracker_store  # Redis transcripts expire by themselves (key expiry)

        async def expire_transcripts() -> int:
            return await sql_trackers.expire_idle(time.time() - s.tracker_retention_days * 86400)

        scheduler.add_job("expire_transcripts", expire_transcripts, 3600)
    account_pages = AccountPages(
        service=accounts.service, accounts=accounts.repo, sessions=SQLAccountSessions(db_engine), shoppers=shoppers,
        orders=orders.orders, shipments=orders.shipments, tickets=orders.tickets, alerts=alerts,
        throttle=LoginThrottle(RedisThrottleStore(redis, f"{s.redis_prefix}shopper-") if redis is not None
                               else MemoryThrottleStore(clock),
                               LoginLimits(s.console_login_max_failures, s.console_login_address_max_failures,
                                           s.console_login_backoff_seconds)),
        clock=clock, secure_cookies=s.base_url.startswith("https://"), cart=cart)
    services = Services(search=search, orders=orders.orders, shipments=orders.shipments,
                        aftersales=orders.tickets, alerts=alerts, price_history=history,
                        handoff=console.desk, shoppers=shoppers, cart=cart, shares=shares, group_buys=group_buys,
                        accounts=accounts.service, privacy=privacy, reviews=reviews,
                        chart_url=alert_chart_url,
                        currency_rates=parse_rates(s.currency_rates))
    parser = ParserHolder()
    engine = DialogueEngine(parser=parser, store=tracker_store, locks=locks, flows=build_flows(),
                            services=services, shoppers=shoppers,
                            triggers=(handoff_trigger, account_trigger, checkout_trigger, cart_trigger, group_buy_trigger,
                                      share_trigger, rating_trigger, return_parcel_trigger))
    metrics = Metrics()
    handle = build_turn_handler(engine, metrics)

    if demo is not None and s.demo_merchant_history:
        async def seed() -> None:
            await seed_demo_merchants(demo, quality, SqlMerchantApplications(db_engine), review_repo,
                                      SqlQualityRepository(db_engine), clock)

        parts.append(Part("demo_merchants", seed))
    parts.append(Part("scheduler", scheduler.start, scheduler.shutdown))
    if leader is not None:
        parts.append(Part("leader", stop=leader.aclose))
    return Runtime(settings=s, db_engine=db_engine, redis=redis, tracker_store=tracker_store, locks=locks,
                   outbox=outbox, push=push, parser=parser, metrics=metrics, scheduler=scheduler, real=real,
                   connectors=connectors, search=search, alerts=alerts, charts=charts, orders=orders,
                   console=console, services=services, engine=engine, handle=handle, demo=demo,
                   parts=tuple(parts), merchants=merchants, quality=quality, accounts=accounts,
                   privacy=privacy, account_pages=account_pages)
