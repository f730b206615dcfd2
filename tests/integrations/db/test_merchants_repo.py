"""Merchant applications on SQLite and PostgreSQL: round trips, one winner when two reviewers
decide at once, the key taken once, and the migration matching the table declarations."""

from __future__ import annotations

import asyncio

import pytest

from bot import db
from integrations.db.merchants_repo import SqlMerchantApplications
from integrations.memory.clock import FakeClock
from shop.merchants import (
    ApplicationForm,
    ApplicationStatus,
    Document,
    IllegalApplicationTransition,
    MerchantOnboarding,
)

FOOD = Document("food_business_licence", "JY14403000000001", "https://files.example.com/jy.jpg")


@pytest.fixture
async def engine(db_url):
    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def onboarding(engine) -> MerchantOnboarding:
    return MerchantOnboarding(SqlMerchantApplications(engine), FakeClock())


def form() -> ApplicationForm:
    return ApplicationForm("深圳市腾讯计算机系统有限公司", "91440300708461136T", "91440300708461136T",
                           "0755-86013388", "merchants@example.com", ("groceries", "digital"), (FOOD,))


async def test_an_application_round_trips(onboarding):
    application, token = await onboarding.submit(form(), "en")
    got = await onboarding.get(application.id)
    assert got == application
    assert got.documents == (FOOD,) and got.categories == ("groceries", "digital")
    assert got.submitted_at.tzinfo is not None
    assert (await onboarding.status(token))[0].id == application.id
    assert [a.id for a in await onboarding.queue()] == [application.id]


async def test_two_reviewers_deciding_at_once_one_wins(onboarding):
    application, _token = await onboarding.submit(form())
    await onboarding.start_review(application.id, "rita")
    results = await asyncio.gather(onboarding.approve(application.id, "rita"),
                                   onboarding.reject(application.id, "sue", "资质不全"), return_exceptions=True)
    assert sum(isinstance(r, IllegalApplicationTransition) for r in results) == 1
    final = await onboarding.get(application.id)
    decisions = [e.action for e in await onboarding.events(application.id) if e.action in ("approved", "rejected")]
    assert len(decisions) == 1 and final.status.value == decisions[0]


async def test_the_issued_key_is_stored_hashed_and_shown_once(onboarding, engine):
    application, token = await onboarding.submit(form())
    await onboarding.start_review(application.id, "rita")
    await onboarding.approve(application.id, "rita")
    shown = await asyncio.gather(*(onboarding.status(token) for _ in range(4)))
    keys = [key for _, key in shown if key is not None]
    assert len(keys) == 1
    assert (await onboarding.get(application.id)).pending_api_key is None
    assert await onboarding.merchant_for_key(keys[0]) == "m-91440300708461136t"
    assert (await onboarding.get(application.id)).status is ApplicationStatus.APPROVED


async def test_migration_0006_matches_the_table_declarations(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import MetaData

    from integrations.db import merchants_tables

    mine = MetaData(naming_convention=merchants_tables.metadata.naming_convention)
    for table in merchants_tables.metadata.tables.values():
        if table.name in TABLES:
            table.to_metadata(mine)
    eng = db.create_engine(db_url)
    await db.upgrade(eng)
    async with eng.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), mine))
    await eng.dispose()
    assert [d for d in diff if _table_of(d) in TABLES] == []


TABLES = {"merchant_applications", "merchant_application_events"}


def _table_of(diff) -> str | None:
    """The table a difference is about (a list of column changes: its first one's)."""
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        table = getattr(part, "table", None)
        if table is not None:
            return table.name
        if isinstance(part, str) and part in TABLES:
            return part
        if getattr(part, "name", None) in TABLES:
            return part.name
    return None


async def test_control_characters_are_dropped_before_they_reach_the_database(onboarding):
    sent = ApplicationForm("腾讯\x00计算机\n系统", "91440300708461136T", "91440300708461136T", "13800138000",
                           "a@example.com", ("digital\x00",), ())
    application, _ = await onboarding.submit(sent)
    assert (await onboarding.get(application.id)).company_name == "腾讯 计算机 系统"
