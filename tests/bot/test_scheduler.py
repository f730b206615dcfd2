"""The job scheduler: names, run_now, leader gating, and real APScheduler firing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.scheduler import JobScheduler, UnknownJob


class FakeLease:
    def __init__(self, leader: bool) -> None:
        self.is_leader = leader
        self.calls = 0
        self.released = False

    async def acquire_or_renew(self) -> bool:
        self.calls += 1
        return self.is_leader

    async def release(self) -> None:
        self.released = True
        self.is_leader = False


async def test_names_run_now_and_unknown_jobs():
    s = JobScheduler()

    async def count():
        return 3

    s.add_job("b_job", count, 60)
    s.add_job("a_job", count, 60)
    assert s.job_names() == ["a_job", "b_job"]
    assert await s.run_now("a_job") == 3
    with pytest.raises(UnknownJob):
        await s.run_now("nope")
    with pytest.raises(ValueError):
        s.add_job("a_job", count, 60)


async def test_run_now_waits_for_a_run_in_progress():
    s = JobScheduler()
    gate = asyncio.Event()
    running = 0
    peak = 0

    async def slow():
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gate.wait()
        running -= 1
        return "done"

    s.add_job("slow", slow, 60)
    first = asyncio.create_task(s.run_now("slow"))
    second = asyncio.create_task(s.run_now("slow"))
    await asyncio.sleep(0)  # let both tasks reach the job's lock (no time passes)
    gate.set()
    assert await asyncio.gather(first, second) == ["done", "done"]
    assert peak == 1


async def test_only_the_leader_runs_scheduled_jobs():
    ran = []

    async def job():
        ran.append(1)

    follower = JobScheduler(FakeLease(False))
    follower.add_job("job", job, 60)
    await follower._scheduled("job")
    assert ran == []
    await follower.run_now("job")  # an explicit run happens whoever leads
    assert ran == [1]
    leader = JobScheduler(FakeLease(True))
    leader.add_job("job", job, 60)
    await leader._scheduled("job")
    assert ran == [1, 1]


async def test_a_failing_scheduled_job_does_not_stop_the_schedule(caplog):
    async def broken():
        raise RuntimeError("boom")

    s = JobScheduler()
    s.add_job("broken", broken, 60)
    await s._scheduled("broken")
    assert "scheduled job broken failed" in caplog.text
    with pytest.raises(RuntimeError):
        await s.run_now("broken")


async def test_apscheduler_fires_registered_jobs_and_shutdown_releases_the_lease():
    fired = asyncio.Event()

    async def job():
        fired.set()
        return "ok"

    lease = FakeLease(True)
    s = JobScheduler(lease)
    s.add_job("early", job, 3600)
    await s.start()
    try:
        assert s.running and lease.calls == 1
        s._scheduler.modify_job("early", next_run_time=datetime.now(UTC))
        await asyncio.wait_for(fired.wait(), 10)
        late = asyncio.Event()

        async def added_after_start():
            late.set()

        s.add_job("late", added_after_start, 3600)
        s._scheduler.modify_job("late", next_run_time=datetime.now(UTC))
        await asyncio.wait_for(late.wait(), 10)
    finally:
        await s.shutdown()
    assert not s.running and lease.released
