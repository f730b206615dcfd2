"""In-process twin of `SqlAlertRepository` (tests, scripts): same semantics, dicts instead of SQL.

It reads current prices from the price history it is given, as the SQL version joins the
`product_prices` snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from shop.alerts import ANY_PLATFORM, LIVE_STATUSES, AlertStatus, PriceAlert
from shop.price_history import PriceHistory


class InMemoryAlertRepository:
    def __init__(self, history: PriceHistory) -> None:
        self._history = history
        self._alerts: dict[str, PriceAlert] = {}

    async def add(self, alert: PriceAlert) -> None:
        self._alerts[alert.id] = alert

    async def get(self, alert_id: str) -> PriceAlert | None:
        return self._alerts.get(alert_id)

    async def list_for_shopper(
        self, shopper_id: str, statuses: Sequence[AlertStatus] = LIVE_STATUSES
    ) -> list[PriceAlert]:
        found = [a for a in self._alerts.values() if a.shopper_id == shopper_id and a.status in statuses]
        return sorted(found, key=lambda a: (-a.created_at.timestamp(), a.id))

    async def count_live(self, shopper_id: str) -> int:
        return len(await self.list_for_shopper(shopper_id))

    async def set_status(self, alert_id: str, status: AlertStatus) -> bool:
        alert = self._alerts.get(alert_id)
        if alert is None or alert.status not in LIVE_STATUSES:
            return False
        self._alerts[alert_id] = replace(alert, status=status)
        return True

    async def next_product_batch(self, after: str | None, limit: int) -> list[str]:
        ids = sorted({a.product_id for a in self._alerts.values() if a.status in LIVE_STATUSES})
        return [i for i in ids if after is None or i > after][:limit]

    async def _prices(self, first: str, last: str) -> dict[tuple[str, str], Decimal]:
        ids = [a.product_id for a in self._alerts.values() if first <= a.product_id <= last]
        out: dict[tuple[str, str], Decimal] = {}
        for pid, offers in (await self._history.current(ids)).items():
            listed = [o for o in offers if o.available]
            for o in listed:
                out[(pid, o.platform)] = o.price
            if listed:
                out[(pid, ANY_PLATFORM)] = min(o.price for o in listed)
        return out

    async def trigger_batch(self, first: str, last: str, now: datetime) -> list[PriceAlert]:
        prices = await self._prices(first, last)
        fired = []
        for a in list(self._alerts.values()):
            price = prices.get((a.product_id, a.platform))
            if (
                first <= a.product_id <= last
                and a.status is AlertStatus.ACTIVE
                and a.expires_at > now
                and price is not None
                and price <= a.target_price
            ):
                a = replace(a, status=AlertStatus.TRIGGERED, last_notified_at=now, triggered_price=price)
                self._alerts[a.id] = a
                fired.append(a)
        return fired

    async def rearm_batch(self, first: str, last: str, now: datetime) -> int:
        prices = await self._prices(first, last)
        n = 0
        for a in list(self._alerts.values()):
            price = prices.get((a.product_id, a.platform))
            if (
                first <= a.product_id <= last
                and a.status is AlertStatus.TRIGGERED
                and price is not None
                and price > a.target_price
            ):
                self._alerts[a.id] = replace(a, status=AlertStatus.ACTIVE)
                n += 1
        return n

    async def expire(self, now: datetime) -> int:
        n = 0
        for a in list(self._alerts.values()):
            if a.status in LIVE_STATUSES and a.expires_at <= now:
                self._alerts[a.id] = replace(a, status=AlertStatus.EXPIRED)
                n += 1
        return n
