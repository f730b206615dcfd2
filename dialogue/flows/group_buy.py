"""Group buys (拼团, issue 18.6) in the chat.

"我想拼团" / "start a group buy for this" / a card's `/start_group_buy{"product_id": …}` button
starts a group for an offer that carries a group price: the buy flow's questions (variant,
quantity, address, payment), a summary at the group price, and on confirmation the group, the
shopper's order and its payment link, and the group card with its share link and QR code.
A friend opens the link (web chat `/?s=<group id>`, Telegram's start parameter, a WeChat scan:
`/open_share`) or presses `/join_group_buy{"group_id": …}` and goes through the same steps.
Joining a full, closed or expired group, or one's own group twice, is answered and nothing is
charged. The group's progress is pushed to every member (dialogue/notifications.py).
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from decimal import Decimal
from typing import Any

from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from dialogue.flows.buy import Buy
from dialogue.flows.common import CURRENT_PRODUCT
from dialogue.flows.details import load_product
from dialogue.flows.orders import order_created
from dialogue.flows.variants import item_frame, pick_product
from dialogue.messages import Button, button_payload
from dialogue.presentation.group_buys import group_payload
from dialogue.presentation.products import product_title
from nlu.types import IntentScore
from shop.group_buys import (
    AlreadyMember,
    GroupBuy,
    GroupBuyError,
    GroupClosed,
    GroupFull,
    GroupMember,
    GroupNotFound,
    group_offer,
    is_group_id,
)
from shop.orders import OrderError, OrderLine, OrderSummary
from shop.pricing import quote

_START = re.compile(r"(拼团|开团|拼单|发起(一个)?团|团购|\bgroup[- ]?buy|\bgroup (deal|price|order)\b|\bstart a group\b)",
                    re.IGNORECASE)
_JOIN = re.compile(r"(参团|参加(拼团|团)|加入(拼团|团)|\bjoin (the |a |your |this |that )?group)", re.IGNORECASE)


def says_group_buy(text: str) -> bool:
    text = text.strip()
    return bool(text) and not text.startswith("/") and bool(_START.search(text) or _JOIN.search(text))


def group_card(ctx: TurnContext, group: GroupBuy, members: list[GroupMember], title: str = "") -> dict[str, Any]:
    """The group's card; `title` is the product as this shopper reads it (the group keeps its starter's)."""
    groups = ctx.services.group_buys
    return group_payload(group, members, groups.share_url(group.group_id), groups.qr_url(group.group_id), title)


def _shopper_key(ctx: TurnContext) -> str:
    return ctx.shopper.id if ctx.shopper is not None else f"conversation:{ctx.tracker.conversation_id}"


def join_refusal(ctx: TurnContext, exc: GroupBuyError) -> None:
    """A clear answer to joining a group one may not join (nothing is charged)."""
    if isinstance(exc, AlreadyMember):
        own = exc.group.starter_id == exc.member.shopper_id
        ctx.say("group_join_own" if own else "group_join_twice", title=exc.group.title)
    elif isinstance(exc, GroupFull):
        ctx.say("group_join_full", title=exc.group.title, size=exc.group.size,
                buttons=[Button(ctx.t("button_group_start"), button_payload(
                    "start_group_buy", product_id=exc.group.product_id, platform=exc.group.platform))])
    elif isinstance(exc, GroupClosed):
        key = {"complete": "group_join_complete"}.get(exc.group.status.value, "group_join_closed")
        ctx.say(key, title=exc.group.title, buttons=[Button(ctx.t("button_group_start"), button_payload(
            "start_group_buy", product_id=exc.group.product_id, platform=exc.group.platform))])
    else:
        ctx.say("group_unknown")


class GroupBuyFlow(Buy):
    """The buy flow's questions at the group price; confirmed, the shopper starts or joins a group."""

    name = "group_buy"
    intents = ("start_group_buy",)

    async def start(self, ctx: TurnContext) -> None:
        if ctx.shopper is None:
            ctx.say("orders_unavailable")
            return
        product = await pick_product(ctx, "group_which", "group_which")
        if product is None:
            return
        platform = ctx.entity("platform")
        offer = group_offer(product, str(platform) if platform else None) or group_offer(product)
        title = product_title(product, ctx.language)
        if offer is None or offer.group is None:
            ctx.say("group_none", title=title)
            return
        deal = offer.group
        frame = item_frame(ctx, product, offer)
        frame["group"] = {"price": str(deal.price), "size": deal.size, "hours": deal.hours}
        await self._begin(ctx, frame, title, quote(offer, 1).total.amount)  # alone it costs what its card says

    async def join(self, ctx: TurnContext, group: GroupBuy, members: list[GroupMember]) -> None:
        """A friend joins `group`: its card, then the same questions at the group's price."""
        product = await load_product(ctx, group.product_id)
        if product is None:
            return
        offer = next((o for o in product.offers if o.platform == group.platform), None)
        title = product_title(product, ctx.language)
        if offer is None or offer.stock < 1:
            ctx.say("buy_out_of_stock", title=title)
            return
        ctx.say("group_invited", title=title, price=ctx.money(group.group_price), size=group.size,
                joined=sum(1 for m in members if m.status.value in ("paid", "confirmed")),
                custom=group_card(ctx, group, members, title))
        frame = item_frame(ctx, product, offer)
        frame["group"] = {"price": str(group.group_price), "size": group.size, "group_id": group.group_id}
        await self._begin(ctx, frame, title, quote(offer, 1).total.amount)  # alone it costs what its card says

    async def _begin(self, ctx: TurnContext, frame: dict[str, Any], title: str, single: Decimal) -> None:
        frame["started_at"] = time.time()
        self._absorb(ctx, frame)
        frame.pop("bad_quantity", None)
        saved = ctx.shopper
        if saved is not None and saved.address and saved.phone:
            frame["saved"] = {"address": saved.address, "phone": saved.phone,
                              "receiver_name": saved.receiver_name or saved.display_name or ""}
        group = frame["group"]
        if "group_id" not in group:
            ctx.say("group_starting", title=title, price=ctx.money(Decimal(group["price"])),
                    single=ctx.money(single), size=group["size"], hours=group["hours"])
        ctx.start_flow(self.name, frame)
        await self._ask_next(ctx, frame)

    async def _price(self, ctx: TurnContext, frame: dict[str, Any]) -> bool:
        """The group price for the quantity: a new group's is the offer's now (gone: said), a
        joined group's is the one it started with."""
        offer = await self._offer_now(ctx, frame)
        if offer is None:
            return False
        group = frame["group"]
        if "group_id" not in group:
            if offer.group is None:
                ctx.end_flow(self.name)
                ctx.say("group_none", title=frame["title"])
                return False
            if offer.group.price != Decimal(group["price"]):  # moved since the start: say the new price
                ctx.say("group_price_changed", old=ctx.money(Decimal(group["price"])),
                        new=ctx.money(offer.group.price))
                group.update(price=str(offer.group.price), size=offer.group.size, hours=offer.group.hours)
        price = Decimal(group["price"])
        total = price * int(frame["quantity"])
        frame.update(unit_price=str(price), list_price=str(price), total=str(total), savings="0", promotion="",
                     breakdown=[])
        return True

    def _summary_notes(self, ctx: TurnContext, frame: dict[str, Any]) -> list[str]:
        group = frame["group"]
        return [ctx.t("group_summary", price=ctx.money(Decimal(group["price"])), size=group["size"])]

    async def _place(self, ctx: TurnContext, frame: dict[str, Any]) -> None:
        """Confirmed: the group (new, or the one joined, checked again), the shopper's order at
        the group price and its payment link, and the group card to share."""
        ctx.end_flow(self.name)
        if ctx.shopper is None:
            ctx.say("orders_unavailable")
            return
        groups = ctx.services.group_buys
        info = frame["group"]
        summary = self.summary(frame)
        if frame.get("remember"):
            await ctx.services.shoppers.update_profile(
                ctx.shopper.id, address=frame["address"], phone=frame["phone"], receiver_name=frame["receiver_name"])
        try:
            if "group_id" in info:
                group, _ = await groups.check_join(str(info["group_id"]), ctx.shopper.id)
            else:
                group = await groups.start(
                    product_id=summary["product_id"], platform=summary["platform"],
                    platform_product_id=summary["platform_product_id"], title=summary["title"],
                    group_price=Decimal(info["price"]), currency="CNY", size=int(info["size"]),
                    hours=int(info["hours"]), starter_id=ctx.shopper.id)
        except GroupBuyError as exc:
            join_refusal(ctx, exc)
            return
        line = OrderLine(product_id=summary["product_id"], platform_product_id=summary["platform_product_id"],
                         title=summary["title"], quantity=int(summary["quantity"]),
                         unit_price=group.group_price, variant=summary.get("variant") or {})
        order_summary = OrderSummary(
            shopper_id=ctx.shopper.id, channel=ctx.msg.channel, recipient_id=ctx.msg.sender_id,
            platform=group.platform, lines=(line,), total=group.group_price * line.quantity,
            receiver_name=summary["receiver_name"], phone=summary["phone"], address=summary["address"],
            language=ctx.language, merchant=summary.get("merchant") or "",
            savings=ctx.t("group_savings_label", size=group.size))
        key = f"{ctx.tracker.conversation_id}:group:{group.group_id}:{frame['started_at']}"
        try:
            order, intent = await ctx.services.orders.place(order_summary, key, summary.get("payment_method"))
            await groups.joined(group, order)
        except AlreadyMember as exc:
            join_refusal(ctx, exc)
            return
        except OrderError as exc:
            ctx.say("order_failed", reason=str(exc))
            return
        order_created(ctx, order, intent.pay_url or intent.code_url)
        group, members = await groups.get(group.group_id)
        key_text = "group_started" if group.starter_id == ctx.shopper.id else "group_joined_pay"
        ctx.say(key_text, title=group.title, size=group.size, url=groups.share_url(group.group_id),
                image=groups.qr_url(group.group_id), custom=group_card(ctx, group, members),
                buttons=[Button(ctx.t("button_group_status"), button_payload("group_buy_status", group_id=group.group_id))])


class JoinGroupBuy(Flow):
    """`/join_group_buy{"group_id": …}` (or a group's share link opened): join, or why not."""

    name = "join_group_buy"
    intents = ("join_group_buy",)

    async def start(self, ctx: TurnContext) -> None:
        await join_group(ctx, str(ctx.entity("group_id") or ""))


class GroupBuyStatus(Flow):
    """`/group_buy_status{"group_id": …}`: the group's card as it is now."""

    name = "group_buy_status"
    intents = ("group_buy_status",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        try:
            group, members = await ctx.services.group_buys.get(str(ctx.entity("group_id") or ""))
        except GroupNotFound:
            ctx.say("group_unknown")
            return
        joined = sum(1 for m in members if m.status.value in ("paid", "confirmed"))
        ctx.say(f"group_status_{group.status.value}", title=group.title, joined=joined, size=group.size,
                url=ctx.services.group_buys.share_url(group.group_id), custom=group_card(ctx, group, members))


async def join_group(ctx: TurnContext, group_id: str) -> bool:
    """Open a group to join it; False when there is no such group (the caller may try a share)."""
    groups = ctx.services.group_buys
    try:
        group, members = await groups.get(group_id)
    except GroupNotFound:
        return False
    if ctx.shopper is None:
        ctx.say("orders_unavailable")
        return True
    try:
        group, members = await groups.check_join(group.group_id, ctx.shopper.id)
    except GroupBuyError as exc:
        join_refusal(ctx, exc)
        return True
    await GroupBuyFlow().join(ctx, group, members)
    return True


async def group_buy_trigger(ctx: TurnContext) -> bool:
    """"我想拼团" / "start a group buy for this" in words, before any flow (the NLU has no such
    intent); "参团" without a link asks for the friend's link. A share link that is a group's
    (`/open_share{"share_id": "sg…"}`: the web chat's /?s=, Telegram's start, a WeChat scan) joins it."""
    share_id = str(ctx.entity("share_id") or "")
    if ctx.intent == "open_share" and is_group_id(share_id):
        return await join_group(ctx, share_id)  # no such group: a share id that looks like one, opened as such
    text = ctx.msg.text or ""
    if ctx.intent in GroupBuyFlow.intents + JoinGroupBuy.intents or not says_group_buy(text):
        return False
    if _JOIN.search(text) and not _START.search(text.replace("拼团", "")):
        ctx.say("group_join_how")
        return True
    ctx.parse = replace(ctx.parse, intent=IntentScore("start_group_buy", 1.0))
    if not ctx.entity("product_id") and not ctx.entities("ordinal") and not ctx.slot(CURRENT_PRODUCT):
        ctx.say("group_which")
        return True
    await GroupBuyFlow().start(ctx)
    return True
