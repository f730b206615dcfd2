"""Shoppers' ratings and reviews, and the merchant score they feed (issue 20.5).

After delivery the shopper rates each item of the order and its merchant, 1–5 stars, with an
optional text: one review per order line (rating the same line again is refused). A product's
details show how many reviews it has, their average and the most recent ones.

A merchant's score (0–100) sums up how they do: shoppers' merchant ratings (the average, 3 stars
assumed for a merchant nobody rated yet, weighing more as ratings come in), complaint tickets,
failed spot checks and late shipments. Search lowers poor merchants in the ranking
(`ranking_factor`) and cards show the score.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from shop.clock import Clock
from shop.orders import Order, OrderStatus

RATABLE = (OrderStatus.DELIVERED, OrderStatus.COMPLETED)
MAX_TEXT = 500
RECENT = 3
MAX_REVIEW_PHOTOS = 3
SCORES_REFRESH_SECONDS = 5.0
POOR_SCORE = 60  # below this, a merchant's offers rank lower


class ReviewError(Exception):
    """Root of the review errors; `code` names what is wrong for the edge to word."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # not_yours, not_delivered, no_such_line, already_rated, bad_stars


@dataclass(frozen=True)
class Review:
    id: str
    order_id: str
    line_no: int
    product_id: str
    platform: str
    merchant: str
    shopper_id: str
    product_stars: int
    merchant_stars: int
    text: str
    language: str
    at: datetime
    photos: tuple[str, ...] = ()  # URL paths of the shopper's photos (the channels' photo store)

    def to_dict(self) -> dict[str, Any]:
        return {"review_id": self.id, "order_id": self.order_id, "line_no": self.line_no,
                "product_id": self.product_id, "platform": self.platform, "merchant": self.merchant,
                "product_stars": self.product_stars, "merchant_stars": self.merchant_stars,
                "text": self.text, "language": self.language, "at": self.at.isoformat(), "photos": list(self.photos)}


@dataclass(frozen=True)
class RatingSummary:
    count: int = 0
    average: float | None = None


@dataclass(frozen=True)
class MerchantRecord:
    """What a merchant's score is made of."""

    ratings: RatingSummary = RatingSummary()
    complaints: int = 0
    failed_checks: int = 0
    shipped: int = 0
    shipped_late: int = 0


class ReviewRepository(Protocol):
    async def add(self, review: Review) -> bool:
        """False when this order line has a review already."""
        ...

    async def set_text(self, review_id: str, shopper_id: str, text: str) -> bool:
        """Add the shopper's words to their review (False when it is not theirs or not there)."""
        ...

    async def add_photo(self, review_id: str, shopper_id: str, photo: str, most: int) -> int | None:
        """Append a photo: the review's photo count now; None when not theirs or full."""
        ...

    async def recent(self, product_id: str, limit: int) -> list[Review]: ...

    async def product_summary(self, product_id: str) -> RatingSummary: ...

    async def rated_lines(self, order_id: str) -> set[int]: ...

    async def merchant_records(self) -> dict[str, MerchantRecord]:
        """Every merchant with ratings, complaints, failed checks or shipments."""
        ...


def merchant_score(record: MerchantRecord) -> int:
    """0–100: the ratings (3 stars assumed until there are some) less complaints, failed spot
    checks and late shipments."""
    prior, weight = 3.0, 3
    stars = (prior * weight + (record.ratings.average or 0.0) * record.ratings.count) / (weight + record.ratings.count)
    score = 40 + (stars - 1) * 15  # 1 star → 40, 3 → 70, 5 → 100
    score -= 4 * min(record.complaints, 5) + 12 * record.failed_checks
    if record.shipped:
        score -= 20 * record.shipped_late / record.shipped
    return max(0, min(100, round(score)))


NEW_MERCHANT_SCORE = merchant_score(MerchantRecord())


def ranking_factor(score: int | None) -> float:
    """How much a merchant's score lowers their offers in the ranking (1.0: not at all)."""
    if score is None or score >= POOR_SCORE:
        return 1.0
    return 0.7 + 0.3 * score / POOR_SCORE


class MerchantScores:
    """Every merchant's score, kept in memory and re-read at most every `SCORES_REFRESH_SECONDS`."""

    def __init__(self, records: Callable[[], Awaitable[dict[str, MerchantRecord]]],
                 clock: Callable[[], float]) -> None:
        self._records = records
        self._clock = clock
        self._scores: dict[str, int] = {}
        self._read_at: float | None = None
        self._lock = asyncio.Lock()

    async def refresh(self, force: bool = False) -> None:
        if not force and self._read_at is not None and self._clock() - self._read_at < SCORES_REFRESH_SECONDS:
            return
        async with self._lock:
            if force or self._read_at is None or self._clock() - self._read_at >= SCORES_REFRESH_SECONDS:
                now = self._clock()
                self._scores = {m: merchant_score(r) for m, r in (await self._records()).items()}
                self._read_at = now

    def score(self, merchant: str) -> int | None:
        """A merchant with no record yet starts at `merchant_score(MerchantRecord())` (70); None
        when the offer names no merchant."""
        return self._scores.get(merchant, NEW_MERCHANT_SCORE) if merchant else None

    def earned(self, merchant: str) -> int | None:
        """The score a merchant's record has earned (ratings, complaints, checks, shipping); None
        while there is none, so a card does not show the starting 70 as if it were earned."""
        return self._scores.get(merchant) if merchant else None


def _stars(value: Any) -> int:
    try:
        stars = int(value)
    except (TypeError, ValueError):
        raise ReviewError("bad_stars") from None
    if not 1 <= stars <= 5:
        raise ReviewError("bad_stars")
    return stars


class ReviewService:
    def __init__(self, repo: ReviewRepository, clock: Clock, scores: MerchantScores | None = None) -> None:
        self.repo = repo
        self.clock = clock
        self.scores = scores

    async def unrated_lines(self, order: Order) -> list[int]:
        rated = await self.repo.rated_lines(order.id)
        return [n for n in range(len(order.lines)) if n not in rated]

    async def rate(self, order: Order, shopper_id: str, line_no: int, product_stars: Any, merchant_stars: Any,
                   text: str = "", language: str = "zh") -> Review:
        if order.shopper_id != shopper_id:
            raise ReviewError("not_yours")
        if order.status not in RATABLE:
            raise ReviewError("not_delivered")
        if not 0 <= line_no < len(order.lines):
            raise ReviewError("no_such_line")
        line = order.lines[line_no]
        review = Review(id=f"RV{secrets.token_hex(6).upper()}", order_id=order.id, line_no=line_no,
                        product_id=line.product_id, platform=order.platform, merchant=order.merchant,
                        shopper_id=shopper_id, product_stars=_stars(product_stars),
                        merchant_stars=_stars(merchant_stars),
                        text=" ".join(text.split())[:MAX_TEXT], language=language, at=self.clock.now())
        if not await self.repo.add(review):
            raise ReviewError("already_rated")
        if self.scores is not None:
            await self.scores.refresh(force=True)
        return review

    async def add_text(self, review_id: str, shopper_id: str, text: str) -> bool:
        """The optional words of a review given after its stars."""
        text = " ".join(text.split())[:MAX_TEXT]
        return bool(text) and await self.repo.set_text(review_id, shopper_id, text)

    async def add_photo(self, review_id: str, shopper_id: str, photo: str) -> int | None:
        """A photo the shopper sends with their review (at most MAX_REVIEW_PHOTOS): the count now."""
        return await self.repo.add_photo(review_id, shopper_id, photo, MAX_REVIEW_PHOTOS)

    async def product_reviews(self, product_id: str, limit: int = RECENT) -> tuple[RatingSummary, list[Review]]:
        summary, recent = await asyncio.gather(self.repo.product_summary(product_id),
                                               self.repo.recent(product_id, limit))
        return summary, recent

    def merchant_score(self, merchant: str) -> int | None:
        """The merchant's score for shoppers to read: None until their record earned one."""
        return self.scores.earned(merchant) if self.scores is not None else None
