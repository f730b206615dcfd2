"""Alert notification texts and the paced push notifier (fake clock: no real sleeping)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from dialogue.alert_notifications import (
    PushAlertNotifier,
    alert_created_replies,
    alert_error_text,
    alert_list_text,
    parse_channel_rates,
    render_alert_notification,
)
from dialogue.messages import parse_intent_payload
from shop.alerts import AlertError, AlertErrorCode, AlertQuote, AlertStatus, PriceAlert

D = Decimal
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def fired(i: int = 1, channel: str = "telegram", language: str = "zh") -> PriceAlert:
    return PriceAlert(
        id=f"pa{i}",
        shopper_id="s",
        channel=channel,
        recipient_id=f"r{i}",
        language=language,
        product_id="jd-1",
        product_title="华为笔记本" if language == "zh" else "Huawei laptop",
        platform="any",
        target_price=D("4000.00"),
        percent_drop=None,
        base_price=D("4500"),
        status=AlertStatus.TRIGGERED,
        created_at=T0,
        expires_at=T0 + timedelta(days=90),
        last_notified_at=T0,
        triggered_price=D("3999.00"),
    )


def test_notification_carries_text_chart_payload_and_cancel_button():
    reply = render_alert_notification(fired(), "http://h/charts/jd-1.png?target=4000.00")
    assert reply.text == "降价提醒:华为笔记本 在全网降到了 ¥3,999.00(您的目标价 ¥4,000.00)。"
    assert reply.image == "http://h/charts/jd-1.png?target=4000.00"
    assert reply.custom == {
        "type": "price_alert",
        "alert_id": "pa1",
        "product_id": "jd-1",
        "target_price": "4000.00",
        "percent_drop": None,
        "status": "triggered",
        "triggered_price": "3999.00",
    }
    assert parse_intent_payload(reply.buttons[0].payload) == ("cancel_price_alert", {"alert_id": "pa1"})
    en = render_alert_notification(fired(language="en"))
    assert (
        en.text == "Price alert: Huawei laptop dropped to ¥3,999.00 on any platform (your target: ¥4,000.00)."
    )


def test_error_created_and_list_texts():
    err = AlertError(AlertErrorCode.TARGET_NOT_BELOW_CURRENT, current_price=D("3500"))
    assert alert_error_text(err, "zh") == "现价已经是 ¥3,500.00,不高于您的目标价,现在就可以下单哦。"
    assert "50" in alert_error_text(AlertError(AlertErrorCode.TOO_MANY_ALERTS, limit=50), "en")
    pdd = AlertError(AlertErrorCode.NOT_ON_PLATFORM, product_id="p", platform="pdd")
    assert alert_error_text(pdd, "zh") == "这个商品在拼多多上没有在售,可以设置全网的降价提醒。"
    for code in AlertErrorCode:
        for lang in ("zh", "en"):
            assert alert_error_text(AlertError(code, current_price=D("1"), limit=50), lang)
    alert = fired(language="en")
    quote = AlertQuote(D("4500"), D("3000"), D("3800"), True, D("3990.00"))
    [reply] = alert_created_replies(alert, quote)
    assert "a more realistic target is ¥3,990.00" in reply.text
    assert reply.custom["suggested_target"] == "3990.00"
    assert alert_list_text([alert], "en") == "1. Huawei laptop: target ¥4,000.00 (any platform), notified"
    assert alert_list_text([], "zh") == "您目前没有降价提醒。"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would


class Push:
    def __init__(self, t: FakeTime, broken: set[str] = frozenset()) -> None:
        self.t = t
        self.sent: list[tuple[str, str, float]] = []
        self.broken = broken

    async def push(self, channel, recipient_id, replies) -> None:
        if recipient_id in self.broken:
            raise RuntimeError("channel down")
        self.sent.append((channel, recipient_id, self.t.now))


async def test_telegram_is_paced_at_its_rate_and_outbox_channels_are_not():
    t = FakeTime()
    push = Push(t)
    notifier = PushAlertNotifier(
        push, channel_rates={"telegram": 30, "rest": 0}, clock=t.clock, sleep=t.sleep
    )
    alerts = [fired(i, "telegram") for i in range(300)] + [fired(1000 + i, "rest") for i in range(300)]
    assert len(await notifier.notify(alerts)) == 600
    tg = [at for ch, _, at in push.sent if ch == "telegram"]
    assert max(tg) >= (300 - 1) / 30 - 1e-6  # evenly paced at 30/s
    for i in range(len(tg) - 31):  # never more than rate + 1 messages in any second
        assert tg[i + 31] - tg[i] >= 1.0 - 1e-6
    rest = [at for ch, _, at in push.sent if ch == "rest"]
    assert len(rest) == 300
    assert max(rest) < 1.0  # not stuck behind the paced Telegram queue


async def test_a_broken_push_is_counted_and_does_not_stop_the_others():
    t = FakeTime()
    push = Push(t, broken={"r2"})
    notifier = PushAlertNotifier(push, clock=t.clock, sleep=t.sleep)
    assert await notifier.notify([fired(i, "rest") for i in range(1, 5)]) == {"pa1", "pa3", "pa4"}
    assert notifier.failures == 1


def test_parse_channel_rates():
    assert parse_channel_rates("telegram=30, wechat=20,rest=0") == {
        "telegram": 30.0,
        "wechat": 20.0,
        "rest": 0.0,
    }


async def test_one_shoppers_alerts_go_out_in_one_push():
    t = FakeTime()
    calls: list[tuple[str, int]] = []

    class Recording:
        async def push(self, channel, recipient_id, replies) -> None:
            calls.append((recipient_id, len(replies)))

    same = [replace(fired(i, "telegram"), recipient_id="chat-9") for i in range(3)]
    notifier = PushAlertNotifier(Recording(), clock=t.clock, sleep=t.sleep)
    assert await notifier.notify([*same, fired(7, "telegram")]) == {"pa0", "pa1", "pa2", "pa7"}
    assert sorted(calls) == [("chat-9", 3), ("r7", 1)]
