"""Price history twin and the "lowest in 30 days" / "all-time low" badges."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from dialogue.presentation.orders import badge_names
from integrations.memory.price_history import InMemoryPriceHistory
from shop.catalog import Offer
from shop.price_history import (
    BatchingPriceRecorder,
    PriceBadges,
    PricePoint,
    points_from_offers,
    price_badges,
)

D = Decimal
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def at(days_ago: float) -> datetime:
    return NOW - timedelta(days=days_ago)


async def seeded() -> InMemoryPriceHistory:
    h = InMemoryPriceHistory()
    await h.record_many(
        [
            PricePoint("laptop", "jd", D("5200"), at(90)),  # all-time low, long ago
            PricePoint("laptop", "jd", D("5600"), at(40)),
            PricePoint("laptop", "taobao", D("5500"), at(20)),  # lowest of the last 30 days
            PricePoint("phone", "pdd", D("2999"), at(60)),
            PricePoint("new", "jd", D("100"), at(0.1)),  # first seen two hours ago
        ]
    )
    return h


async def test_badges_follow_the_recorded_lows():
    h = await seeded()
    badges = await price_badges(
        h, {"laptop": D("5499"), "phone": D("2999"), "new": D("90"), "unknown": D("1")}, NOW
    )
    assert badges["laptop"] == PriceBadges(lowest_in_30_days=True, all_time_low=False)
    assert badges["phone"] == PriceBadges(lowest_in_30_days=True, all_time_low=True)  # ties count
    assert badges["new"] == PriceBadges()  # too little history to claim anything
    assert badges["unknown"] == PriceBadges()
    higher = await price_badges(h, {"laptop": D("5501")}, NOW)
    assert higher["laptop"] == PriceBadges()
    lowest = await price_badges(h, {"laptop": D("5100")}, NOW)
    assert badge_names(lowest["laptop"]) == ["lowest_30d", "all_time_low"]


async def test_unchanged_prices_are_logged_at_most_once_per_interval():
    h = InMemoryPriceHistory(min_interval=timedelta(hours=1))
    offers = [Offer("jd", "jd-1", D("10"), D("12")), Offer("pdd", "pdd-1", D("9"), D("9"))]
    for minutes in (0, 10, 20, 70):
        await h.record_many(points_from_offers("p", offers, NOW + timedelta(minutes=minutes)))
    series = await h.series("p")
    assert [t for t, _ in series["jd"]] == [NOW, NOW + timedelta(minutes=70)]
    current = await h.current(["p"])
    assert {(c.platform, c.platform_product_id, c.price) for c in current["p"]} == {
        ("jd", "jd-1", D("10")),
        ("pdd", "pdd-1", D("9")),
    }


class ListRecorder:
    """A target that keeps every call; `got` is set on each one, and negative prices fail."""

    def __init__(self) -> None:
        self.calls: list[list[PricePoint]] = []
        self.got = asyncio.Event()

    async def record_many(self, points) -> None:
        self.got.set()
        if any(p.price < 0 for p in points):
            raise ValueError("bad price")
        self.calls.append(list(points))


def sightings(product: str, *prices: str) -> list[PricePoint]:
    return [PricePoint(product, "jd", D(v), NOW + timedelta(seconds=i), f"jd-{product}") for i, v in enumerate(prices)]


async def test_batching_recorder_writes_nothing_on_the_turn_and_keeps_each_runs_first_and_latest_sighting():
    target = ListRecorder()
    recorder = BatchingPriceRecorder(target)
    seen = sightings("p", "10", "10", "10", "9", "10", "10")
    for point in seen:
        await recorder.record_many([point])
    other = sightings("q", "5")
    await recorder.record_many(other)
    assert target.calls == []
    await recorder.flush()
    assert target.calls == [[seen[0], seen[2], seen[3], seen[4], seen[5], other[0]]]
    await recorder.flush()
    assert len(target.calls) == 1  # nothing was left over


async def test_batched_sightings_make_the_same_history_as_one_call_each():
    seen = sightings("p", "10", "10", "12", "12", "12", "10") + sightings("q", "5", "5")
    one_by_one = InMemoryPriceHistory()
    for point in seen:
        await one_by_one.record_many([point])
    batched = InMemoryPriceHistory()
    recorder = BatchingPriceRecorder(batched)
    for point in seen:
        await recorder.record_many([point])
    await recorder.flush()
    for product in ("p", "q"):
        assert await batched.series(product) == await one_by_one.series(product)
    assert await batched.current(["p", "q"]) == await one_by_one.current(["p", "q"])


async def test_batching_recorder_writes_when_enough_wait_and_everything_left_on_close():
    target = ListRecorder()
    recorder = BatchingPriceRecorder(target, interval=3600, flush_at=2)
    recorder.start()
    first, second = sightings("a", "1")[0], sightings("b", "2")[0]
    await recorder.record_many([first])
    await recorder.record_many([second])  # two waiting: the writer wakes up
    await asyncio.wait_for(target.got.wait(), 10)
    last = sightings("c", "3")[0]
    await recorder.record_many([last])
    await recorder.close()  # stops the writer after its write, then writes the rest
    assert [p for call in target.calls for p in call] == [first, second, last]


async def test_batching_recorder_counts_a_failed_chunk_and_a_full_buffer_without_losing_the_rest():
    target = ListRecorder()
    recorder = BatchingPriceRecorder(target, chunk=1, max_buffered=3)
    good, bad, also_good = sightings("a", "1")[0], sightings("b", "-1")[0], sightings("c", "3")[0]
    await recorder.record_many([good, bad, also_good, *sightings("d", "4")])
    assert recorder.dropped == 1 and recorder.buffered == 3
    await recorder.flush()
    assert target.calls == [[good], [also_good]] and recorder.failed == 1
