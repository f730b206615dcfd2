"""Spot checks and delistings on SQLite and PostgreSQL: one winner when two reviewers decide the
same check, standing counted from checks, the hidden set, and the migration matching the tables."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot import db
from integrations.db.quality_repo import SqlQualityRepository
from integrations.memory.clock import FakeClock
from shop.spot_checks import (
    IllegalQualityTransition,
    ListedProduct,
    ListingFilter,
    QualityService,
)
from tests.integrations.db.test_merchants_repo import _table_of

PRODUCTS = [ListedProduct("甲店", "jd", f"p{n:04d}", f"10{n}", f"零食 {n}", "biscuits", 4.8) for n in range(3)]


class Listings:
    async def listed_products(self) -> list[ListedProduct]:
        return list(PRODUCTS)


@pytest.fixture
async def quality(db_url):
    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    repo = SqlQualityRepository(engine)
    yield QualityService(repo, FakeClock(), ListingFilter(repo, time.monotonic), listings=Listings(), sample_size=5)
    await engine.dispose()


async def test_two_reviewers_one_winner_and_three_failures_suspend(quality):
    await quality.run_spot_checks()
    check = (await quality.queue())[0]
    results = await asyncio.gather(quality.decide(check.id, "rita", False, "标签不符"),
                                   quality.decide(check.id, "sam", True, "合格"), return_exceptions=True)
    assert sum(isinstance(r, IllegalQualityTransition) for r in results) == 1
    decided = next(r for r in results if not isinstance(r, BaseException))
    failed = decided.delisting is not None
    assert quality.filter.hides("jd", check.platform_product_id, "") is failed
    assert (await quality.standing("甲店")).failed_checks == int(failed)
    for _ in range(3):
        if decided.standing.suspended:
            break
        await quality.run_spot_checks()
        pending = await quality.queue()
        assert len(pending) == 1  # one product per merchant per run, never one already waiting
        decided = await quality.decide(pending[0].id, "rita", False, "不合格")
    assert decided.standing.suspended and decided.standing.failed_checks == 3
    assert quality.filter.hides("jd", "anything", "甲店")  # every product of a suspended merchant
    assert (await quality.run_spot_checks())["sampled"] == 0  # nothing of theirs is listed any more


async def test_migration_0015_matches_the_table_declarations(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import MetaData

    from integrations.db import quality_tables

    tables = {"spot_checks", "delistings", "merchant_standing"}
    mine = MetaData(naming_convention=quality_tables.metadata.naming_convention)
    for table in quality_tables.metadata.tables.values():
        if table.name in tables:
            table.to_metadata(mine)
    eng = db.create_engine(db_url)
    await db.upgrade(eng)
    async with eng.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), mine))
    await eng.dispose()
    assert [d for d in diff if _table_of(d) in tables] == []


async def test_migration_0016_matches_the_table_declarations(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import MetaData

    from integrations.db import reviews_tables

    mine = MetaData(naming_convention=reviews_tables.metadata.naming_convention)
    reviews_tables.reviews.to_metadata(mine)
    eng = db.create_engine(db_url)
    await db.upgrade(eng)
    async with eng.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), mine))
    await eng.dispose()
    assert [d for d in diff if _table_of(d) == "reviews"] == []
