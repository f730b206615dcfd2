"""Price alerts in the chat: "降到4000提醒我", "tell me if it drops 15%", list and cancel.

The product is the one being discussed, a listed one by ordinal, or one a button names.
A target below the all-time low is accepted but flagged, with a realistic target suggested.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from dialogue.alert_notifications import alert_created_replies, alert_error_text, alert_list_text
from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from dialogue.flows.common import listed, pick_listed, to_decimal
from dialogue.messages import Button, button_payload
from dialogue.presentation.alerts import alert_payload
from shop.alerts import AlertError, AlertRequest, PriceAlert


def _target(ctx: TurnContext) -> tuple[Decimal | None, Decimal | None]:
    """(target price, percent drop) named by the message, either may be None."""
    percent = to_decimal(ctx.entity("percent_drop"))
    target = None
    for name in ("target_price", "price_max", "price_approx"):
        target = to_decimal(ctx.entity(name))
        if target is not None:
            break
    if target is None and percent is None:
        text = (ctx.msg.text or "").strip().rstrip("元块¥").replace(",", "")
        target = to_decimal(text) if text.replace(".", "", 1).isdigit() else None
    return target, percent


ANY_DROP_PERCENT = Decimal(1)  # "tell me when it gets cheaper": a drop of at least 1 %
_ANY_DROP = re.compile(r"(降价了|一降价|降价就|降了就|便宜了|便宜点了|有降价|price drops?\b|drops? at all|any drop|"
                       r"gets? cheaper|goes? down|is reduced|on sale)", re.IGNORECASE)


class SetPriceAlert(Flow):
    name = "price_alert"
    intents = ("set_price_alert",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        if ctx.shopper is None:
            ctx.say("alerts_unavailable")
            return
        item, error = pick_listed(ctx)
        if error == "ordinal_out_of_range":
            ctx.say("ordinal_out_of_range", count=len(listed(ctx)))
            return
        if item is None:
            ctx.say("alert_which_product")
            return
        target, percent = _target(ctx)
        if target is None and percent is None and _ANY_DROP.search(ctx.msg.text or ""):
            percent = ANY_DROP_PERCENT  # "降价了提醒我": any real drop, no number to ask for
        if target is None and percent is None:
            ctx.start_flow(self.name, {"product_id": item["id"], "title": item.get("title", "")})
            ctx.say("alert_ask_target", title=item.get("title", ""))
            return
        await self._create(ctx, item["id"], target, percent)

    async def resume(self, ctx: TurnContext) -> bool:
        frame = dict(ctx.active_frame.frame)  # type: ignore[union-attr]
        if ctx.intent not in ("inform", "set_price_alert", "nlu_fallback", "refine_search", "search_product"):
            return False
        target, percent = _target(ctx)
        if target is None and percent is None:
            ctx.say("alert_ask_target", title=frame.get("title", ""))
            return True
        ctx.end_flow(self.name)
        await self._create(ctx, frame["product_id"], target, percent)
        return True

    async def reprompt(self, ctx: TurnContext) -> None:
        frame = ctx.active_frame.frame if ctx.active_frame else {}
        ctx.say("alert_ask_target", title=frame.get("title", ""))

    async def _create(self, ctx: TurnContext, product_id: str, target: Decimal | None,
                      percent: Decimal | None) -> None:
        assert ctx.shopper is not None
        platform = ctx.entity("platform")
        request = AlertRequest(shopper_id=ctx.shopper.id, channel=ctx.msg.channel, recipient_id=ctx.msg.sender_id,
                               language=ctx.language, product_id=product_id,
                               target_price=None if percent is not None else target,
                               percent_drop=percent, platform=str(platform) if platform else None)
        try:
            created = await ctx.services.alerts.create(request)
        except AlertError as exc:
            ctx.reply_text(alert_error_text(exc, ctx.language))
            return
        url = ctx.services.chart_url(created.alert)
        for reply in alert_created_replies(created.alert, created.quote, url):
            ctx.reply(reply)


class ListPriceAlerts(Flow):
    name = "list_price_alerts"
    intents = ("list_price_alerts",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        if ctx.shopper is None:
            ctx.say("alerts_unavailable")
            return
        alerts = await ctx.services.alerts.list_alerts(ctx.shopper.id)
        ctx.reply_text(alert_list_text(alerts, ctx.language), buttons=_cancel_buttons(ctx, alerts),
                       custom={"type": "price_alerts", "items": [alert_payload(a) for a in alerts]} if alerts else None)


def _cancel_buttons(ctx: TurnContext, alerts: list[PriceAlert]) -> list[Button]:
    return [Button(ctx.t("alert_cancel_n", n=n), button_payload("cancel_price_alert", alert_id=a.id))
            for n, a in enumerate(alerts[:5], 1)]


class CancelPriceAlert(Flow):
    name = "cancel_price_alert"
    intents = ("cancel_price_alert",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        service = ctx.services.alerts
        if ctx.shopper is None:
            ctx.say("alerts_unavailable")
            return
        alert_id = ctx.entity("alert_id")
        try:
            if alert_id:
                done = [await service.cancel(ctx.shopper.id, str(alert_id))]
            else:
                alerts = await service.list_alerts(ctx.shopper.id)
                current = ctx.slot("current_product") or {}
                mine: list[Any] = [a for a in alerts if a.product_id == current.get("id")]
                ordinal = ctx.entity("ordinal")
                if ordinal is not None and alerts:
                    index = int(ordinal) - 1 if int(ordinal) > 0 else len(alerts) + int(ordinal)
                    mine = [alerts[index]] if 0 <= index < len(alerts) else []
                if not alerts:
                    ctx.reply_text(alert_list_text([], ctx.language))
                    return
                if not mine and len(alerts) == 1:
                    mine = alerts
                if not mine:
                    ctx.reply_text(ctx.t("alert_cancel_which") + "\n" + alert_list_text(alerts, ctx.language),
                                   buttons=_cancel_buttons(ctx, alerts))
                    return
                done = [await service.cancel(ctx.shopper.id, a.id) for a in mine]
        except AlertError as exc:
            ctx.reply_text(alert_error_text(exc, ctx.language))
            return
        for alert in done:
            ctx.say("alert_cancelled", title=alert.product_title,
                    custom=alert_payload(alert))


FLOWS: tuple[type[Flow], ...] = (SetPriceAlert, ListPriceAlerts, CancelPriceAlert)
