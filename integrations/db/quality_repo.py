"""Spot checks, delistings and merchant standing in SQL (SQLite / PostgreSQL).

A decision is one conditional UPDATE (… WHERE id = ? AND status = ?): when two reviewers
decide at once, exactly one wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.merchant_stats import bump
from integrations.db.merchants_tables import merchant_applications as apps_t
from integrations.db.orders_tables import tickets as tickets_t
from integrations.db.quality_tables import delistings as del_t
from integrations.db.quality_tables import merchant_standing as standing_t
from integrations.db.quality_tables import spot_checks as checks_t
from shop.clock import as_utc
from shop.spot_checks import (
    HIDDEN_STATUSES,
    CheckStatus,
    Delisting,
    DelistingStatus,
    MerchantSignals,
    SpotCheck,
    Standing,
)


def _at(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _opt(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _check(r: Any) -> SpotCheck:
    return SpotCheck(id=r.id, merchant=r.merchant, platform=r.platform, product_id=r.product_id,
                     platform_product_id=r.platform_product_id, title=r.title, category=r.category,
                     risk=float(r.risk), status=CheckStatus(r.status), created_at=as_utc(r.created_at),
                     reviewer=r.reviewer, reason=r.reason, decided_at=_opt(r.decided_at))


def _check_values(c: SpotCheck) -> dict[str, Any]:
    return {"id": c.id, "merchant": c.merchant, "platform": c.platform, "product_id": c.product_id,
            "platform_product_id": c.platform_product_id, "title": c.title[:300], "category": c.category,
            "risk": c.risk, "status": c.status.value, "created_at": _at(c.created_at), "reviewer": c.reviewer,
            "reason": c.reason, "decided_at": _at(c.decided_at)}


def _delisting(r: Any) -> Delisting:
    return Delisting(id=r.id, merchant=r.merchant, platform=r.platform, product_id=r.product_id,
                     platform_product_id=r.platform_product_id, title=r.title, reason=r.reason, by=r.by,
                     at=as_utc(r.at), status=DelistingStatus(r.status), check_id=r.check_id, appeal=r.appeal,
                     appealed_at=_opt(r.appealed_at), decision_note=r.decision_note, decided_by=r.decided_by)


def _delisting_values(d: Delisting) -> dict[str, Any]:
    return {"id": d.id, "merchant": d.merchant, "platform": d.platform, "product_id": d.product_id,
            "platform_product_id": d.platform_product_id, "title": d.title[:300], "reason": d.reason,
            "by": d.by, "at": _at(d.at), "status": d.status.value, "check_id": d.check_id, "appeal": d.appeal,
            "appealed_at": _at(d.appealed_at), "decision_note": d.decision_note, "decided_by": d.decided_by}


class SqlQualityRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add_checks(self, checks: Sequence[SpotCheck]) -> None:
        if not checks:
            return
        async with self._engine.begin() as conn:
            await conn.execute(insert(checks_t), [_check_values(c) for c in checks])
            for c in checks:
                if c.status is CheckStatus.FAILED:
                    await bump(conn, c.merchant, failed_checks=1)

    async def get_check(self, check_id: str) -> SpotCheck | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(checks_t).where(checks_t.c.id == check_id))).first()
        return None if row is None else _check(row)

    async def checks(self, statuses: Sequence[CheckStatus] | None, limit: int) -> list[SpotCheck]:
        stmt = select(checks_t).order_by(checks_t.c.risk.desc(), checks_t.c.created_at, checks_t.c.id).limit(limit)
        if statuses:
            stmt = stmt.where(checks_t.c.status.in_([s.value for s in statuses]))
        async with self._engine.connect() as conn:
            return [_check(r) for r in (await conn.execute(stmt)).all()]

    async def pending_products(self) -> set[tuple[str, str]]:
        stmt = select(checks_t.c.platform, checks_t.c.platform_product_id).where(
            checks_t.c.status == CheckStatus.PENDING.value)
        async with self._engine.connect() as conn:
            return {(r.platform, r.platform_product_id) for r in (await conn.execute(stmt)).all()}

    async def decide_check(self, after: SpotCheck) -> bool:
        values = _check_values(after)
        del values["id"]
        async with self._engine.begin() as conn:
            result = await conn.execute(update(checks_t).where(and_(
                checks_t.c.id == after.id, checks_t.c.status == CheckStatus.PENDING.value)).values(**values))
            decided = bool(result.rowcount == 1)
            if decided and after.status is CheckStatus.FAILED:
                await bump(conn, after.merchant, failed_checks=1)
        return decided

    async def add_delisting(self, delisting: Delisting) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(insert(del_t).values(**_delisting_values(delisting)))

    async def get_delisting(self, delisting_id: str) -> Delisting | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(del_t).where(del_t.c.id == delisting_id))).first()
        return None if row is None else _delisting(row)

    async def delistings(self, *, merchant: str | None = None,
                         statuses: Sequence[DelistingStatus] | None = None, limit: int = 200) -> list[Delisting]:
        stmt = select(del_t).order_by(del_t.c.at.desc(), del_t.c.id).limit(limit)
        if merchant is not None:
            stmt = stmt.where(del_t.c.merchant == merchant)
        if statuses:
            stmt = stmt.where(del_t.c.status.in_([s.value for s in statuses]))
        async with self._engine.connect() as conn:
            return [_delisting(r) for r in (await conn.execute(stmt)).all()]

    async def move_delisting(self, before: DelistingStatus, after: Delisting) -> bool:
        values = _delisting_values(after)
        del values["id"]
        async with self._engine.begin() as conn:
            result = await conn.execute(update(del_t).where(and_(
                del_t.c.id == after.id, del_t.c.status == before.value)).values(**values))
        return bool(result.rowcount == 1)

    async def standings(self, merchants: Iterable[str] | None = None) -> dict[str, Standing]:
        wanted = None if merchants is None else list(merchants)
        counts = select(checks_t.c.merchant, checks_t.c.status, func.count()).group_by(
            checks_t.c.merchant, checks_t.c.status).where(
            checks_t.c.status.in_([CheckStatus.PASSED.value, CheckStatus.FAILED.value]))
        suspended = select(standing_t)
        if wanted is not None:
            counts = counts.where(checks_t.c.merchant.in_(wanted))
            suspended = suspended.where(standing_t.c.merchant.in_(wanted))
        out: dict[str, Standing] = {}
        async with self._engine.connect() as conn:
            for merchant, status, n in (await conn.execute(counts)).all():
                s = out.get(merchant) or Standing(merchant)
                if status == CheckStatus.PASSED.value:
                    s = Standing(merchant, n, s.failed_checks, s.suspended, s.reason)
                else:
                    s = Standing(merchant, s.passed_checks, n, s.suspended, s.reason)
                out[merchant] = s
            for row in (await conn.execute(suspended)).all():
                s = out.get(row.merchant) or Standing(row.merchant)
                out[row.merchant] = Standing(row.merchant, s.passed_checks, s.failed_checks, bool(row.suspended),
                                             row.reason)
        return out

    async def standing(self, merchant: str) -> Standing:
        return (await self.standings([merchant])).get(merchant) or Standing(merchant)

    async def set_suspended(self, merchant: str, suspended: bool, reason: str | None) -> None:
        async with self._engine.begin() as conn:
            result = await conn.execute(update(standing_t).where(standing_t.c.merchant == merchant).values(
                suspended=suspended, reason=reason))
            if result.rowcount == 0:
                await conn.execute(insert(standing_t).values(merchant=merchant, suspended=suspended, reason=reason))

    async def hidden(self) -> tuple[set[tuple[str, str]], set[str]]:
        products = select(del_t.c.platform, del_t.c.platform_product_id).where(
            del_t.c.status.in_([s.value for s in HIDDEN_STATUSES]))
        merchants = select(standing_t.c.merchant).where(standing_t.c.suspended.is_(True))
        async with self._engine.connect() as conn:
            hidden = {(r.platform, r.platform_product_id) for r in (await conn.execute(products)).all()}
            suspended = {r.merchant for r in (await conn.execute(merchants)).all()}
        return hidden, suspended


async def merchant_signals(engine: AsyncEngine, merchants: Sequence[str]) -> dict[str, MerchantSignals]:
    """Complaint tickets per merchant and when merchants onboarded here were approved."""
    complaints = select(tickets_t.c.merchant, func.count()).where(
        tickets_t.c.service_type == "complaint").group_by(tickets_t.c.merchant)
    approved = select(apps_t.c.merchant_id, apps_t.c.updated_at).where(
        apps_t.c.status == "approved", apps_t.c.merchant_id.is_not(None))
    counts: dict[str, int] = {}
    since: dict[str, datetime] = {}
    async with engine.connect() as conn:
        for merchant, n in (await conn.execute(complaints)).all():
            counts[merchant] = int(n)
        for merchant, at in (await conn.execute(approved)).all():
            since[merchant] = as_utc(at)
    return {m: MerchantSignals(complaints=counts.get(m, 0), approved_at=since.get(m)) for m in merchants
            if m in counts or m in since}
