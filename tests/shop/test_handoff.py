"""The handoff queue's rules: place and expected wait, one winner per take, transfer, hand
back, release after the timeout, supervisor statistics (in-memory twin, controllable clock)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from integrations.memory.clock import FakeClock
from integrations.memory.handoff import InMemoryHandoffRepository, InProcessHandoffEvents
from shop.handoff import AlreadyTaken, HandoffClosed, HandoffError, HandoffQueue, NotYours


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def queue(clock: FakeClock) -> HandoffQueue:
    return HandoffQueue(InMemoryHandoffRepository(), clock)


async def ask(queue: HandoffQueue, who: str, lang: str = "zh"):
    return await queue.request(f"rest:{who}", "rest", who, lang, "asked")


async def test_each_shopper_learns_their_place_and_the_default_wait(queue, clock):
    first = await ask(queue, "a")
    clock.advance(seconds=5)
    second = await ask(queue, "b")
    assert (first.position, second.position) == (1, 2)
    assert first.expected_wait == timedelta(minutes=5) and second.expected_wait == timedelta(minutes=10)
    again = await ask(queue, "a")  # asking twice does not queue twice
    assert not again.created and again.request.id == first.request.id and again.position == 1


async def test_expected_wait_follows_the_median_handling_time(queue, clock):
    for minutes in (2, 4, 30):
        p = await ask(queue, f"done{minutes}")
        await queue.take(p.request.id, "alice")
        clock.advance(minutes=minutes)
        await queue.hand_back(p.request.id)
    waiting = await ask(queue, "new")
    assert waiting.position == 1 and waiting.expected_wait == timedelta(minutes=4)


async def test_once_taken_the_others_move_up(queue, clock):
    a, b = await ask(queue, "a"), await ask(queue, "b")
    await queue.take(a.request.id, "alice")
    assert (await queue.place(await queue.get(b.request.id)))[0] == 1
    assert (await queue.place(await queue.get(a.request.id)))[0] == 0


async def test_concurrent_takes_have_exactly_one_winner(queue):
    p = await ask(queue, "a")
    results = await asyncio.gather(*(queue.take(p.request.id, f"agent{i}") for i in range(8)),
                                   return_exceptions=True)
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, AlreadyTaken) for r in results if isinstance(r, Exception))
    assert (await queue.get(p.request.id)).agent_id == winners[0].agent_id


async def test_transfer_needs_the_current_holder(queue):
    p = await ask(queue, "a")
    await queue.take(p.request.id, "alice")
    with pytest.raises(NotYours):
        await queue.transfer(p.request.id, "bob", "carol")
    moved = await queue.transfer(p.request.id, "alice", "bob")
    assert moved.agent_id == "bob"
    assert (await queue.transfer(p.request.id, None, "carol")).agent_id == "carol"  # a supervisor


async def test_hand_back_closes_once(queue):
    p = await ask(queue, "a")
    await queue.take(p.request.id, "alice")
    closed = await queue.hand_back(p.request.id)
    assert closed.outcome == "returned" and not closed.open
    with pytest.raises(HandoffClosed):
        await queue.hand_back(p.request.id)
    with pytest.raises(HandoffClosed):
        await queue.take(p.request.id, "bob")
    assert (await ask(queue, "a")).created  # asking again later opens a new request


async def test_only_requests_waiting_past_the_timeout_are_released(queue, clock):
    old, taken = await ask(queue, "old"), await ask(queue, "taken")
    await queue.take(taken.request.id, "alice")
    clock.advance(minutes=9)
    fresh = await ask(queue, "fresh")
    assert await queue.release_stale(timedelta(minutes=10)) == []
    clock.advance(minutes=2)
    released = await queue.release_stale(timedelta(minutes=10))
    assert [r.id for r in released] == [old.request.id] and released[0].outcome == "timeout"
    assert (await queue.get(fresh.request.id)).waiting
    assert (await queue.get(taken.request.id)).open
    assert await queue.release_stale(timedelta(minutes=10)) == []  # released once only


async def test_supervisor_stats(queue, clock):
    a, b, c = await ask(queue, "a"), await ask(queue, "b"), await ask(queue, "c")
    clock.advance(seconds=60)
    await queue.take(a.request.id, "alice")
    clock.advance(seconds=120)
    await queue.take(b.request.id, "bob")
    clock.advance(seconds=30)
    await queue.hand_back(a.request.id)
    stats = await queue.stats()
    assert stats.waiting == 1 and stats.active == 1 and stats.handled_today == 1
    assert stats.median_wait_seconds == 120.0  # waits of 60 s and 180 s
    assert c.request.waiting


async def test_notes_are_kept_per_conversation(queue):
    p = await ask(queue, "a")
    await queue.add_note(p.request.id, "alice", "VIP, be gentle")
    notes = await queue.repo.notes_for_conversation("rest:a")
    assert [(n.author, n.text) for n in notes] == [("alice", "VIP, be gentle")]


async def test_in_process_events_reach_every_subscriber():
    events = InProcessHandoffEvents()
    async with events.subscribe() as one, events.subscribe() as two:
        await events.publish({"type": "waiting", "n": 1})
        assert await anext(one) == {"type": "waiting", "n": 1}
        assert await anext(two) == {"type": "waiting", "n": 1}


async def test_supervisor_figures_csat_first_response_resolution_and_queue_by_hour():
    from datetime import UTC, datetime

    clock = FakeClock(datetime(2026, 3, 1, 0, 30, tzinfo=UTC))
    queue = HandoffQueue(InMemoryHandoffRepository(), clock)
    a = await ask(queue, "a")  # 00:30
    clock.advance(minutes=40)
    await ask(queue, "b")  # 01:10, never taken
    clock.advance(minutes=80)
    await queue.take(a.request.id, "alice")  # 02:30
    clock.advance(minutes=2)
    await queue.responded(a.request.id)  # first answer 2 h 2 min after asking
    clock.advance(minutes=58)
    await queue.hand_back(a.request.id)  # 03:30
    await queue.rate(a.request.id, 3)
    stats = await queue.stats()
    assert stats.queue_by_hour == (0, 1, 2, 1)  # at 00:00, 01:00, 02:00 and now (03:30)
    assert stats.csat == 3 and stats.ratings == 1
    assert stats.median_first_response_seconds == 122 * 60 and stats.median_resolution_seconds == 180 * 60
    with pytest.raises(HandoffError):
        await queue.rate(a.request.id, 6)
