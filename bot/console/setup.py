"""Build the handoff desk and the support console's parts (the bootstrap calls this once)."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.console.auth import DEFAULT_HASHER, StaffAuth
from bot.console.collected import ConsoleBackends
from bot.console.config import ConsoleConfig
from bot.console.redis_events import RedisHandoffEvents
from bot.console.throttle import (
    LoginLimits,
    LoginThrottle,
    MemoryThrottleStore,
    RedisThrottleStore,
    ThrottleStore,
)
from bot.settings import Settings
from dialogue.flows.handoff import HandoffDesk
from dialogue.ports import PushPort
from integrations.db.console_repo import SQLAuditLog, SQLHandoffRepository, SQLStaffRepository
from integrations.memory.handoff import InProcessHandoffEvents
from shop.clock import Clock
from shop.handoff import AuditLog, HandoffEvents, HandoffQueue
from tracking.lock import LockManager
from tracking.store import TrackerStore


@dataclass(frozen=True)
class ConsoleParts:
    config: ConsoleConfig
    desk: HandoffDesk
    auth: StaffAuth
    events: HandoffEvents
    clock: Clock
    backends: ConsoleBackends
    throttle: LoginThrottle
    audit: AuditLog  # sensitive staff actions (logins, takes, transfers, hand backs, ticket decisions)


def build_console(settings: Settings, db_engine: AsyncEngine, redis: Redis | None, tracker_store: TrackerStore,
                  locks: LockManager, push: PushPort, clock: Clock, backends: ConsoleBackends,
                  hasher: PasswordHasher | None = None) -> ConsoleParts:
    """The handoff desk (queue, events across workers) and staff authentication."""
    config = ConsoleConfig.from_settings(settings)
    events: HandoffEvents
    if redis is not None:
        events = RedisHandoffEvents(redis, settings.redis_prefix)
    else:
        events = InProcessHandoffEvents()
    queue = HandoffQueue(SQLHandoffRepository(db_engine), clock)
    desk = HandoffDesk(queue, tracker_store, locks, push, events,
                       timeout=config.handoff_timeout, negative_words=config.negative_words_handoff,
                       hours=dict(config.hours), timezone=config.timezone)
    auth = StaffAuth(SQLStaffRepository(db_engine), config, clock, hasher or DEFAULT_HASHER)
    store: ThrottleStore = (RedisThrottleStore(redis, settings.redis_prefix) if redis is not None
                            else MemoryThrottleStore(clock))
    limits = LoginLimits(max_account=settings.console_login_max_failures,
                         max_address=settings.console_login_address_max_failures,
                         base=settings.console_login_backoff_seconds)
    return ConsoleParts(config, desk, auth, events, clock, backends, LoginThrottle(store, limits),
                        SQLAuditLog(db_engine))
