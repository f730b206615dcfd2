"""The periodic-job scheduler: a thin wrapper over APScheduler 3.11's AsyncIOScheduler.

Jobs are named coroutine functions run every `seconds`. With a `LeaderLock`, a scheduled run
happens only on the worker that holds the lease (renewed by a job of its own); `run_now()`
runs a job here and now, whoever leads (the sandbox's `POST /sandbox/jobs/{name}/run`).
Jobs must be safe to run twice: they are idempotent by their own storage constraints.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from tracking.leader import InProcessLeaderLock, LeaderLock, LeaderLockError

log = logging.getLogger(__name__)
JobFunc = Callable[[], Awaitable[Any]]
LEASE_JOB = "_leader_lease"


class UnknownJob(KeyError):
    """No job of that name."""


@dataclass
class _Job:
    name: str
    func: JobFunc
    seconds: float
    lock: asyncio.Lock | None = None


class JobScheduler:
    def __init__(self, leader: LeaderLock | None = None, *, lease_renew_seconds: float = 5.0) -> None:
        self._leader: LeaderLock = leader or InProcessLeaderLock()
        self._renew = lease_renew_seconds
        self._jobs: dict[str, _Job] = {}
        self._scheduler: AsyncIOScheduler | None = None
        self.last_results: dict[str, Any] = {}

    def add_job(self, name: str, func: JobFunc, seconds: float) -> None:
        """Register a job (before or after start)."""
        if name in self._jobs or name == LEASE_JOB:
            raise ValueError(f"job {name!r} is registered already")
        self._jobs[name] = _Job(name, func, seconds)
        if self._scheduler is not None:
            self._schedule(self._jobs[name])

    def job_names(self) -> list[str]:
        return sorted(self._jobs)

    async def run_now(self, name: str) -> Any:
        """Run the job now and return its result (waits for a run already in progress first)."""
        job = self._jobs.get(name)
        if job is None:
            raise UnknownJob(name)
        return await self._run(job)

    async def _run(self, job: _Job) -> Any:
        if job.lock is None:
            job.lock = asyncio.Lock()
        async with job.lock:
            result = await job.func()
        self.last_results[job.name] = result
        return result

    async def _scheduled(self, name: str) -> None:
        """What APScheduler calls: run only while leading; a failing job is logged, not fatal."""
        if not self._leader.is_leader:
            return
        try:
            await self._run(self._jobs[name])
        except Exception:
            log.exception("scheduled job %s failed", name)

    async def _renew_lease(self) -> None:
        was = self._leader.is_leader
        try:
            now = await self._leader.acquire_or_renew()
        except LeaderLockError:
            log.warning("leader lease renewal failed; not leading until it succeeds", exc_info=True)
            return
        if now != was:
            log.info("scheduler leadership %s", "taken" if now else "lost")

    def _schedule(self, job: _Job) -> None:
        assert self._scheduler is not None
        self._scheduler.add_job(
            self._scheduled,
            IntervalTrigger(seconds=job.seconds),
            args=[job.name],
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    async def start(self) -> None:
        """Take (or wait for) the lease and start the schedule; call from the app's lifespan."""
        if self._scheduler is not None:
            return
        await self._renew_lease()
        self._scheduler = AsyncIOScheduler()
        self._scheduler.add_job(
            self._renew_lease,
            IntervalTrigger(seconds=self._renew),
            id=LEASE_JOB,
            max_instances=1,
            coalesce=True,
        )
        for job in self._jobs.values():
            self._schedule(job)
        self._scheduler.start()

    async def shutdown(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        await self._leader.release()

    @property
    def running(self) -> bool:
        return self._scheduler is not None
