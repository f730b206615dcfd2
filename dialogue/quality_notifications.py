"""Shoppers watching a product's price are told when it is delisted (issue 20.4).

`DelistingNotifier` is a `shop.spot_checks` delisted hook: each live alert on the product is
told in its shopper's language; alerts on the delisted platform are cancelled (nothing left to
watch there), alerts on any platform keep watching the others.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from dialogue import responses
from dialogue.messages import Reply
from dialogue.ports import PushPort
from dialogue.presentation.products import platform_name
from shop.alerts import ANY_PLATFORM, AlertStatus, PriceAlert
from shop.spot_checks import Delisting

log = logging.getLogger(__name__)


class DelistingNotifier:
    def __init__(self, push: PushPort, watchers: Callable[[str], Awaitable[Sequence[PriceAlert]]],
                 set_status: Callable[[str, AlertStatus], Awaitable[bool]]) -> None:
        self._push = push
        self._watchers = watchers
        self._set_status = set_status

    async def __call__(self, delisting: Delisting) -> None:
        for alert in await self._watchers(delisting.product_id):
            if alert.platform not in (ANY_PLATFORM, delisting.platform):
                continue
            lang = "en" if alert.language.lower().startswith("en") else "zh"
            cancelled = alert.platform == delisting.platform
            key = "delisted_watcher" if cancelled else "delisted_watcher_any"
            text = responses.text(key, lang, title=alert.product_title,
                                  platform=platform_name(delisting.platform, lang))
            custom = {"type": "price_alert", "alert_id": alert.id, "product_id": alert.product_id,
                      "target_price": str(alert.target_price),
                      "percent_drop": None if alert.percent_drop is None else str(alert.percent_drop),
                      "status": AlertStatus.CANCELLED.value if cancelled else alert.status.value}
            try:
                if cancelled:
                    await self._set_status(alert.id, AlertStatus.CANCELLED)
                await self._push.push(alert.channel, alert.recipient_id, [Reply(text=text, custom=custom)],
                                      event_key=f"delisted:{delisting.id}:{alert.id}")
            except Exception:  # one watcher's failure must not keep the others from being told
                log.exception("telling watcher %s of delisting %s failed", alert.id, delisting.id)
