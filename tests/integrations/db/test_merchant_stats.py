"""Merchants' records are stored as they change (migration 0020_merchant_stats): a review, a
complaint, a failed spot check and an order's first delivery shipment each move the seller's
row, and reading every merchant's score is one query, however many orders there are."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from bot import db
from integrations.db.orders_logistics_repo import SqlShipmentRepository, SqlTicketRepository
from integrations.db.orders_repo import SqlOrderRepository
from integrations.db.quality_repo import SqlQualityRepository
from integrations.db.reviews_repo import SqlReviewRepository
from shop.aftersales import AfterSalesTicket, ServiceType, TicketEvent, TicketStatus
from shop.logistics import ShipmentStatus
from shop.reviews import MerchantRecord, RatingSummary, Review, merchant_score
from shop.shipments import Shipment
from shop.spot_checks import CheckStatus, SpotCheck
from tests.integrations.db.test_merchants_repo import _table_of
from tests.integrations.db.test_orders_repo import T0, created, order


@pytest.fixture
async def engine(db_url):
    eng = db.create_engine(db_url)
    await db.upgrade(eng)  # the migrations, as a running shop has them (0020 fills merchant_stats)
    yield eng
    await eng.dispose()


def ticket(tid: str, kind: ServiceType) -> AfterSalesTicket:
    return AfterSalesTicket(tid, "SO2026030100001", 1, kind, "坏了", (), TicketStatus.OPEN, "jd-shop", "u1",
                            T0 + timedelta(hours=48), T0, T0)


def review(rid: str, line_no: int, stars: int) -> Review:
    return Review(rid, "SO2026030100001", line_no, "p1", "jd", "jd-shop", "u1", 5, stars, "", "zh", T0)


def check(cid: str) -> SpotCheck:
    return SpotCheck(cid, "jd-shop", "jd", "p1", "jd-1", "笔记本", "laptops", 0.5, CheckStatus.PENDING, T0)


def shipment(sid: str, order_id: str, hours: int, kind: str = "delivery") -> Shipment:
    at = T0 + timedelta(hours=hours)
    return Shipment(sid, order_id, "SF", sid, ShipmentStatus.CREATED, True, at, at, kind=kind)


async def test_each_event_moves_the_sellers_stored_record(engine):
    orders, tickets = SqlOrderRepository(engine), SqlTicketRepository(engine)
    shipments, reviews, quality = SqlShipmentRepository(engine), SqlReviewRepository(engine), SqlQualityRepository(engine)
    assert await reviews.merchant_records() == {}
    first, second = order(), order(oid="SO2026030100002", key="k2")
    for o in (first, second):
        await orders.add_order(o, created(o))
    assert await reviews.add(review("RV1", 0, 1)) and await reviews.add(review("RV2", 1, 2))
    assert not await reviews.add(review("RV3", 1, 5))  # that line is rated already: not counted again
    for tid, kind in (("AS1", ServiceType.COMPLAINT), ("AS2", ServiceType.RETURN)):
        t = ticket(tid, kind)
        await tickets.add(t, TicketEvent(t.id, T0, None, TicketStatus.OPEN, "shopper:u1"), tid)
    await quality.add_checks([check("SC1"), check("SC2")])
    assert await quality.decide_check(replace(check("SC1"), status=CheckStatus.FAILED, reviewer="rita"))
    assert await quality.decide_check(replace(check("SC2"), status=CheckStatus.PASSED, reviewer="rita"))
    assert not await quality.decide_check(replace(check("SC1"), status=CheckStatus.FAILED, reviewer="tom"))
    await shipments.add_shipment(shipment("S1", first.id, hours=72))  # three days after the order: late
    await shipments.add_shipment(shipment("S2", first.id, hours=80))  # a second parcel of the same order
    await shipments.add_shipment(shipment("S1", first.id, hours=72))  # the same shipment again
    await shipments.add_shipment(shipment("S3", second.id, hours=5))
    await shipments.add_shipment(shipment("R1", second.id, hours=90, kind="return"))
    expected = MerchantRecord(ratings=RatingSummary(2, 1.5), complaints=1, failed_checks=1, shipped=2,
                              shipped_late=1)
    assert await reviews.merchant_records() == {"jd-shop": expected}
    assert merchant_score(expected) < merchant_score(MerchantRecord())

    # a database that had these rows before 0020 gets the same records from the migration
    await _redo_migration_0020(engine)
    assert await reviews.merchant_records() == {"jd-shop": expected}

    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    await reviews.merchant_records()
    assert len(statements) == 1 and "merchant_stats" in statements[0]  # no scan of orders or shipments


async def _redo_migration_0020(engine) -> None:
    """Put the database back as it was before 0020 (no merchant_stats; the revisions it follows
    are heads again unless another head descends from them), then upgrade."""
    from alembic.script import ScriptDirectory

    def undo(connection) -> None:
        script = ScriptDirectory.from_config(db.alembic_config(engine.url.render_as_string(hide_password=False)))
        mine = script.get_revision("0020_merchant_stats")
        heads = {r for (r,) in connection.execute(text("SELECT version_num FROM alembic_version"))}
        heads.discard(mine.revision)
        below = {r.revision for r in script.iterate_revisions(tuple(heads), "base")}
        heads |= {r for r in (mine.down_revision, *mine.dependencies) if r not in below}
        connection.execute(text("DROP TABLE merchant_stats"))
        connection.execute(text("DELETE FROM alembic_version"))
        for head in heads:
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": head})

    async with engine.begin() as conn:
        await conn.run_sync(undo)
    await db.upgrade(engine)


async def test_migration_0020_matches_the_table_declaration(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import MetaData

    from integrations.db import merchant_stats

    mine = MetaData(naming_convention=merchant_stats.metadata.naming_convention)
    merchant_stats.merchant_stats.to_metadata(mine)
    eng = db.create_engine(db_url)
    await db.upgrade(eng)
    async with eng.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), mine))
    await eng.dispose()
    assert [d for d in diff if _table_of(d) == "merchant_stats"] == []
