"""Price-drop alerts (issue 9): the `PriceAlert`, its validation, and the `AlertService`.

A shopper asks to be told when a product drops to a target price or by a percentage. The
service validates the request (error codes the chat turns into polite text), flags targets
below the all-time low with a realistic suggestion (CamelCamelCamel's rule), and runs the
scheduled jobs: refresh watched prices, evaluate alerts set-based (one statement per batch of
products, never one per alert), expire old alerts.

Life of an alert: `active` (armed) → price ≤ target → `triggered` (notified once) → price
rises above the target again → `active` (re-armed) … until `cancelled` or `expired`.

Exceptions: `AlertError` (with an `AlertErrorCode`) is the only one this module raises.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any, Protocol

from shop.catalog import Offer, Product
from shop.clock import Clock, SystemClock
from shop.ports import MarketplaceConnector, MarketplaceError
from shop.price_history import PriceHistory, PricePoint, points_from_offers
from shop.pricing import best_quote, quote

log = logging.getLogger(__name__)

ANY_PLATFORM = "any"
REFRESH_CONCURRENCY = 16  # products whose promotions the refresh job reads at once
CENT = Decimal("0.01")


class AlertStatus(str, Enum):
    ACTIVE = "active"
    TRIGGERED = "triggered"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


LIVE_STATUSES = (AlertStatus.ACTIVE, AlertStatus.TRIGGERED)


class AlertErrorCode(str, Enum):
    TARGET_REQUIRED = "target_required"  # neither (or both) of target price / percent drop
    INVALID_NUMBER = "invalid_number"  # NaN, infinity
    TARGET_NOT_POSITIVE = "target_not_positive"  # ≤ 0, or a percent drop leaving < ¥0.01
    TARGET_NOT_BELOW_CURRENT = "target_not_below_current"  # details: current_price
    PERCENT_OUT_OF_RANGE = "percent_out_of_range"  # ≤ 0 or ≥ 100
    PRODUCT_NOT_FOUND = "product_not_found"
    PRODUCT_DELISTED = "product_delisted"  # no platform lists it any more
    NOT_ON_PLATFORM = "not_on_platform"  # listed, but not on the platform asked for; details: platform
    TOO_MANY_ALERTS = "too_many_alerts"  # details: limit
    ALERT_NOT_FOUND = "alert_not_found"  # unknown id, or someone else's alert
    PRICE_UNAVAILABLE = "price_unavailable"  # no platform answered: try again later


class AlertError(Exception):
    """A request the service refuses; `code` tells the chat which polite reply to give."""

    def __init__(self, code: AlertErrorCode, **details: Any) -> None:
        super().__init__(f"{code.value}: {details}" if details else code.value)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class PriceAlert:
    id: str
    shopper_id: str
    channel: str
    recipient_id: str
    language: str
    product_id: str
    product_title: str
    platform: str  # a platform name, or ANY_PLATFORM
    target_price: Decimal
    percent_drop: Decimal | None
    base_price: Decimal
    status: AlertStatus
    created_at: datetime
    expires_at: datetime
    last_notified_at: datetime | None = None
    triggered_price: Decimal | None = None

    @property
    def armed(self) -> bool:
        """An armed alert notifies at the next price ≤ target."""
        return self.status is AlertStatus.ACTIVE


@dataclass(frozen=True)
class AlertRequest:
    shopper_id: str
    channel: str
    recipient_id: str
    language: str
    product_id: str
    target_price: Decimal | None = None
    percent_drop: Decimal | None = None
    platform: str | None = None  # None = any platform


@dataclass(frozen=True)
class AlertQuote:
    """What a request would mean: the target it resolves to, and whether it is realistic."""

    current_price: Decimal
    target_price: Decimal
    all_time_low: Decimal | None
    below_all_time_low: bool
    suggested_target: Decimal
    percent_drop: Decimal | None = None  # as stored: two decimals


@dataclass(frozen=True)
class CreatedAlert:
    alert: PriceAlert
    quote: AlertQuote
    replaced: PriceAlert | None = None  # the shopper's previous alert on the same product, cancelled


def suggest_target(all_time_low: Decimal | None, current_price: Decimal) -> Decimal:
    """CamelCamelCamel's realistic target: the lower of all-time low + 5% and current − ¥0.01."""
    below_current = current_price - CENT
    if all_time_low is None:
        return below_current
    near_low = (all_time_low * Decimal("1.05")).quantize(CENT, rounding=ROUND_HALF_UP)
    return max(min(near_low, below_current), CENT)


class ProductSource(Protocol):
    """Looks a product up by our id with its current offers (the aggregator)."""

    async def get_product(self, product_id: str) -> Product | None: ...


class AlertRepository(Protocol):
    """Storage of alerts; the evaluation statements are set-based (one per batch)."""

    async def add(self, alert: PriceAlert) -> None: ...

    async def get(self, alert_id: str) -> PriceAlert | None: ...

    async def list_for_shopper(
        self, shopper_id: str, statuses: Sequence[AlertStatus] = LIVE_STATUSES
    ) -> list[PriceAlert]: ...

    async def count_live(self, shopper_id: str) -> int: ...

    async def set_status(self, alert_id: str, status: AlertStatus) -> bool:
        """Move a live alert to `status`; False when it is not live any more."""
        ...

    async def next_product_batch(self, after: str | None, limit: int) -> list[str]:
        """Distinct product ids (> `after`, ascending) that have live alerts."""
        ...

    async def trigger_batch(self, first: str, last: str, now: datetime) -> list[PriceAlert]:
        """Flip armed alerts of products in [first, last] whose price ≤ target; return them."""
        ...

    async def rearm_batch(self, first: str, last: str, now: datetime) -> int:
        """Re-arm triggered alerts of products in [first, last] whose price is above target again."""
        ...

    async def expire(self, now: datetime) -> int: ...


class AlertNotifier(Protocol):
    async def notify(self, alerts: Sequence[PriceAlert]) -> set[str]:
        """Tell each shopper their alert fired; returns the ids delivered."""
        ...


@dataclass
class AlertSettings:
    ttl: timedelta = timedelta(days=90)  # PRICE_ALERT_TTL_DAYS
    max_per_shopper: int = 50  # PRICE_ALERT_MAX_PER_SHOPPER
    batch_size: int = 10_000  # ALERT_BATCH_SIZE (products per evaluation / refresh batch)


@dataclass
class CycleReport:
    batches: int = 0
    products: int = 0
    triggered: int = 0
    rearmed: int = 0
    notified: int = 0
    retry: int = 0  # fired but not delivered: re-armed for the next cycle
    errors: list[str] = field(default_factory=list)


class AlertService:
    """Create, list and cancel alerts; the scheduler's job functions."""

    def __init__(
        self,
        repo: AlertRepository,
        history: PriceHistory,
        products: ProductSource,
        *,
        notifier: AlertNotifier | None = None,
        settings: AlertSettings | None = None,
        clock: Clock | None = None,
        new_id: Callable[[], str] = lambda: "pa_" + secrets.token_hex(8),
    ) -> None:
        self._repo = repo
        self._history = history
        self._products = products
        self._notifier = notifier
        self.settings = settings or AlertSettings()
        self._clock = clock or SystemClock()
        self._new_id = new_id

    # -- shopper-facing --------------------------------------------------------------------

    async def quote(
        self,
        product_id: str,
        *,
        target_price: Decimal | None = None,
        percent_drop: Decimal | None = None,
        platform: str | None = None,
        product: Product | None = None,
    ) -> tuple[Product, AlertQuote]:
        """Validate a request without saving it; raises AlertError with the reason."""
        if (target_price is None) == (percent_drop is None):
            raise AlertError(AlertErrorCode.TARGET_REQUIRED)
        for value in (target_price, percent_drop):
            if value is not None and not Decimal(value).is_finite():
                raise AlertError(AlertErrorCode.INVALID_NUMBER)
        if percent_drop is not None:
            percent_drop = (
                Decimal(percent_drop).quantize(CENT, rounding=ROUND_HALF_UP)
                if abs(percent_drop) < 1000
                else percent_drop
            )
            if not (Decimal(0) < percent_drop < Decimal(100)):
                raise AlertError(AlertErrorCode.PERCENT_OUT_OF_RANGE, percent_drop=percent_drop)
        if target_price is not None and target_price <= 0:
            raise AlertError(AlertErrorCode.TARGET_NOT_POSITIVE)
        if product is None:
            try:
                product = await self._products.get_product(product_id)
            except MarketplaceError as exc:
                raise AlertError(AlertErrorCode.PRICE_UNAVAILABLE, product_id=product_id) from exc
        if product is None:
            raise AlertError(AlertErrorCode.PRODUCT_NOT_FOUND, product_id=product_id)
        if not product.offers:
            raise AlertError(AlertErrorCode.PRODUCT_DELISTED, product_id=product_id)
        offers = [o for o in product.offers if platform in (None, ANY_PLATFORM, o.platform)]
        if not offers:
            raise AlertError(AlertErrorCode.NOT_ON_PLATFORM, product_id=product_id, platform=platform)
        best = best_quote(offers)
        assert best is not None
        current = best[1].unit_price.amount  # the price the product's card shows
        if percent_drop is not None:
            target = (current * (Decimal(100) - percent_drop) / Decimal(100)).quantize(
                CENT, rounding=ROUND_DOWN
            )
            if target <= 0:
                raise AlertError(AlertErrorCode.TARGET_NOT_POSITIVE)
        else:
            assert target_price is not None
            if target_price >= current:  # before quantizing: 1e30 would overflow the context
                raise AlertError(AlertErrorCode.TARGET_NOT_BELOW_CURRENT, current_price=current)
            target = Decimal(target_price).quantize(CENT, rounding=ROUND_DOWN)
            if target <= 0:
                raise AlertError(AlertErrorCode.TARGET_NOT_POSITIVE)
        plat = None if platform in (None, ANY_PLATFORM) else platform
        lows = await self._history.lows([product.id], self._clock.now(), platform=plat)
        recorded_low = lows[product.id].all_time_low if product.id in lows else None
        atl = current if recorded_low is None else min(recorded_low, current)
        return product, AlertQuote(
            current_price=current,
            target_price=target,
            all_time_low=atl,
            below_all_time_low=target < atl,
            suggested_target=suggest_target(atl, current),
            percent_drop=percent_drop,
        )

    async def create(self, request: AlertRequest, product: Product | None = None) -> CreatedAlert:
        """Save an alert (replacing the shopper's live alert on the same product and platform)."""
        product, quote = await self.quote(
            request.product_id,
            target_price=request.target_price,
            percent_drop=request.percent_drop,
            platform=request.platform,
            product=product,
        )
        platform = request.platform or ANY_PLATFORM
        live = await self._repo.list_for_shopper(request.shopper_id)
        previous = next((a for a in live if a.product_id == product.id and a.platform == platform), None)
        if previous is None and len(live) >= self.settings.max_per_shopper:
            raise AlertError(AlertErrorCode.TOO_MANY_ALERTS, limit=self.settings.max_per_shopper)
        now = self._clock.now()
        # the refresh job needs each offer's platform id; the history starts with today's price
        await self._history.record_many(points_from_offers(product.id, product.offers, now))
        if previous is not None:
            await self._repo.set_status(previous.id, AlertStatus.CANCELLED)
        alert = PriceAlert(
            id=self._new_id(),
            shopper_id=request.shopper_id,
            channel=request.channel,
            recipient_id=request.recipient_id,
            language=request.language,
            product_id=product.id,
            product_title=(
                product.title_en if request.language == "en" and product.title_en else product.title
            )[:256],
            platform=platform,
            target_price=quote.target_price,
            percent_drop=quote.percent_drop,
            base_price=quote.current_price,
            status=AlertStatus.ACTIVE,
            created_at=now,
            expires_at=now + self.settings.ttl,
        )
        await self._repo.add(alert)
        return CreatedAlert(alert=alert, quote=quote, replaced=previous)

    async def list_alerts(self, shopper_id: str) -> list[PriceAlert]:
        """The shopper's live alerts (active or triggered), newest first."""
        return await self._repo.list_for_shopper(shopper_id)

    async def cancel(self, shopper_id: str, alert_id: str) -> PriceAlert:
        """Cancel one of the shopper's live alerts; ALERT_NOT_FOUND for anyone else's."""
        alert = await self._repo.get(alert_id)
        if alert is None or alert.shopper_id != shopper_id or alert.status not in LIVE_STATUSES:
            raise AlertError(AlertErrorCode.ALERT_NOT_FOUND, alert_id=alert_id)
        if not await self._repo.set_status(alert_id, AlertStatus.CANCELLED):
            raise AlertError(AlertErrorCode.ALERT_NOT_FOUND, alert_id=alert_id)
        return replace(alert, status=AlertStatus.CANCELLED)

    async def cancel_for_product(self, shopper_id: str, product_id: str) -> list[PriceAlert]:
        """Cancel every live alert the shopper has on a product; returns them (maybe empty)."""
        out = []
        for alert in await self._repo.list_for_shopper(shopper_id):
            if alert.product_id == product_id and await self._repo.set_status(
                alert.id, AlertStatus.CANCELLED
            ):
                out.append(replace(alert, status=AlertStatus.CANCELLED))
        return out

    # -- scheduled jobs --------------------------------------------------------------------

    async def evaluate_alerts(self) -> CycleReport:
        """One evaluation cycle over every product with live alerts, batch by batch."""
        report = CycleReport()
        now = self._clock.now()
        after: str | None = None
        while True:
            ids = await self._repo.next_product_batch(after, self.settings.batch_size)
            if not ids:
                break
            report.batches += 1
            report.products += len(ids)
            report.rearmed += await self._repo.rearm_batch(ids[0], ids[-1], now)
            fired = await self._repo.trigger_batch(ids[0], ids[-1], now)
            report.triggered += len(fired)
            if fired and self._notifier is not None:
                delivered = await self._notifier.notify(fired)
                report.notified += len(delivered)
                # not delivered = not notified: armed again, so the next cycle tries once more
                for alert in fired:
                    if alert.id not in delivered and await self._repo.set_status(
                        alert.id, AlertStatus.ACTIVE
                    ):
                        report.retry += 1
            after = ids[-1]
        if report.triggered:
            log.info("alerts: %d triggered, %d re-armed", report.triggered, report.rearmed)
        return report

    async def expire_alerts(self) -> int:
        """Expire live alerts past their `expires_at`; returns how many."""
        return await self._repo.expire(self._clock.now())

    async def refresh_watched_prices(self, connectors: Mapping[str, MarketplaceConnector]) -> CycleReport:
        """Ask every platform for the current prices of watched products, batch by batch.

        One `get_prices` call per platform per batch, platforms in parallel; an id the platform
        leaves out is flagged delisted; a platform that fails is skipped for this batch.
        """
        report = CycleReport()
        after: str | None = None
        while True:
            ids = await self._repo.next_product_batch(after, self.settings.batch_size)
            if not ids:
                break
            report.batches += 1
            report.products += len(ids)
            current = await self._history.current(ids)
            by_platform: dict[str, dict[str, str]] = {}  # platform -> platform id -> product id
            for offers in current.values():
                for pp in offers:
                    if pp.platform in connectors and pp.platform_product_id:
                        by_platform.setdefault(pp.platform, {})[pp.platform_product_id] = pp.product_id
            calls: list[Awaitable[tuple[str, dict[str, Decimal] | None]]] = [
                self._fetch(plat, connectors[plat], list(m), report) for plat, m in by_platform.items()
            ]
            answers = [(plat, prices) for plat, prices in await asyncio.gather(*calls) if prices is not None]
            listed = {by_platform[plat][ppid] for plat, prices in answers for ppid in prices
                      if ppid in by_platform[plat]}
            known = await self._offers(sorted(listed))
            now = self._clock.now()
            points: list[PricePoint] = []
            gone: list[tuple[str, str]] = []
            for plat, prices in answers:
                for ppid, pid in by_platform[plat].items():
                    if ppid not in prices:
                        gone.append((pid, plat))
                    elif pid in known:
                        price = _quoted(known[pid].get(plat), plat, ppid, prices[ppid])
                        points.append(PricePoint(pid, plat, price, now, ppid))
            if points:
                await self._history.record_many(points)
            if gone:
                await self._history.mark_unavailable(gone, now)
            after = ids[-1]
        return report

    async def _offers(self, product_ids: list[str]) -> dict[str, dict[str, Offer]]:
        """Each product's current offers per platform, for their promotions; a product the
        source cannot give now is left out (its recorded price stays until the next refresh)."""
        gate = asyncio.Semaphore(REFRESH_CONCURRENCY)

        async def one(pid: str) -> tuple[str, Product | None, bool]:
            async with gate:
                try:
                    return pid, await self._products.get_product(pid), True
                except MarketplaceError as exc:
                    log.warning("price refresh: promotions of %s unavailable: %s", pid, exc)
                    return pid, None, False

        out: dict[str, dict[str, Offer]] = {}
        for pid, product, answered in await asyncio.gather(*(one(pid) for pid in product_ids)):
            if answered:  # None: no platform lists it any more, so no promotion applies
                out[pid] = {o.platform: o for o in product.offers} if product is not None else {}
        return out

    @staticmethod
    async def _fetch(
        platform: str, connector: MarketplaceConnector, ppids: list[str], report: CycleReport
    ) -> tuple[str, dict[str, Decimal] | None]:
        try:
            return platform, await connector.get_prices(ppids)
        except MarketplaceError as exc:
            log.warning("price refresh on %s failed: %s", platform, exc)
            report.errors.append(f"{platform}: {exc}")
            return platform, None


def _quoted(offer: Offer | None, platform: str, platform_product_id: str, list_price: Decimal) -> Decimal:
    """The unit price a card shows for `list_price` on this offer, with the offer's promotions."""
    if offer is None:
        offer = Offer(platform=platform, platform_product_id=platform_product_id, price=list_price,
                      original_price=list_price)
    return quote(replace(offer, price=list_price)).unit_price.amount
