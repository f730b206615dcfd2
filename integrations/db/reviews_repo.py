"""Reviews in SQL, and each merchant's record (ratings, complaints, failed spot checks, shipping)."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.merchant_stats import bump, read_records
from integrations.db.reviews_tables import reviews as reviews_t
from shop.clock import as_utc
from shop.reviews import MerchantRecord, RatingSummary, Review


def _review(r: Any) -> Review:
    return Review(id=r.id, order_id=r.order_id, line_no=r.line_no, product_id=r.product_id, platform=r.platform,
                  merchant=r.merchant, shopper_id=r.shopper_id, product_stars=r.product_stars,
                  merchant_stars=r.merchant_stars, text=r.text, language=r.language, at=as_utc(r.at),
                  photos=tuple(json.loads(r.photos or "[]")))


class SqlReviewRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, review: Review) -> bool:
        values = {**review.__dict__, "at": review.at.astimezone(UTC), "photos": json.dumps(list(review.photos))}
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(reviews_t).values(**values))
                await bump(conn, review.merchant, ratings=1, rating_stars=review.merchant_stars)
        except IntegrityError:
            return False
        return True

    async def set_text(self, review_id: str, shopper_id: str, text: str) -> bool:
        stmt = update(reviews_t).where(reviews_t.c.id == review_id, reviews_t.c.shopper_id == shopper_id).values(
            text=text)
        async with self._engine.begin() as conn:
            return bool((await conn.execute(stmt)).rowcount == 1)

    async def add_photo(self, review_id: str, shopper_id: str, photo: str, most: int) -> int | None:
        """Append a photo to the shopper's review: how many it has now; None when it is not
        theirs, or has `most` already."""
        async with self._engine.begin() as conn:
            row = (await conn.execute(select(reviews_t.c.photos).where(
                reviews_t.c.id == review_id, reviews_t.c.shopper_id == shopper_id))).first()
            if row is None:
                return None
            photos = list(json.loads(row.photos or "[]"))
            if photo not in photos:
                if len(photos) >= most:
                    return None
                photos.append(photo)
                await conn.execute(update(reviews_t).where(reviews_t.c.id == review_id).values(photos=json.dumps(photos)))
            return len(photos)

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
        """Every merchant's stored record (`merchant_stats`, kept up to date by each event)."""
        async with self._engine.connect() as conn:
            return await read_records(conn)
