"""The SQL alert repository and price history, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from integrations.db.alerts_repo import SqlAlertRepository, SqlPriceHistory
from integrations.db.alerts_tables import price_alerts, price_history, product_prices
from integrations.db.base import metadata
from integrations.memory.alerts import InMemoryAlertRepository
from integrations.memory.price_history import InMemoryPriceHistory
from shop.alerts import ANY_PLATFORM, AlertStatus, PriceAlert
from shop.price_history import PricePoint

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
D = Decimal


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_async_engine(db_url)
    async with eng.begin() as conn:
        await conn.run_sync(
            lambda c: metadata.create_all(c, tables=[price_alerts, price_history, product_prices])
        )
    yield eng
    await eng.dispose()


def alert(aid: str, product: str, target: str, platform: str = ANY_PLATFORM, **kw) -> PriceAlert:
    fields = {
        "id": aid,
        "shopper_id": kw.pop("shopper_id", "s1"),
        "channel": "rest",
        "recipient_id": "u1",
        "language": "zh",
        "product_id": product,
        "product_title": "华为笔记本",
        "platform": platform,
        "target_price": D(target),
        "percent_drop": None,
        "base_price": D("5000"),
        "status": AlertStatus.ACTIVE,
        "created_at": T0,
        "expires_at": T0 + timedelta(days=90),
    }
    fields.update(kw)
    return PriceAlert(**fields)


def pt(product: str, platform: str, price: str, at: datetime) -> PricePoint:
    return PricePoint(product, platform, D(price), at, f"{platform}-{product}")


async def test_trigger_notifies_once_rearms_after_rise_and_respects_platform(engine):
    await notify_once_scenario(SqlAlertRepository(engine), SqlPriceHistory(engine))


async def test_in_memory_twin_behaves_the_same():
    hist = InMemoryPriceHistory()
    await notify_once_scenario(InMemoryAlertRepository(hist), hist)


async def notify_once_scenario(repo, hist) -> None:
    await repo.add(alert("a-any", "p1", "4000"))
    await repo.add(alert("a-jd", "p1", "4200", platform="jd"))
    await repo.add(alert("a-tb", "p1", "3000", platform="taobao"))
    await repo.add(alert("a-old", "p1", "9000", expires_at=T0 - timedelta(days=1)))
    await hist.record_many([pt("p1", "jd", "4500", T0), pt("p1", "taobao", "4600", T0)])

    assert await repo.trigger_batch("p1", "p1", T0) == []

    # jd drops to 4100: only the jd alert (4200) fires; "any" needs 4000
    await hist.record_many([pt("p1", "jd", "4100", T0 + timedelta(hours=1))])
    fired = await repo.trigger_batch("p1", "p1", T0 + timedelta(hours=1))
    assert [(a.id, a.triggered_price, a.status) for a in fired] == [
        ("a-jd", D("4100.00"), AlertStatus.TRIGGERED)
    ]
    # taobao drops to 3999: the "any" alert fires at the lowest price of all platforms
    await hist.record_many([pt("p1", "taobao", "3999", T0 + timedelta(hours=2))])
    fired = await repo.trigger_batch("p1", "p1", T0 + timedelta(hours=2))
    assert [(a.id, a.triggered_price) for a in fired] == [("a-any", D("3999.00"))]
    # still low: nobody is notified twice
    assert await repo.trigger_batch("p1", "p1", T0 + timedelta(hours=3)) == []
    assert await repo.rearm_batch("p1", "p1", T0 + timedelta(hours=3)) == 0

    # jd rises above 4200 again: the jd alert re-arms; the any alert stays (taobao still 3999)
    await hist.record_many([pt("p1", "jd", "4300", T0 + timedelta(hours=4))])
    assert await repo.rearm_batch("p1", "p1", T0 + timedelta(hours=4)) == 1
    assert (await repo.get("a-jd")).status is AlertStatus.ACTIVE
    assert (await repo.get("a-any")).status is AlertStatus.TRIGGERED
    await hist.record_many([pt("p1", "jd", "4150", T0 + timedelta(hours=5))])
    fired = await repo.trigger_batch("p1", "p1", T0 + timedelta(hours=5))
    assert [a.id for a in fired] == ["a-jd"]
    assert (await repo.get("a-old")).status is AlertStatus.ACTIVE  # expired ones never fire
    assert await repo.expire(T0 + timedelta(hours=5)) == 1
    assert (await repo.get("a-old")).status is AlertStatus.EXPIRED


async def test_delisted_offer_does_not_trigger(engine):
    repo, hist = SqlAlertRepository(engine), SqlPriceHistory(engine)
    await repo.add(alert("a1", "p2", "100"))
    await hist.record_many([pt("p2", "pdd", "90", T0), pt("p2", "jd", "120", T0)])
    await hist.mark_unavailable([("p2", "pdd")], T0)
    assert await repo.trigger_batch("p2", "p2", T0) == []
    current = await hist.current(["p2"])
    assert {(c.platform, c.available) for c in current["p2"]} == {("jd", True), ("pdd", False)}


async def test_evaluation_is_one_statement_per_batch(engine):
    repo, hist = SqlAlertRepository(engine), SqlPriceHistory(engine)
    for i in range(30):
        await repo.add(alert(f"a{i}", f"p{i % 3}", "50"))
    await hist.record_many([pt(f"p{i}", "jd", "40", T0) for i in range(3)])
    statements: list[str] = []
    listener = lambda *a: statements.append(a[2])
    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        ids = await repo.next_product_batch(None, 10)
        fired = await repo.trigger_batch(ids[0], ids[-1], T0)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)
    assert ids == ["p0", "p1", "p2"]
    assert len(fired) == 30
    assert sum(s.lstrip().upper().startswith("UPDATE") for s in statements) == 1
    assert len(statements) == 2  # the batch query and the one UPDATE … RETURNING


async def test_history_dedupes_unchanged_prices_and_reports_lows(engine):
    hist = SqlPriceHistory(engine, min_interval=timedelta(hours=1))
    await hist.record_many([pt("p1", "jd", "100", T0)])
    await hist.record_many([pt("p1", "jd", "100", T0 + timedelta(minutes=5))])  # same price, soon: not logged
    await hist.record_many([pt("p1", "jd", "80", T0 + timedelta(days=1))])
    await hist.record_many([pt("p1", "taobao", "95", T0 + timedelta(days=40))])
    await hist.record_many([pt("p1", "jd", "90", T0 + timedelta(days=41))])
    series = await hist.series("p1")
    assert series["jd"] == [
        (T0, D("100.00")),
        (T0 + timedelta(days=1), D("80.00")),
        (T0 + timedelta(days=41), D("90.00")),
    ]
    assert series["taobao"] == [(T0 + timedelta(days=40), D("95.00"))]
    lows = await hist.lows(["p1", "nope"], since=T0 + timedelta(days=41) - timedelta(days=30))
    assert set(lows) == {"p1"}
    assert lows["p1"].all_time_low == D("80.00")
    assert lows["p1"].lowest_in_window == D("90.00")
    assert lows["p1"].first_seen == T0
    jd_only = await hist.lows(["p1"], since=T0, platform="taobao")
    assert jd_only["p1"].all_time_low == D("95.00")
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(price_history))).scalar_one() == 4


async def test_several_sightings_in_one_call_are_logged_as_one_call_each_would_be(engine):
    """A batch of a few seconds (the aggregator's recorder) logs every change, not the last price only."""
    sightings = [
        pt("p1", "jd", "100", T0),
        pt("p1", "jd", "100", T0 + timedelta(minutes=5)),  # unchanged, soon: not logged
        pt("p1", "jd", "80", T0 + timedelta(minutes=10)),  # a drop and back within the batch
        pt("p1", "jd", "100", T0 + timedelta(minutes=20)),
        pt("p1", "jd", "100", T0 + timedelta(minutes=90)),  # unchanged, an hour since it was logged
        pt("p2", "pdd", "7", T0),
    ]
    batched = SqlPriceHistory(engine, min_interval=timedelta(hours=1))
    await batched.record_many(list(reversed(sightings)))  # order of arrival does not matter
    one_by_one = InMemoryPriceHistory(min_interval=timedelta(hours=1))
    for p in sightings:
        await one_by_one.record_many([p])
    for product in ("p1", "p2"):
        assert await batched.series(product) == await one_by_one.series(product)
    current = await batched.current(["p1"])
    assert [(c.price, c.seen_at) for c in current["p1"]] == [(D("100.00"), T0 + timedelta(minutes=90))]


async def test_shopper_listing_counting_and_cancel(engine):
    repo = SqlAlertRepository(engine)
    await repo.add(alert("a1", "p1", "10", created_at=T0))
    await repo.add(alert("a2", "p2", "10", created_at=T0 + timedelta(minutes=1)))
    await repo.add(alert("b1", "p1", "10", shopper_id="s2"))
    assert [a.id for a in await repo.list_for_shopper("s1")] == ["a2", "a1"]
    assert await repo.count_live("s1") == 2
    assert await repo.set_status("a1", AlertStatus.CANCELLED)
    assert not await repo.set_status("a1", AlertStatus.CANCELLED)
    assert await repo.count_live("s1") == 1
    assert await repo.get("missing") is None
