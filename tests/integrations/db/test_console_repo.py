"""Handoff and staff repositories on SQLite and PostgreSQL: concurrent takes have exactly one
winner (a conditional UPDATE), timestamps round-trip in UTC, sessions and accounts persist."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot import db
from integrations.db.console_repo import SQLHandoffRepository, SQLStaffRepository
from integrations.memory.clock import FakeClock
from shop.handoff import AlreadyTaken, HandoffQueue, Role, StaffExists, StaffMember, StaffSession


@pytest.fixture
async def engine(db_url):
    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def queue(engine, clock) -> HandoffQueue:
    return HandoffQueue(SQLHandoffRepository(engine), clock)


async def test_request_round_trips(queue, clock):
    placed = await queue.request("rest:u1", "rest", "u1", "en", "asked")
    got = await queue.get(placed.request.id)
    assert got == placed.request
    assert got.requested_at == clock.now() and got.requested_at.tzinfo is not None
    assert (await queue.repo.open_for("rest:u1")).id == got.id
    assert await queue.repo.open_for("rest:other") is None


async def test_concurrent_takes_exactly_one_wins(queue):
    placed = await queue.request("rest:u1", "rest", "u1", "zh", "asked")
    results = await asyncio.gather(*(queue.take(placed.request.id, f"agent{i}") for i in range(6)),
                                   return_exceptions=True)
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1, results
    assert len(losers) == 5 and all(isinstance(e, AlreadyTaken) for e in losers), losers
    assert (await queue.get(placed.request.id)).agent_id == winners[0].agent_id


async def test_queue_lifecycle_and_stats(queue, clock):
    a = await queue.request("rest:a", "rest", "a", "zh", "asked")
    clock.advance(seconds=10)
    b = await queue.request("rest:b", "rest", "b", "zh", "negative_words")
    assert (await queue.place(b.request))[0] == 2
    clock.advance(seconds=50)
    await queue.take(a.request.id, "alice")
    assert [r.id for r in await queue.repo.list_open("alice")] == [a.request.id]
    moved = await queue.transfer(a.request.id, "alice", "bob")
    assert moved.agent_id == "bob" and moved.assigned_at == clock.now()
    clock.advance(minutes=3)
    await queue.hand_back(a.request.id)
    stats = await queue.stats()
    assert (stats.waiting, stats.active, stats.handled_today) == (1, 0, 1)
    assert stats.median_wait_seconds == 60.0
    assert await queue.median_handling() == timedelta(minutes=3)
    clock.advance(minutes=20)
    released = await queue.release_stale(timedelta(minutes=10))
    assert [r.id for r in released] == [b.request.id]
    assert await queue.repo.list_open() == []


async def test_notes(queue):
    placed = await queue.request("rest:u1", "rest", "u1", "zh", "asked")
    await queue.add_note(placed.request.id, "alice", "客户很着急")
    await queue.add_note(placed.request.id, "bob", "second")
    notes = await queue.repo.notes(placed.request.id)
    assert [(n.author, n.text) for n in notes] == [("alice", "客户很着急"), ("bob", "second")]


async def test_staff_accounts_and_sessions(engine, clock):
    repo = SQLStaffRepository(engine)
    member = StaffMember("alice", Role.SUPERVISOR, "$argon2id$fake", "Alice", clock.now())
    await repo.add(member)
    with pytest.raises(StaffExists):
        await repo.add(member)
    assert await repo.get("alice") == member
    assert [m.username for m in await repo.list()] == ["alice"]
    session = StaffSession("s1", "alice", "csrf", clock.now() + timedelta(hours=1))
    await repo.add_session(session)
    assert await repo.get_session("s1") == session
    await repo.delete_session("s1")
    assert await repo.get_session("s1") is None


async def test_team_first_response_and_rating_round_trip(queue, clock):
    from shop.handoff import Team

    placed = await queue.request("rest:u9", "rest", "u9", "zh", "asked", Team.AFTER_SALES.value)
    await queue.take(placed.request.id, "alice")
    clock.advance(seconds=30)
    await queue.responded(placed.request.id)
    clock.advance(seconds=30)
    await queue.responded(placed.request.id)  # the first one is kept
    moved = await queue.transfer_to_team(placed.request.id, "alice", Team.PRE_SALES)
    assert moved.waiting and moved.team == "pre_sales"
    await queue.take(placed.request.id, "bob")
    await queue.hand_back(placed.request.id)
    rated = await queue.rate(placed.request.id, 4, "  很好 ")
    assert (rated.rating, rated.rating_comment, rated.agent_id) == (4, "很好", "bob")
    assert rated.first_response_at == rated.requested_at + timedelta(seconds=30)
    stats = await queue.stats()
    assert stats.csat == 4 and stats.median_first_response_seconds == 30


async def test_the_audit_trail_is_kept_newest_first(engine, clock):
    from integrations.db.console_repo import SQLAuditLog
    from shop.handoff import AuditEntry

    log = SQLAuditLog(engine)
    await log.record(AuditEntry(clock.now(), "alice", "take", "h1"))
    clock.advance(seconds=5)
    await log.record(AuditEntry(clock.now(), "sue", "ticket_approve", "AS1", "refund 99.00"))
    assert [(e.actor, e.action, e.subject, e.detail) for e in await log.recent()] == [
        ("sue", "ticket_approve", "AS1", "refund 99.00"), ("alice", "take", "h1", "")]
    assert [e.action for e in await log.recent(actor="alice")] == ["take"]
    assert (await log.recent())[0].at == clock.now()


async def test_the_console_migrations_match_the_table_declarations(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import MetaData

    from integrations.db import console_tables

    tables = {"handoffs", "handoff_notes", "staff_audit"}  # (staff.role's width differs on SQLite, from 0006)
    mine = MetaData(naming_convention=console_tables.metadata.naming_convention)
    for table in console_tables.metadata.tables.values():
        if table.name in tables:
            table.to_metadata(mine)
    eng = db.create_engine(db_url)
    await db.upgrade(eng)
    async with eng.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), mine))
    await eng.dispose()

    def table_of(d):  # ("add_table", Table) / ("add_index", Index) / [("modify_type", schema, table, ...)]
        item = d[0] if isinstance(d, list) else d
        if isinstance(item[1], str) or item[1] is None:
            return item[2]
        found = item[1]
        return found.name if hasattr(found, "columns") and not hasattr(found, "table") else found.table.name

    assert [d for d in diff if table_of(d) in tables] == []
