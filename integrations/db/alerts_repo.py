"""SQL adapters of `shop.alerts.AlertRepository` and `shop.price_history.PriceHistory`.

Work on SQLite (embedded default) and PostgreSQL. The alert evaluation is set-based: for a
batch of product ids [first, last] ONE `UPDATE … FROM (current prices) … RETURNING` flips every
armed alert whose price is at or below its target, and one more statement re-arms triggered
alerts whose price rose above the target again — never one query per alert.

Errors: SQLAlchemy errors are not translated here; they mean the database is down or the
schema is missing, which the scheduler logs and retries at the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    and_,
    case,
    func,
    insert,
    literal,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.alerts_tables import price_alerts, price_history, product_prices
from shop.alerts import ANY_PLATFORM, LIVE_STATUSES, AlertStatus, PriceAlert
from shop.price_history import PlatformPrice, PriceLows, PricePoint

_CHUNK = 2000  # rows per statement when a call carries many keys (SQLite's variable limit)


def _utc(dt: datetime) -> datetime:
    """Bind UTC everywhere (SQLite keeps no zone); read naive values back as UTC."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _opt_utc(dt: datetime | None) -> datetime | None:
    return None if dt is None else _utc(dt)


def _money(v: Any) -> Decimal:
    return Decimal(str(v)).quantize(Decimal("0.01"))


def _row_to_alert(r: Any) -> PriceAlert:
    return PriceAlert(
        id=r.id,
        shopper_id=r.shopper_id,
        channel=r.channel,
        recipient_id=r.recipient_id,
        language=r.language,
        product_id=r.product_id,
        product_title=r.product_title,
        platform=r.platform,
        target_price=_money(r.target_price),
        percent_drop=None if r.percent_drop is None else Decimal(str(r.percent_drop)),
        base_price=_money(r.base_price),
        status=AlertStatus(r.status),
        created_at=_utc(r.created_at),
        expires_at=_utc(r.expires_at),
        last_notified_at=_opt_utc(r.last_notified_at),
        triggered_price=None if r.triggered_price is None else _money(r.triggered_price),
    )


def _live() -> list[str]:
    return [s.value for s in LIVE_STATUSES]


class SqlAlertRepository:
    """Alerts in SQL; the engine is created and disposed of by the composition root."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, alert: PriceAlert) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(price_alerts).values(
                    id=alert.id,
                    shopper_id=alert.shopper_id,
                    channel=alert.channel,
                    recipient_id=alert.recipient_id,
                    language=alert.language,
                    product_id=alert.product_id,
                    product_title=alert.product_title,
                    platform=alert.platform,
                    target_price=alert.target_price,
                    percent_drop=alert.percent_drop,
                    base_price=alert.base_price,
                    status=alert.status.value,
                    created_at=_utc(alert.created_at),
                    expires_at=_utc(alert.expires_at),
                    last_notified_at=_opt_utc(alert.last_notified_at),
                    triggered_price=alert.triggered_price,
                    notify_count=0,
                )
            )

    async def get(self, alert_id: str) -> PriceAlert | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(price_alerts).where(price_alerts.c.id == alert_id))).first()
        return None if row is None else _row_to_alert(row)

    async def list_for_shopper(
        self, shopper_id: str, statuses: Sequence[AlertStatus] = LIVE_STATUSES
    ) -> list[PriceAlert]:
        stmt = (
            select(price_alerts)
            .where(
                price_alerts.c.shopper_id == shopper_id,
                price_alerts.c.status.in_([s.value for s in statuses]),
            )
            .order_by(price_alerts.c.created_at.desc(), price_alerts.c.id)
        )
        async with self._engine.connect() as conn:
            return [_row_to_alert(r) for r in await conn.execute(stmt)]

    async def list_for_product(self, product_id: str,
                               statuses: Sequence[AlertStatus] = LIVE_STATUSES) -> list[PriceAlert]:
        """Every shopper's alerts on one product (their watchers: told when it is delisted)."""
        stmt = select(price_alerts).where(price_alerts.c.product_id == product_id,
                                          price_alerts.c.status.in_([s.value for s in statuses]))
        async with self._engine.connect() as conn:
            return [_row_to_alert(r) for r in await conn.execute(stmt)]

    async def count_live(self, shopper_id: str) -> int:
        stmt = select(func.count()).where(
            price_alerts.c.shopper_id == shopper_id, price_alerts.c.status.in_(_live())
        )
        async with self._engine.connect() as conn:
            return int((await conn.execute(stmt)).scalar_one())

    async def set_status(self, alert_id: str, status: AlertStatus) -> bool:
        stmt = (
            update(price_alerts)
            .where(price_alerts.c.id == alert_id, price_alerts.c.status.in_(_live()))
            .values(status=status.value)
        )
        async with self._engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount == 1

    async def next_product_batch(self, after: str | None, limit: int) -> list[str]:
        stmt = (
            select(price_alerts.c.product_id)
            .where(price_alerts.c.status.in_(_live()))
            .distinct()
            .order_by(price_alerts.c.product_id)
            .limit(limit)
        )
        if after is not None:
            stmt = stmt.where(price_alerts.c.product_id > after)
        async with self._engine.connect() as conn:
            return list((await conn.execute(stmt)).scalars())

    @staticmethod
    def _current_prices(first: str, last: str) -> Any:
        """Per (product, platform) the listed price, plus (product, "any") the lowest of them."""
        pp = product_prices
        in_batch = and_(pp.c.available.is_(True), pp.c.product_id.between(first, last))
        per_platform = select(pp.c.product_id, pp.c.platform, pp.c.price).where(in_batch)
        lowest = (
            select(
                pp.c.product_id, literal(ANY_PLATFORM).label("platform"), func.min(pp.c.price).label("price")
            )
            .where(in_batch)
            .group_by(pp.c.product_id)
        )
        return union_all(per_platform, lowest).subquery("cp")

    async def trigger_batch(self, first: str, last: str, now: datetime) -> list[PriceAlert]:
        pa = price_alerts
        cp = self._current_prices(first, last)
        now = _utc(now)
        stmt = (
            update(pa)
            .where(
                pa.c.product_id.between(first, last),
                pa.c.status == AlertStatus.ACTIVE.value,
                pa.c.expires_at > now,
                pa.c.product_id == cp.c.product_id,
                pa.c.platform == cp.c.platform,
                cp.c.price <= pa.c.target_price,
            )
            .values(
                status=AlertStatus.TRIGGERED.value,
                last_notified_at=now,
                triggered_price=cp.c.price,
                notify_count=pa.c.notify_count + 1,
            )
            .returning(*pa.c)
        )
        async with self._engine.begin() as conn:
            rows = (await conn.execute(stmt)).all()
        return [_row_to_alert(r) for r in rows]

    async def rearm_batch(self, first: str, last: str, now: datetime) -> int:
        pa = price_alerts
        cp = self._current_prices(first, last)
        stmt = (
            update(pa)
            .where(
                pa.c.product_id.between(first, last),
                pa.c.status == AlertStatus.TRIGGERED.value,
                pa.c.product_id == cp.c.product_id,
                pa.c.platform == cp.c.platform,
                cp.c.price > pa.c.target_price,
            )
            .values(status=AlertStatus.ACTIVE.value)
        )
        async with self._engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount

    async def expire(self, now: datetime) -> int:
        stmt = (
            update(price_alerts)
            .where(price_alerts.c.status.in_(_live()), price_alerts.c.expires_at <= _utc(now))
            .values(status=AlertStatus.EXPIRED.value)
        )
        async with self._engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount


class SqlPriceHistory:
    """Price log + latest-price snapshot in SQL.

    An unchanged price is appended to the log at most once per `min_interval`; a changed one
    always. The snapshot (`product_prices`) is upserted on every sighting.
    """

    def __init__(self, engine: AsyncEngine, min_interval: timedelta = timedelta(hours=1)) -> None:
        self._engine = engine
        self._min_interval = min_interval

    def _upsert(self) -> Any:
        ins = (pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert)(product_prices)
        return ins.on_conflict_do_update(
            index_elements=[product_prices.c.product_id, product_prices.c.platform],
            set_={
                "platform_product_id": ins.excluded.platform_product_id,
                "price": ins.excluded.price,
                "seen_at": ins.excluded.seen_at,
                "available": ins.excluded.available,
            },
        )

    async def record_many(self, points: Sequence[PricePoint]) -> None:
        # Every sighting of a key, oldest first, is judged as if recorded on its own (as the
        # in-memory twin does): a batch of several seconds logs what single calls would have.
        by_key: dict[tuple[str, str], list[PricePoint]] = {}
        for p in sorted(points, key=lambda p: _utc(p.seen_at)):
            by_key.setdefault((p.product_id, p.platform), []).append(p)
        keys = list(by_key)
        async with self._engine.begin() as conn:
            for i in range(0, len(keys), _CHUNK):
                chunk = keys[i : i + _CHUNK]
                pp, ph = product_prices, price_history
                last_logged = (  # no snapshot: logged anyway
                    select(func.max(ph.c.seen_at))
                    .where(ph.c.product_id == pp.c.product_id, ph.c.platform == pp.c.platform)
                    .scalar_subquery()
                )
                rows = await conn.execute(
                    select(pp.c.product_id, pp.c.platform, pp.c.platform_product_id, pp.c.price,
                           last_logged.label("last_logged"))
                    .where(tuple_(pp.c.product_id, pp.c.platform).in_(chunk))
                )
                prev = {(r.product_id, r.platform): r for r in rows}
                log_rows, snap_rows = [], []
                for key in chunk:
                    old = prev.get(key)
                    price = None if old is None else _money(old.price)
                    ppid = "" if old is None else old.platform_product_id
                    logged = None if old is None or old.last_logged is None else _utc(old.last_logged)
                    for p in by_key[key]:
                        seen = _utc(p.seen_at)
                        changed = price is None or price != _money(p.price)
                        if changed or logged is None or seen - logged >= self._min_interval:
                            log_rows.append(
                                {"product_id": key[0], "platform": key[1], "price": p.price, "seen_at": seen}
                            )
                            logged = seen
                        price = _money(p.price)
                        ppid = p.platform_product_id or ppid
                    last = by_key[key][-1]
                    snap_rows.append(
                        {
                            "product_id": key[0],
                            "platform": key[1],
                            "platform_product_id": ppid,
                            "price": last.price,
                            "seen_at": _utc(last.seen_at),
                            "available": True,
                        }
                    )
                if log_rows:
                    await conn.execute(insert(price_history), log_rows)
                await conn.execute(self._upsert(), snap_rows)

    async def lows(
        self, product_ids: Sequence[str], since: datetime, platform: str | None = None
    ) -> dict[str, PriceLows]:
        ph = price_history
        out: dict[str, PriceLows] = {}
        ids = list(dict.fromkeys(product_ids))
        async with self._engine.connect() as conn:
            for i in range(0, len(ids), _CHUNK):
                stmt = (
                    select(
                        ph.c.product_id,
                        func.min(ph.c.price).label("atl"),
                        func.min(case((ph.c.seen_at >= _utc(since), ph.c.price))).label("recent"),
                        func.min(ph.c.seen_at).label("first"),
                    )
                    .where(ph.c.product_id.in_(ids[i : i + _CHUNK]))
                    .group_by(ph.c.product_id)
                )
                if platform is not None:
                    stmt = stmt.where(ph.c.platform == platform)
                for r in await conn.execute(stmt):
                    out[r.product_id] = PriceLows(
                        all_time_low=_money(r.atl),
                        lowest_in_window=None if r.recent is None else _money(r.recent),
                        first_seen=_opt_utc(r.first),
                    )
        return out

    async def series(
        self, product_id: str, since: datetime | None = None
    ) -> dict[str, list[tuple[datetime, Decimal]]]:
        ph = price_history
        stmt = select(ph.c.platform, ph.c.seen_at, ph.c.price).where(ph.c.product_id == product_id)
        if since is not None:
            stmt = stmt.where(ph.c.seen_at >= _utc(since))
        stmt = stmt.order_by(ph.c.platform, ph.c.seen_at)
        out: dict[str, list[tuple[datetime, Decimal]]] = {}
        async with self._engine.connect() as conn:
            for r in await conn.execute(stmt):
                out.setdefault(r.platform, []).append((_utc(r.seen_at), _money(r.price)))
        return out

    async def current(self, product_ids: Sequence[str]) -> dict[str, list[PlatformPrice]]:
        pp = product_prices
        out: dict[str, list[PlatformPrice]] = {}
        ids = list(dict.fromkeys(product_ids))
        async with self._engine.connect() as conn:
            for i in range(0, len(ids), _CHUNK):
                stmt = (
                    select(pp)
                    .where(pp.c.product_id.in_(ids[i : i + _CHUNK]))
                    .order_by(pp.c.product_id, pp.c.platform)
                )
                for r in await conn.execute(stmt):
                    out.setdefault(r.product_id, []).append(
                        PlatformPrice(
                            r.product_id,
                            r.platform,
                            r.platform_product_id,
                            _money(r.price),
                            _utc(r.seen_at),
                            bool(r.available),
                        )
                    )
        return out

    async def mark_unavailable(self, keys: Sequence[tuple[str, str]], at: datetime) -> None:
        keys = list(keys)
        async with self._engine.begin() as conn:
            for i in range(0, len(keys), _CHUNK):
                await conn.execute(
                    update(product_prices)
                    .where(
                        tuple_(product_prices.c.product_id, product_prices.c.platform).in_(
                            keys[i : i + _CHUNK]
                        )
                    )
                    .values(available=False)
                )
