"""The `price_alert` payload of contracts/channels.md."""

from __future__ import annotations

from typing import Any

from shop.alerts import PriceAlert
from shop.money import cents


def alert_payload(alert: PriceAlert) -> dict[str, Any]:
    """`alert_id`, `product_id`, `target_price`, `percent_drop`, `status` (amounts as decimal strings)."""
    return {
        "type": "price_alert",
        "alert_id": alert.id,
        "product_id": alert.product_id,
        "target_price": str(cents(alert.target_price)),
        "percent_drop": None if alert.percent_drop is None else str(alert.percent_drop),
        "status": alert.status.value,
    }
