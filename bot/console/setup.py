"""Wire the handoff desk and the console into a built `Container` (the lead calls this from
`bot/wiring.py`; tests call it on the container they build)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from argon2 import PasswordHasher

from bot.console.auth import DEFAULT_HASHER, StaffAuth
from bot.console.config import ConsoleConfig
from bot.console.redis_events import RedisHandoffEvents
from dialogue.engine import DialogueEngine
from dialogue.flows.handoff import FLOWS as HANDOFF_FLOWS
from dialogue.flows.handoff import HandoffDesk, handoff_trigger
from integrations.db.console_repo import SQLHandoffRepository, SQLStaffRepository
from shop.clock import Clock, SystemClock
from shop.handoff import HandoffEvents, HandoffQueue, InProcessHandoffEvents

log = logging.getLogger(__name__)


@dataclass
class ConsoleParts:
    config: ConsoleConfig
    desk: HandoffDesk
    auth: StaffAuth
    events: HandoffEvents
    clock: Clock


def attach_console(container, clock: Clock | None = None,  # type: ignore[no-untyped-def]
                   hasher: PasswordHasher | None = None) -> ConsoleParts:
    """Build the handoff desk and the console's services into `container`.

    Sets `services.handoff`, adds the handoff flow, trigger and
    paused-message hook (the turn handler is rebuilt on it), and runs `release_stale_handoffs()`
    every 30 s: a job of the container's scheduler, or a task of this process without one.
    """
    clock = clock or SystemClock()
    config = ConsoleConfig.from_settings(container.settings)
    events: HandoffEvents
    if container.redis is not None:
        events = RedisHandoffEvents(container.redis, container.settings.redis_prefix)
    else:
        events = InProcessHandoffEvents()
    queue = HandoffQueue(SQLHandoffRepository(container.db_engine), clock)
    desk = HandoffDesk(queue, container.tracker_store, container.locks, container.push, events,
                       timeout=config.handoff_timeout, negative_words=config.negative_words_handoff)
    auth = StaffAuth(SQLStaffRepository(container.db_engine), config, clock, hasher or DEFAULT_HASHER)
    container.services.handoff = desk
    engine: DialogueEngine = container.engine
    for cls in HANDOFF_FLOWS:
        engine.add_flow(cls())
    engine.on_paused_message = desk.on_paused_message
    engine.triggers.append(handoff_trigger)

    scheduler = getattr(container, "scheduler", None)
    if scheduler is not None:  # the leader runs it; each release happens once anyway
        scheduler.add_job("release_stale_handoffs", desk.release_stale_handoffs, config.release_interval_seconds)
    else:
        _add_release_loop(container, desk, config.release_interval_seconds)
    return ConsoleParts(config, desk, auth, events, clock)


def _add_release_loop(container, desk: HandoffDesk, interval: float) -> None:  # type: ignore[no-untyped-def]
    """Without a scheduler: release stale handoffs from a task of this process."""
    task: asyncio.Task[None] | None = None

    async def release_loop() -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await desk.release_stale_handoffs()
            except Exception:  # a periodic job: log and try again next round
                log.exception("releasing stale handoffs failed")

    async def start() -> None:
        nonlocal task
        task = asyncio.create_task(release_loop(), name="handoff-release")

    async def stop() -> None:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    container.on_start.append(start)
    container.on_stop.append(stop)


def create_app_with_console(settings, clock: Clock | None = None,  # type: ignore[no-untyped-def]
                            hasher: PasswordHasher | None = None):
    """The app with the console mounted, as `bot/app.py` will build it once wired (tests use it)."""
    from bot.app import create_app
    from bot.wiring import build_container

    container = build_container(settings, console_clock=clock, console_hasher=hasher)
    app = create_app(settings, container)
    app.state.console = container.console
    return app
