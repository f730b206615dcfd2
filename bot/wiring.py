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
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import db
from bot.observability import Metrics
from bot.push import PushRouter
from bot.settings import Settings
from bot.turns import TurnHandler, build_turn_handler
from dialogue.context import Services
from dialogue.engine import DialogueEngine
from dialogue.flows.base import Flow
from dialogue.flows.buy import Buy
from dialogue.flows.details import CompareProducts, ShowDetails
from dialogue.flows.recommend import Recommend
from dialogue.flows.search import RefineSearch, SearchProduct
from dialogue.flows.smalltalk import FLOWS as SMALLTALK
from integrations.cache.memory import MemoryCache
from integrations.cache.redis_cache import RedisCache
from integrations.marketplaces.demo.factory import DemoMarketplace, build_demo_marketplace
from integrations.db.shoppers_repo import SQLShopperRepository
from nlu.standin import KeywordParser
from nlu.types import Parser
from shop import relevance
from shop.search import SearchAggregator
from tracking.lock import InProcessLockManager, LockManager, RedisLockManager
from tracking.outbox import InMemoryOutbox, Outbox
from tracking.redis_store import RedisOutbox, RedisTrackerStore
from tracking.store import InMemoryTrackerStore, TrackerStore

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[Any]]


class ParserHolder:
    """The current NLU parser; replaced when a model is (re)loaded."""

    def __init__(self, parser: Parser) -> None:
        self.current = parser

    def __call__(self) -> Parser:
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
    demo: DemoMarketplace | None = None
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    started: bool = False

    async def start(self) -> None:
        """Connect and start everything, in order (the app's lifespan calls this)."""
        if self.started:
            return
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
        except Exception as exc:  # reported, not raised: this is the readiness probe
            out["database"] = f"error: {type(exc).__name__}"
        if self.redis is not None:
            try:
                await self.redis.ping()
                out["redis"] = "ok"
            except Exception as exc:  # reported, not raised
                out["redis"] = f"error: {type(exc).__name__}"
        return out


def build_flows(settings: Settings) -> list[Flow]:
    shopping: list[Flow] = [SearchProduct(), RefineSearch(), ShowDetails(), CompareProducts(), Buy(), Recommend()]
    return [*(cls() for cls in SMALLTALK), *shopping]


def _wire_marketplaces(c: Container) -> None:
    """Demo platforms (embedded default) behind the search aggregator; started in the lifespan."""
    s = c.settings
    if not s.demo_platforms:
        return
    demo = build_demo_marketplace(latency_ms=s.demo_platform_latency_ms, jitter_ms=s.demo_platform_jitter_ms,
                                  failure_rate=s.demo_platform_failure_rate,
                                  fulfil_delay_seconds=s.demo_fulfil_delay_seconds)
    c.demo = demo
    cache = RedisCache(s.redis_url, prefix=f"{s.redis_prefix}cache:") if s.redis_url else MemoryCache()

    async def start() -> None:
        await asyncio.to_thread(relevance.warm_up)  # jieba's dictionary, before the first search
        if isinstance(cache, RedisCache):
            await cache.start()
        await demo.start(in_process=s.demo_platform_transport == "asgi")
        c.services.search = SearchAggregator(demo.connectors, cache, deadline_seconds=s.search_deadline_seconds,
                                             cache_ttl_seconds=s.search_cache_ttl_seconds)

    async def stop() -> None:
        await demo.stop()
        if isinstance(cache, RedisCache):
            await cache.close()

    c.on_start.append(start)
    c.on_stop.append(stop)


def build_container(settings: Settings) -> Container:
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
    parser = ParserHolder(KeywordParser())
    shoppers = SQLShopperRepository(db_engine)
    services = Services(shoppers=shoppers)
    engine = DialogueEngine(parser=parser, store=tracker_store, locks=locks, flows=build_flows(settings),
                            services=services, shoppers=shoppers)
    metrics = Metrics()
    handle = build_turn_handler(engine, metrics)
    container = Container(settings=settings, db_engine=db_engine, redis=redis, tracker_store=tracker_store,
                          locks=locks, outbox=outbox, push=push, parser=parser, services=services,
                          engine=engine, metrics=metrics, handle=handle)
    _wire_marketplaces(container)
    return container
