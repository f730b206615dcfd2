"""Sharing (issue 18.5): "分享给朋友" / "share this" (or the details' button `/share{"product_id": …}`)
answers with a `share` card: the link and its QR code. Following the link opens the chat on the
product for the friend — the web chat page sends `/open_share{"share_id": …}` for `/?s=<id>`,
Telegram's `/start <id>` does the same — and each opening and each order after it is counted.
"""

from __future__ import annotations

import re
from dataclasses import replace

from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from dialogue.flows.common import CURRENT_PRODUCT, pick_listed
from dialogue.flows.details import ShowDetails, load_product
from dialogue.presentation.products import product_title
from nlu.types import Entity, IntentScore

SHARED_FROM = "shared_from"  # slot: the share a shopper opened, for counting the orders it leads to
_SHARE = re.compile(r"(分享|转发给|发给(我的)?(朋友|好友|家人)|推荐给(朋友|好友)|"
                    r"\bshare\b|send (this|it|that) to (a |my )?(friend|mum|mom|dad|family))", re.IGNORECASE)


def says_share(text: str) -> bool:
    text = text.strip()
    return bool(text) and not text.startswith("/") and bool(_SHARE.search(text))


class ShareProduct(Flow):
    name = "share"
    intents = ("share",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        product_id = ctx.entity("product_id")
        if not product_id and ctx.entities("ordinal"):
            picked, _ = pick_listed(ctx)
            product_id = picked["id"] if picked else None
        if not product_id:
            current = ctx.slot(CURRENT_PRODUCT) or {}
            product_id = current.get("id")
        if not product_id:
            ctx.say("share_which")
            return
        product = await load_product(ctx, str(product_id))
        if product is None:
            return
        sharer = ctx.shopper.id if ctx.shopper is not None else f"conversation:{ctx.tracker.conversation_id}"
        link = await ctx.services.shares.create(product.id, sharer, ctx.msg.channel)
        ctx.say("share_link", title=product_title(product, ctx.language), url=link.url, image=link.qr_url,
                custom={"type": "share", "url": link.url, "qr_url": link.qr_url, "product_id": product.id,
                        "share_id": link.share_id})


class OpenShare(Flow):
    name = "open_share"
    intents = ("open_share",)

    async def start(self, ctx: TurnContext) -> None:
        share_id = str(ctx.entity("share_id") or "")
        product_id = await ctx.services.shares.open(share_id) if share_id else None
        if product_id is None:
            ctx.say("share_unknown")
            return
        ctx.set_slot(SHARED_FROM, {"share_id": share_id, "product_id": product_id})
        ctx.say("share_opened")
        entity = Entity("product_id", product_id, 0, 0, product_id)
        ctx.parse = replace(ctx.parse, intent=IntentScore("show_details", 1.0), entities=(entity,))
        await ShowDetails().start(ctx)


async def share_trigger(ctx: TurnContext) -> bool:
    """"分享" / "share this" in words, before any flow (the NLU has no share intent)."""
    if ctx.intent in ("share", "open_share") or not says_share(ctx.msg.text or ""):
        return False
    ctx.parse = replace(ctx.parse, intent=IntentScore("share", 1.0))
    await ShareProduct().start(ctx)
    return True


async def count_shared_order(ctx: TurnContext, order_id: str, product_ids: list[str]) -> None:
    """An order placed after opening a share of one of its products counts for that share."""
    shared = ctx.slot(SHARED_FROM) or {}
    if shared.get("product_id") in product_ids:
        await ctx.services.shares.order_placed(str(shared["share_id"]), order_id)
