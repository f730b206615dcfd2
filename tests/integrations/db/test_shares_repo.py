"""Shares and the orders they led to: the SQL repository (SQLite, PostgreSQL) and its twin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import db
from integrations.db.shares_repo import SqlShareRepository
from integrations.memory.shares import InMemoryShareRepository
from shop.sharing import ShareService, is_share_id


@pytest.fixture(params=["memory", "sql"])
async def repo(request, db_url):
    if request.param == "memory":
        yield InMemoryShareRepository()
        return
    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    yield SqlShareRepository(engine)
    await engine.dispose()


async def test_openings_and_orders_are_counted_each_order_once(repo):
    service = ShareService(repo, lambda: datetime(2026, 12, 7, tzinfo=UTC), "http://shop.test/")
    link = await service.create("p0001", "S1", "webchat")
    assert is_share_id(link.share_id) and link.url == f"http://shop.test/?s={link.share_id}"
    assert link.qr_url == f"http://shop.test/shares/{link.share_id}/qr.png"
    assert await service.open(link.share_id) == "p0001"
    assert await service.open(link.share_id) == "p0001"
    await service.order_placed(link.share_id, "SO1")
    await service.order_placed(link.share_id, "SO1")  # a retried message: counted once
    await service.order_placed(link.share_id, "SO2")
    share = await repo.get(link.share_id)
    assert (share.opens, share.orders, share.product_id, share.shopper_id) == (2, 2, "p0001", "S1")


async def test_unknown_or_malformed_shares_open_nothing(repo):
    service = ShareService(repo, lambda: datetime(2026, 12, 7, tzinfo=UTC), "http://shop.test")
    assert await service.open("sUnknown1") is None
    assert await service.open("'; drop table shares; --") is None
    assert await repo.count_open("sUnknown1") is False
    assert await repo.get("sUnknown1") is None


async def test_migration_0012_matches_the_table_declarations(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import MetaData

    from integrations.db import shares_repo

    mine = MetaData(naming_convention=shares_repo.metadata.naming_convention)
    for name in ("shares", "share_orders"):
        shares_repo.metadata.tables[name].to_metadata(mine)
    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    async with engine.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), mine))
    await engine.dispose()
    assert [d for d in diff if _table_of(d) in ("shares", "share_orders")] == []


def _table_of(diff) -> str | None:
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        table = getattr(part, "table", None)
        if table is not None:
            return table.name
        if getattr(part, "name", None) in ("shares", "share_orders"):
            return part.name
    return item[2] if len(item) > 2 and isinstance(item[2], str) else None
