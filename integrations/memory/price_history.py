"""The in-process twin of `SqlPriceHistory` (tests, one-off scripts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from shop.price_history import (
    PlatformPrice,
    PriceLows,
    PricePoint,
    _min,
)


class InMemoryPriceHistory:
    """The in-process twin of `SqlPriceHistory` (tests, one-off scripts)."""

    def __init__(self, min_interval: timedelta = timedelta(hours=1)) -> None:
        self._min_interval = min_interval
        self._log: dict[tuple[str, str], list[tuple[datetime, Decimal]]] = {}
        self._current: dict[tuple[str, str], PlatformPrice] = {}

    async def record_many(self, points: Sequence[PricePoint]) -> None:
        for p in points:
            key = (p.product_id, p.platform)
            prev = self._current.get(key)
            log = self._log.setdefault(key, [])
            if prev is None or prev.price != p.price or p.seen_at - log[-1][0] >= self._min_interval:
                log.append((p.seen_at, p.price))
            ppid = p.platform_product_id or (prev.platform_product_id if prev else "")
            self._current[key] = PlatformPrice(p.product_id, p.platform, ppid, p.price, p.seen_at)

    async def lows(
        self, product_ids: Sequence[str], since: datetime, platform: str | None = None
    ) -> dict[str, PriceLows]:
        out: dict[str, PriceLows] = {}
        wanted = set(product_ids)
        for (pid, plat), log in self._log.items():
            if pid not in wanted or (platform is not None and plat != platform):
                continue
            prev = out.get(pid, PriceLows(None, None, None))
            atl = min(p for _, p in log)
            recent = [p for t, p in log if t >= since]
            first = log[0][0]
            out[pid] = PriceLows(
                all_time_low=_min(prev.all_time_low, atl),
                lowest_in_window=_min(prev.lowest_in_window, min(recent) if recent else None),
                first_seen=first if prev.first_seen is None else min(prev.first_seen, first),
            )
        return out

    async def series(
        self, product_id: str, since: datetime | None = None
    ) -> dict[str, list[tuple[datetime, Decimal]]]:
        return {
            plat: [(t, p) for t, p in log if since is None or t >= since]
            for (pid, plat), log in sorted(self._log.items())
            if pid == product_id
        }

    async def current(self, product_ids: Sequence[str]) -> dict[str, list[PlatformPrice]]:
        wanted = set(product_ids)
        out: dict[str, list[PlatformPrice]] = {}
        for (pid, _), pp in sorted(self._current.items()):
            if pid in wanted:
                out.setdefault(pid, []).append(pp)
        return out

    async def mark_unavailable(self, keys: Sequence[tuple[str, str]], at: datetime) -> None:
        for key in keys:
            pp = self._current.get(key)
            if pp is not None:
                self._current[key] = PlatformPrice(
                    pp.product_id, pp.platform, pp.platform_product_id, pp.price, pp.seen_at, False
                )
