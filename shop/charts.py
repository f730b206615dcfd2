"""Price-history charts: the renderer port and a caching `PriceChartService`.

The renderer (integrations/charts/price_chart.py, Pillow) turns a product's per-platform
price series into a PNG; the service reads the series from the price history, renders in a
worker thread and keeps recent PNGs in a small LRU cache keyed by what the picture shows
(product, target, language, the series' size and last point, the hour), so a chart served
to many shoppers is drawn once and a new price redraws it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from shop.alerts import ProductSource
from shop.clock import Clock, SystemClock
from shop.ports import MarketplaceError
from shop.price_history import PriceHistory

Series = dict[str, list[tuple[datetime, Decimal]]]


@dataclass(frozen=True)
class ChartLabels:
    """Every word a chart shows, in the shopper's language (built by dialogue/presentation)."""

    title: str
    y_label: str
    platforms: Mapping[str, str]  # platform key -> display name
    target: str | None = None  # the target line's legend, e.g. "目标价 ¥5,400.00"
    lowest: str | None = None  # the lowest point's label, e.g. "最低 ¥5,499.00"


@dataclass(frozen=True)
class ChartRequest:
    series: Series
    labels: ChartLabels
    target: Decimal | None = None
    now: datetime | None = None  # lines are extended to this instant (their price still holds)


class ChartLabeller(Protocol):
    def __call__(self, title: str, series: Series, language: str, target: Decimal | None) -> ChartLabels: ...


class PriceChartRenderer(Protocol):
    def render_png(self, request: ChartRequest) -> bytes:
        """A PNG image of the request (CPU-bound: call it from a worker thread)."""
        ...


class TitleLookup(Protocol):
    async def __call__(self, product_id: str, language: str) -> str | None: ...


def product_title_lookup(products: ProductSource) -> TitleLookup:
    """A TitleLookup over the aggregator; None (the chart shows the id) when platforms fail."""

    async def title_of(product_id: str, language: str) -> str | None:
        try:
            product = await products.get_product(product_id)
        except MarketplaceError:
            return None
        if product is None:
            return None
        return product.title_en if language == "en" and product.title_en else product.title

    return title_of


class ChartNotFound(Exception):
    """No price was ever recorded for this product: there is nothing to draw."""


class PriceChartService:
    """Render (and cache) the chart of one product's price history."""

    def __init__(
        self,
        history: PriceHistory,
        renderer: PriceChartRenderer,
        *,
        labeller: ChartLabeller,
        title_of: TitleLookup | None = None,
        window: timedelta | None = timedelta(days=180),
        cache_size: int = 256,
        clock: Clock | None = None,
    ) -> None:
        self._history = history
        self._renderer = renderer
        self._title_of = title_of
        self._labeller = labeller
        self._window = window
        self._cache: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._cache_size = cache_size
        self._clock = clock or SystemClock()
        self.renders = 0

    async def png(self, product_id: str, *, target: Decimal | None = None, language: str = "zh") -> bytes:
        """The PNG of the product's chart; raises ChartNotFound when it has no history."""
        now = self._clock.now()
        since = None if self._window is None else now - self._window
        series = await self._history.series(product_id, since)
        if not any(series.values()):
            raise ChartNotFound(product_id)
        fingerprint = tuple(sorted((p, len(pts), pts[-1]) for p, pts in series.items() if pts))
        key = (product_id, target, language, fingerprint, now.replace(minute=0, second=0, microsecond=0))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        title = (await self._title_of(product_id, language) if self._title_of else None) or product_id
        labels = self._labeller(title, series, language, target)
        request = ChartRequest(series=series, labels=labels, target=target, now=now)
        png = await asyncio.to_thread(self._renderer.render_png, request)
        self.renders += 1
        self._cache[key] = png
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return png
