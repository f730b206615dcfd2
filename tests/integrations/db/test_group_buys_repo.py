"""Group buys and their members: the SQL repository (SQLite, PostgreSQL) and its twin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot import db
from integrations.db.group_buys_repo import SqlGroupBuyRepository
from integrations.memory.group_buys import InMemoryGroupBuyRepository
from shop.group_buys import GroupBuy, GroupMember, GroupStatus, MemberStatus, new_group_id

NOW = datetime(2026, 12, 8, tzinfo=UTC)


@pytest.fixture(params=["memory", "sql"])
async def repo(request, db_url):
    if request.param == "memory":
        yield InMemoryGroupBuyRepository()
        return
    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    yield SqlGroupBuyRepository(engine)
    await engine.dispose()


def _group(product_id: str = "p0002", hours: int = 24) -> GroupBuy:
    return GroupBuy(new_group_id(), product_id, "pdd", "123", "华为 Mate", Decimal("5913.00"), "CNY", 3, "S1",
                    NOW, NOW + timedelta(hours=hours))


def _member(group: GroupBuy, shopper: str, order: str) -> GroupMember:
    return GroupMember(group.group_id, shopper, order, "rest", f"u-{shopper}", "zh", NOW)


async def test_members_join_once_and_their_status_moves(repo):
    group = _group()
    await repo.add(group)
    assert await repo.get(group.group_id) == group
    assert await repo.add_member(_member(group, "S1", "SO1")) is True
    assert await repo.add_member(_member(group, "S2", "SO2")) is True
    assert await repo.add_member(_member(group, "S1", "SO3")) is False  # one membership per shopper
    await repo.set_member_status(group.group_id, "S2", MemberStatus.PAID)
    members = await repo.members(group.group_id)
    assert [(m.shopper_id, m.order_id, m.status) for m in members] == [
        ("S1", "SO1", MemberStatus.PENDING), ("S2", "SO2", MemberStatus.PAID)]
    assert (await repo.member_by_order("SO2")).shopper_id == "S2"
    assert await repo.member_by_order("SO9") is None


async def test_a_group_closes_once_and_open_groups_are_found_by_time_and_product(repo):
    soon, later, other = _group(hours=1), _group(hours=30), _group("p0003", hours=2)
    for g in (soon, later, other):
        await repo.add(g)
    due = await repo.open_groups(expired_by=NOW + timedelta(hours=2))
    assert [g.group_id for g in due] == [soon.group_id, other.group_id]
    assert [g.group_id for g in await repo.open_groups(product_id="p0002")] == [soon.group_id, later.group_id]
    assert await repo.close(soon.group_id, GroupStatus.FAILED, "expired", NOW) is True
    assert await repo.close(soon.group_id, GroupStatus.COMPLETE, "", NOW) is False
    closed = await repo.get(soon.group_id)
    assert (closed.status, closed.reason) == (GroupStatus.FAILED, "expired")
    assert [g.group_id for g in await repo.open_groups(product_id="p0002")] == [later.group_id]


async def test_migration_0017_matches_the_table_declarations(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import MetaData

    from integrations.db import group_buys_repo

    names = ("group_buys", "group_buy_members")
    mine = MetaData(naming_convention=group_buys_repo.metadata.naming_convention)
    for name in names:
        group_buys_repo.metadata.tables[name].to_metadata(mine)
    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    async with engine.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), mine))
    await engine.dispose()
    assert [d for d in diff if _table_of(d, names) in names] == []


def _table_of(diff, names) -> str | None:
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        table = getattr(part, "table", None)
        if table is not None:
            return table.name
        if getattr(part, "name", None) in names:
            return part.name
    return item[2] if len(item) > 2 and isinstance(item[2], str) else None


async def test_erasing_a_shoppers_data_blanks_where_their_group_buys_reached_them(db_url):
    from integrations.db.privacy_repo import ERASED, SQLPersonalData

    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    repo = SqlGroupBuyRepository(engine)
    group = _group()
    await repo.add(group)
    await repo.add_member(_member(group, "S1", "SO1"))
    await repo.add_member(_member(group, "S2", "SO2"))
    await SQLPersonalData(engine).erase("S1")
    members = {m.shopper_id: m for m in await repo.members(group.group_id)}
    await engine.dispose()
    assert (members["S1"].recipient_id, members["S1"].order_id) == (ERASED, "SO1")
    assert members["S2"].recipient_id == "u-S2"
