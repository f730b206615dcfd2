"""Price-alert texts (zh/en) and the notifier that pushes fired alerts to shoppers.

`render_alert_notification` builds the channel-neutral reply (text, chart image URL,
`price_alert` custom payload, a cancel button); `PushAlertNotifier` implements
`shop.alerts.AlertNotifier` on top of `dialogue.ports.PushPort` with bounded concurrency and
a token bucket per channel (Telegram allows a bot ~30 messages/s across all chats; the REST
outbox and the web chat socket have no such limit). `alert_error_text` turns an
`AlertError` into a polite sentence for the chat flow.

Texts are a per-language dict here for now; they can move into dialogue/responses/*.yml.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dialogue import responses
from dialogue.messages import Button, Reply
from dialogue.ports import PushPort
from dialogue.presentation.alerts import alert_payload
from dialogue.presentation.money import format_money as money
from dialogue.presentation.products import platform_name
from shop.alerts import ANY_PLATFORM, AlertError, AlertQuote, PriceAlert

log = logging.getLogger(__name__)

ANY_PLATFORM_NAME = {"zh": "全网", "en": "any platform"}

# Texts live in dialogue/responses/<lang>_alerts.yml under `alert_<key>`.


def _t(language: str, key: str, **fields: Any) -> str:
    return responses.text(f"alert_{key}", language, **fields)


def _platform(language: str, platform: str) -> str:
    if platform == ANY_PLATFORM:
        return ANY_PLATFORM_NAME.get(language, ANY_PLATFORM_NAME["zh"])
    return platform_name(platform, language)


def alert_error_text(error: AlertError, language: str) -> str:
    """A polite sentence for a refused alert request."""
    fields = {k: money(v) if k == "current_price" else v for k, v in error.details.items()}
    fields["platform_name"] = _platform(language, str(error.details.get("platform") or ANY_PLATFORM))
    return _t(language, error.code.value, **fields)


def alert_created_replies(alert: PriceAlert, quote: AlertQuote, chart_url: str | None = None) -> list[Reply]:
    """Confirmation of a new alert, with the below-all-time-low warning when it applies."""
    lang = alert.language
    text = _t(
        lang,
        "created",
        title=alert.product_title,
        platform=_platform(lang, alert.platform),
        target=money(alert.target_price),
        current=money(quote.current_price),
    )
    if quote.below_all_time_low and quote.all_time_low is not None:
        text += "\n" + _t(
            lang,
            "below_low",
            target=money(quote.target_price),
            low=money(quote.all_time_low),
            suggested=money(quote.suggested_target),
        )
    custom = alert_payload(alert) | {
        "suggested_target": str(quote.suggested_target) if quote.below_all_time_low else None
    }
    return [Reply(text=text, image=chart_url, custom=custom)]


def alert_list_text(alerts: Sequence[PriceAlert], language: str) -> str:
    """The shopper's alerts, one per line."""
    if not alerts:
        return _t(language, "list_empty")
    return "\n".join(
        _t(
            language,
            "list_item",
            n=i,
            title=a.product_title,
            target=money(a.target_price),
            platform=_platform(language, a.platform),
            status=_t(language, "status_triggered") if a.status.value == "triggered" else "",
        )
        for i, a in enumerate(alerts, 1)
    )


def render_alert_notification(alert: PriceAlert, chart_url: str | None = None) -> Reply:
    """The pushed message of a fired alert: text, chart image, `price_alert` payload, cancel button."""
    lang = alert.language
    text = _t(
        lang,
        "fired",
        title=alert.product_title,
        platform=_platform(lang, alert.platform),
        price=money(alert.triggered_price),
        target=money(alert.target_price),
    )
    custom = alert_payload(alert) | {
        "triggered_price": None if alert.triggered_price is None else str(alert.triggered_price)
    }
    button = Button(_t(lang, "cancel_button"), f'/cancel_price_alert{{"alert_id": "{alert.id}"}}')
    return Reply(text=text, buttons=(button,), image=chart_url, custom=custom)


class TokenBucket:
    """`rate` tokens per second, up to `burst`; `acquire` waits for one. rate ≤ 0 = unlimited.

    The default burst of 1 paces messages evenly: no 1-second window ever holds more than
    rate + 1 of them (a larger burst lets a window hold rate + burst, over Telegram's 30/s).
    """

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else 1.0
        self._tokens = self.burst
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        if self.rate <= 0:
            return
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1 - 1e-9:  # tolerance: float refills never quite reach 1
                    self._tokens = max(self._tokens - 1, 0.0)
                    return
                await self._sleep(max(1 - self._tokens, 0.01) / self.rate)


def parse_channel_rates(spec: str) -> dict[str, float]:
    """`"telegram=30,wechat=20,rest=0"` → {"telegram": 30.0, ...}; 0 means unlimited."""
    out: dict[str, float] = {}
    for part in spec.split(","):
        if part.strip():
            name, _, value = part.partition("=")
            out[name.strip()] = float(value)
    return out


# Assumed limits: Telegram ~30 messages/s per bot across chats; WeChat customer-service
# messages are quota-limited per day, 20/s is a conservative pace; outbox channels unlimited.
DEFAULT_CHANNEL_RATES = {"telegram": 30.0, "wechat": 20.0, "rest": 0.0, "webchat": 0.0, "terminal": 0.0}


@dataclass
class PushAlertNotifier:
    """Push fired alerts through the push path, paced per channel, `concurrency` at a time per channel.

    Each channel has its own gate and bucket, so a slow or strictly limited channel (Telegram
    at 30/s) never holds up the others (the REST outbox, the web chat).
    """

    push: PushPort
    chart_url: Callable[[PriceAlert], str | None] = lambda alert: None
    default_rate: float = 30.0  # ALERT_PUSH_RATE_PER_SECOND: channels not named in channel_rates
    channel_rates: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_CHANNEL_RATES))
    concurrency: int = 32  # ALERT_PUSH_CONCURRENCY
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    failures: int = 0
    _buckets: dict[str, TokenBucket] = field(default_factory=dict)

    def _bucket(self, channel: str) -> TokenBucket:
        if channel not in self._buckets:
            rate = self.channel_rates.get(channel, self.default_rate)
            self._buckets[channel] = TokenBucket(rate, clock=self.clock, sleep=self.sleep)
        return self._buckets[channel]

    async def notify(self, alerts: Sequence[PriceAlert]) -> set[str]:
        """Push every alert; returns the ids delivered (failures are logged and counted).

        A shopper's alerts that fire together go out in one push (one token per message), so
        the per-channel pace also holds per chat.
        """
        gates: dict[str, asyncio.Semaphore] = {}
        groups: dict[tuple[str, str], list[PriceAlert]] = {}
        for alert in alerts:
            groups.setdefault((alert.channel, alert.recipient_id), []).append(alert)

        async def one(channel: str, recipient_id: str, group: list[PriceAlert]) -> list[str]:
            gate = gates.setdefault(channel, asyncio.Semaphore(self.concurrency))
            async with gate:
                bucket = self._bucket(channel)
                for _ in group:
                    await bucket.acquire()
                replies = [render_alert_notification(a, self.chart_url(a)) for a in group]
                try:
                    await self.push.push(channel, recipient_id, replies)
                except Exception:  # one shopper's broken channel must not silence the others
                    log.exception("price alerts %s: push via %s failed", [a.id for a in group], channel)
                    self.failures += len(group)
                    return []
                return [a.id for a in group]

        results = await asyncio.gather(*(one(ch, rid, g) for (ch, rid), g in groups.items()))
        return {aid for ids in results for aid in ids}
