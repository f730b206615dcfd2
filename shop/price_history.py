"""Price history: every price the aggregator sees, per product and platform (issue 9).

The aggregator (shop/search.py) calls `PriceRecorder.record_many` with every offer price it
sees (the quoted unit price, promotions applied: the price its card shows); the scheduled refresh of watched products does the same. Product replies ask
`price_badges` whether the current price is the lowest in 30 days and/or the all-time low;
charts read `series`.

Adapters: `integrations.db.alerts_repo.SqlPriceHistory` (SQLite / PostgreSQL) and the
in-memory twin `integrations.memory.price_history.InMemoryPriceHistory`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from shop.catalog import Offer
from shop.pricing import quote

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PricePoint:
    """One sighting of a price. `platform_product_id` lets the refresh job ask the platform again."""

    product_id: str
    platform: str
    price: Decimal
    seen_at: datetime
    platform_product_id: str = ""


@dataclass(frozen=True)
class PlatformPrice:
    """The latest known price of a product on one platform."""

    product_id: str
    platform: str
    platform_product_id: str
    price: Decimal
    seen_at: datetime
    available: bool = True


@dataclass(frozen=True)
class PriceLows:
    """Lowest prices of one product over all its platforms (or the one asked for)."""

    all_time_low: Decimal | None
    lowest_in_window: Decimal | None
    first_seen: datetime | None


@dataclass(frozen=True)
class PriceBadges:
    lowest_in_30_days: bool = False
    all_time_low: bool = False


class PriceRecorder(Protocol):
    """What the aggregator needs: record many sightings in one call."""

    async def record_many(self, points: Sequence[PricePoint]) -> None: ...


class PriceHistory(PriceRecorder, Protocol):
    """Recording plus the queries badges, alerts and charts need."""

    async def lows(
        self, product_ids: Sequence[str], since: datetime, platform: str | None = None
    ) -> dict[str, PriceLows]:
        """Per product: all-time low, lowest since `since`, first sighting; unknown ids left out."""
        ...

    async def series(
        self, product_id: str, since: datetime | None = None
    ) -> dict[str, list[tuple[datetime, Decimal]]]:
        """Per platform, the recorded (seen_at, price) points, oldest first."""
        ...

    async def current(self, product_ids: Sequence[str]) -> dict[str, list[PlatformPrice]]:
        """The latest price per platform of each product (delisted offers included, flagged)."""
        ...

    async def mark_unavailable(self, keys: Sequence[tuple[str, str]], at: datetime) -> None:
        """Flag (product_id, platform) offers the platform no longer lists."""
        ...


BADGE_WINDOW = timedelta(days=30)
# A product first seen less than this long ago earns no badge: "lowest in 30 days" on a
# product we have watched for an hour would mislead the shopper.
BADGE_MIN_HISTORY = timedelta(days=1)


async def price_badges(
    history: PriceHistory,
    current_prices: dict[str, Decimal],
    now: datetime,
    *,
    window: timedelta = BADGE_WINDOW,
    min_history: timedelta = BADGE_MIN_HISTORY,
) -> dict[str, PriceBadges]:
    """Badges for each product given its current (lowest) price; one query for all of them."""
    if not current_prices:
        return {}
    lows = await history.lows(list(current_prices), now - window)
    out: dict[str, PriceBadges] = {}
    for pid, price in current_prices.items():
        low = lows.get(pid)
        if low is None or low.first_seen is None or now - low.first_seen < min_history:
            out[pid] = PriceBadges()
            continue
        out[pid] = PriceBadges(
            lowest_in_30_days=low.lowest_in_window is None or price <= low.lowest_in_window,
            all_time_low=low.all_time_low is not None and price <= low.all_time_low,
        )
    return out


def points_from_offers(product_id: str, offers: Iterable[Offer], seen_at: datetime) -> list[PricePoint]:
    """PricePoints for a product's offers: each one's quoted unit price (what its card shows)."""
    return [
        PricePoint(
            product_id=product_id,
            platform=o.platform,
            price=quote(o).unit_price.amount,
            seen_at=seen_at,
            platform_product_id=o.platform_product_id,
        )
        for o in offers
    ]


class BatchingPriceRecorder:
    """Keeps sightings in memory and writes them in one call every `interval` seconds.

    For the aggregator, which sees prices on almost every turn (search, details, compare,
    the buy summary): one write per turn put a database transaction beside nearly every turn,
    on SQLite next to the turn's own writes (an order) for the one write lock. Here
    `record_many` only updates a dict; the task `start()` runs hands what was seen since the
    last write to the target's `record_many` every `interval` seconds (sooner once `flush_at`
    sightings wait), `chunk` products-and-platforms per call with a `pause` between calls, so
    that a turn running meanwhile waits for one small write rather than a whole batch.
    Readers (badges, charts) see a sighting about `interval` seconds late.

    Of a run of sightings of one price (per product and platform) only the first and the
    latest are kept, in order. The log still gets every price change when it was first seen,
    and the snapshot the latest sighting; an unchanged price is still logged at most once per
    the target's `min_interval` (the sighting that renews it may be one up to `interval`
    seconds later than one at a time would have picked; the wiring keeps `interval` below
    `min_interval`).

    `close()` (app shutdown) writes what is left: a clean shutdown loses nothing, a crash at
    most `interval` seconds of sightings. A failed write is logged and counted (`failed`) and
    its sightings dropped; past `max_buffered` waiting sightings (the database is down) new
    ones are dropped and counted (`dropped`) rather than kept without bound.
    """

    def __init__(
        self,
        target: PriceRecorder,
        *,
        interval: float = 5.0,
        chunk: int = 100,
        pause: float = 0.01,
        flush_at: int = 5_000,
        max_buffered: int = 100_000,
    ) -> None:
        if interval <= 0 or chunk < 1:
            raise ValueError("the interval must be positive and a chunk hold one key at least")
        self._target = target
        self._interval = interval
        self._chunk = chunk
        self._pause = pause
        self._flush_at = flush_at
        self._max_buffered = max_buffered
        self._buffer: dict[tuple[str, str], list[PricePoint]] = {}
        self._buffered = 0
        self._wake = asyncio.Event()
        self._writing = asyncio.Lock()  # one write at a time, so sightings reach the target in order
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.dropped = 0
        self.failed = 0

    @property
    def buffered(self) -> int:
        """Sightings kept and not yet handed to the target."""
        return self._buffered

    async def record_many(self, points: Sequence[PricePoint]) -> None:
        for p in points:
            kept = self._buffer.get((p.product_id, p.platform))
            if kept is None:
                if self._buffered >= self._max_buffered:
                    self.dropped += 1
                    continue
                self._buffer[(p.product_id, p.platform)] = [p]
                self._buffered += 1
                continue
            last = kept[-1]
            if len(kept) >= 2 and kept[-2].price == last.price == p.price:
                if p.seen_at >= last.seen_at:  # the run goes on: its latest sighting replaces the last
                    ppid = p.platform_product_id or last.platform_product_id
                    kept[-1] = replace(p, platform_product_id=ppid)
            elif self._buffered >= self._max_buffered:
                self.dropped += 1
            else:
                kept.append(p)
                self._buffered += 1
        if self._buffered >= self._flush_at:
            self._wake.set()

    def start(self) -> None:
        """Start the periodic writer (the app's start-up)."""
        if self._task is None:
            self._closing = False
            self._task = asyncio.create_task(self._run(), name="price-history-writer")

    async def _run(self) -> None:
        while not self._closing:
            try:
                await asyncio.wait_for(self._wake.wait(), self._interval)
            except TimeoutError:
                pass
            self._wake.clear()
            await self.flush(pause=self._pause)

    async def flush(self, pause: float = 0.0) -> None:
        """Write every sighting kept so far, `pause` seconds between two chunks."""
        async with self._writing:
            kept = list(self._buffer.values())
            self._buffer, self._buffered = {}, 0
            for i in range(0, len(kept), self._chunk):
                if i and pause:
                    await asyncio.sleep(pause)
                batch = [p for runs in kept[i : i + self._chunk] for p in runs]
                try:
                    await self._target.record_many(batch)
                except Exception:  # a background write has no caller to raise to: log it, count it
                    self.failed += 1
                    log.exception("recording %d prices failed", len(batch))

    async def close(self) -> None:
        """Stop the writer after its last write, then write what is left (the app's shutdown)."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task  # a write in flight is finished, never cancelled
            self._task = None
        await self.flush()




def _min(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)
