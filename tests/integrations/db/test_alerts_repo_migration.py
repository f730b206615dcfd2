"""Migration 0003_alerts creates the schema the repositories use (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db import alembic_config
from integrations.db.alerts_repo import SqlAlertRepository, SqlPriceHistory
from integrations.db.alerts_tables import price_alerts, price_history, product_prices
from shop.alerts import AlertStatus, PriceAlert
from shop.price_history import PricePoint

T0 = datetime(2026, 11, 1, tzinfo=UTC)


async def test_migration_matches_the_tables_and_supports_evaluation(db_url):
    engine = create_async_engine(db_url)
    try:

        def upgrade(connection):
            cfg = alembic_config(db_url)
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "0003_alerts")

        async with engine.begin() as conn:
            await conn.run_sync(upgrade)

            def columns(sync_conn):
                insp = inspect(sync_conn)
                return {
                    t.name: (
                        {c["name"] for c in insp.get_columns(t.name)},
                        {i["name"] for i in insp.get_indexes(t.name)},
                    )
                    for t in (price_alerts, price_history, product_prices)
                }

            found = await conn.run_sync(columns)
        for table in (price_alerts, price_history, product_prices):
            cols, indexes = found[table.name]
            assert cols == {c.name for c in table.c}, table.name
            assert indexes == {i.name for i in table.indexes}, table.name

        repo, hist = SqlAlertRepository(engine), SqlPriceHistory(engine)
        await repo.add(
            PriceAlert(
                id="a1",
                shopper_id="s",
                channel="rest",
                recipient_id="u",
                language="en",
                product_id="p",
                product_title="t",
                platform="any",
                target_price=Decimal(10),
                percent_drop=Decimal("12.5"),
                base_price=Decimal(12),
                status=AlertStatus.ACTIVE,
                created_at=T0,
                expires_at=T0 + timedelta(days=1),
            )
        )
        await hist.record_many([PricePoint("p", "jd", Decimal("9.50"), T0, "jd-p")])
        [fired] = await repo.trigger_batch("p", "p", T0)
        assert (fired.triggered_price, fired.percent_drop) == (Decimal("9.50"), Decimal("12.5"))
    finally:
        await engine.dispose()
