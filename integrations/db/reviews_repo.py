"""Reviews in SQL, and each merchant's record (ratings, complaints, failed spot checks, shipping)."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.orders_tables import orders as orders_t
from integrations.db.orders_tables import shipments as shipments_t
from integrations.db.orders_tables import tickets as tickets_t
from integrations.db.quality_tables import spot_checks as checks_t
from integrations.db.reviews_tables import reviews as reviews_t
from shop.clock import as_utc
from shop.reviews import MerchantRecord, RatingSummary, Review

SHIP_WITHIN = timedelta(hours=48)  # shipped later than this after the order is late


def _review(r: Any) -> Review:
    return Review(id=r.id, order_id=r.order_id, line_no=r.line_no, product_id=r.product_id, platform=r.platform,
                  merchant=r.merchant, shopper_id=r.shopper_id, product_stars=r.product_stars,
                  merchant_stars=r.merchant_stars, text=r.text, language=r.language, at=as_utc(r.at))


class SqlReviewRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, review: Review) -> bool:
        values = {**review.__dict__, "at": review.at.astimezone(UTC)}
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(reviews_t).values(**values))
        except IntegrityError:
            return False
        return True

    async def set_text(self, review_id: str, shopper_id: str, text: str) -> bool:
        stmt = update(reviews_t).where(reviews_t.c.id == review_id, reviews_t.c.shopper_id == shopper_id).values(
            text=text)
        async with self._engine.begin() as conn:
            return bool((await conn.execute(stmt)).rowcount == 1)

    async def recent(self, product_id: str, limit: int) -> list[Review]:
        stmt = select(reviews_t).where(reviews_t.c.product_id == product_id).order_by(
            reviews_t.c.at.desc(), reviews_t.c.id).limit(limit)
        async with self._engine.connect() as conn:
            return [_review(r) for r in (await conn.execute(stmt)).all()]

    async def product_summary(self, product_id: str) -> RatingSummary:
        stmt = select(func.count(), func.avg(reviews_t.c.product_stars)).where(reviews_t.c.product_id == product_id)
        async with self._engine.connect() as conn:
            count, average = (await conn.execute(stmt)).one()
        return RatingSummary(int(count), None if average is None else float(average))

    async def rated_lines(self, order_id: str) -> set[int]:
        stmt = select(reviews_t.c.line_no).where(reviews_t.c.order_id == order_id)
        async with self._engine.connect() as conn:
            return {int(r.line_no) for r in (await conn.execute(stmt)).all()}

    async def merchant_records(self) -> dict[str, MerchantRecord]:
        ratings = select(reviews_t.c.merchant, func.count(), func.avg(reviews_t.c.merchant_stars)).group_by(
            reviews_t.c.merchant)
        complaints = select(tickets_t.c.merchant, func.count()).where(
            tickets_t.c.service_type == "complaint").group_by(tickets_t.c.merchant)
        failed = select(checks_t.c.merchant, func.count()).where(checks_t.c.status == "failed").group_by(
            checks_t.c.merchant)
        shipped = select(orders_t.c.merchant, orders_t.c.created_at, func.min(shipments_t.c.created_at)).join(
            shipments_t, shipments_t.c.order_id == orders_t.c.id).where(shipments_t.c.kind == "delivery").group_by(
            orders_t.c.id, orders_t.c.merchant, orders_t.c.created_at)
        parts: dict[str, dict[str, Any]] = {}
        async with self._engine.connect() as conn:
            for merchant, n, avg in (await conn.execute(ratings)).all():
                parts.setdefault(merchant, {})["ratings"] = RatingSummary(int(n), float(avg))
            for merchant, n in (await conn.execute(complaints)).all():
                parts.setdefault(merchant, {})["complaints"] = int(n)
            for merchant, n in (await conn.execute(failed)).all():
                parts.setdefault(merchant, {})["failed_checks"] = int(n)
            for merchant, ordered, first_shipped in (await conn.execute(shipped)).all():
                p = parts.setdefault(merchant, {})
                p["shipped"] = p.get("shipped", 0) + 1
                late = as_utc(first_shipped) - as_utc(ordered) > SHIP_WITHIN
                p["shipped_late"] = p.get("shipped_late", 0) + int(late)
        return {m: MerchantRecord(**p) for m, p in parts.items()}
