"""The cart (issue 18.1): add from a list, a card or details, show, change a quantity, remove, clear.

Cart requests come in words ("加入购物车", "add the JD one to my cart", "我的购物车", "清空购物车")
or from buttons (`/add_to_cart{"product_id": …}`, `/cart_set_quantity{"line_id": …, "quantity": n}`,
`/cart_remove{"line_id": …}`, `/show_cart`, `/cart_clear`). The NLU has no cart intent; the words
are recognised by `cart_trigger` before any flow, whatever intent the NLU saw (usually `buy`).
Adding a product with variants asks for each, as the buy flow does (the same question and
buttons); a variant or quantity given in the same message fills its step.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any

from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from dialogue.flows.buy import MAX_QUANTITY, parse_quantity
from dialogue.flows.common import listed, ordinal_index
from dialogue.flows.search import platform_label
from dialogue.flows.variants import ask_variant, close_to, item_frame, pick_product, take_variants
from dialogue.messages import Button
from dialogue.ordinals import ordinal_answer
from dialogue.presentation.cart import cart_payload, hint_text
from dialogue.presentation.products import merchant_name, product_title, variant_shown
from nlu.types import IntentScore
from shop.cart import BadQuantity, CartFull, LineNotFound, PricedCart, price_cart
from shop.catalog import Offer
from shop.ports import MarketplaceError
from shop.pricing import best_quote
from shop.topup import AddOn

ADD_ON_CANDIDATES = 10  # listed products looked at as 凑单 add-ons
CART_INTENTS = ("add_to_cart", "show_cart", "cart_set_quantity", "cart_remove", "cart_clear")
_CLEAR = re.compile(r"(清空(一下)?(我的)?购物车|购物车.{0,3}清空|(empty|clear)( out)? (my |the )?(shopping )?(cart|basket))",
                    re.IGNORECASE)
_REMOVE = re.compile(r"(从购物车(里|中)?(删|移|去|拿)|(删|移除|去掉|拿掉).{0,10}购物车|购物车.{0,10}(删|移除|去掉|拿掉)|"
                     r"(remove|delete|take)\b.{0,40}\b(from|out of|in) (my |the )?(cart|basket))", re.IGNORECASE)
_SET = re.compile(r"(购物车.{0,12}(改成|改为|换成|改到)|(change|set|make)\b.{0,40}\b(cart|basket)\b.{0,20}\bto\b)", re.IGNORECASE)
_ADD = re.compile(r"((加入|加到|加进|放进|放入|放到|添加到|加)(我的)?购物车|加购|"
                  r"\b(add|put|throw)\b.{0,60}\b(to|in|into) (my |the )?(shopping )?(cart|basket))", re.IGNORECASE)
_SHOW = re.compile(r"(^(我的|看看|看一下|查看|打开)?购物车(里)?(有什么|有啥|都有什么|呢)?[??]?$|购物车里(有什么|有啥)|"
                   r"\b(show|view|open|see)( me)? (my |the )?(shopping )?(cart|basket)\b|what'?s in (my |the )?(cart|basket)|"
                   r"^(my )?(shopping )?(cart|basket)[?]?$)", re.IGNORECASE)
_NUMBER_AFTER = re.compile(r"(改成|改为|换成|改到|\bto\b)\s*(\d+)")


def cart_intent_of(text: str) -> str | None:
    """The cart request a message makes in words, or None."""
    text = text.strip()
    if not text or text.startswith("/"):
        return None
    for pattern, intent in ((_CLEAR, "cart_clear"), (_REMOVE, "cart_remove"), (_SET, "cart_set_quantity"),
                            (_ADD, "add_to_cart"), (_SHOW, "show_cart")):
        if pattern.search(text):
            return intent
    return None


def _owner(ctx: TurnContext) -> str:
    """Whose cart: the shopper (across channels), else this conversation."""
    return ctx.shopper.id if ctx.shopper is not None else f"conversation:{ctx.tracker.conversation_id}"


async def priced_cart(ctx: TurnContext) -> PricedCart:
    """The shopper's cart with each line quoted on its offer as it is now; the products last
    listed are the 凑单 add-on candidates besides one more of a line."""
    lines = await ctx.services.cart.lines(_owner(ctx))
    in_cart = {line.product_id for line in lines}
    shown = [str(i["id"]) for i in listed(ctx)[:ADD_ON_CANDIDATES] if i.get("id") and i["id"] not in in_cart] \
        if lines else []
    ids = sorted(in_cart) + shown

    async def fetch(pid: str) -> Any:
        try:
            return await ctx.services.search.get_product(pid)
        except MarketplaceError:
            return None

    products = await asyncio.gather(*(fetch(pid) for pid in ids))
    offers: dict[tuple[str, str], Offer] = {}
    candidates: list[AddOn] = []
    for product in products:
        for offer in getattr(product, "offers", ()) or ():
            offers[(product.id, offer.platform)] = offer
            if product.id not in in_cart and offer.stock > 0:
                candidates.append(AddOn(product.id, product_title(product, ctx.language), offer))
    return price_cart(lines, offers, candidates=candidates)


def _variant_text(variant: dict[str, str], language: str) -> str:
    return variant_shown(variant, language)


class Cart(Flow):
    name = "cart"
    intents = CART_INTENTS
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        intent = ctx.intent
        if intent == "add_to_cart":
            await self._add(ctx)
        elif intent == "show_cart":
            await self.show(ctx)
        elif intent == "cart_clear":
            count = await ctx.services.cart.clear(_owner(ctx))
            ctx.say("cart_cleared" if count else "cart_empty")
        elif intent in ("cart_remove", "cart_set_quantity"):
            await self._change(ctx, intent)

    # --- show ------------------------------------------------------------------------
    async def show(self, ctx: TurnContext, first: str | None = None) -> None:
        cart = await priced_cart(ctx)
        lines = [first] if first else []
        if not cart.lines:
            lines.append(ctx.t("cart_empty"))
            ctx.say_lines(lines, custom=cart_payload(cart, ctx.language))
            return
        lines.append(ctx.t("cart_title", count=sum(e.line.quantity for e in cart.lines)))
        for i, entry in enumerate(cart.lines, 1):
            line = entry.line
            variant = _variant_text(line.variant_dict, ctx.language)
            platform = platform_label(line.platform, ctx.language)
            if entry.available and entry.total is not None:
                lines.append(ctx.t("cart_line", n=i, title=line.title, variant=ctx.t("cart_variant", variant=variant) if variant else "",
                                   quantity=line.quantity, platform=platform, price=ctx.money(entry.unit_price),
                                   total=ctx.money(entry.total)))
            else:
                lines.append(ctx.t("cart_line_unavailable", n=i, title=line.title, platform=platform))
        for store in cart.stores:
            lines.append(ctx.t("cart_store", platform=platform_label(store.platform, ctx.language),
                               merchant=merchant_name(store.merchant, ctx.language), subtotal=ctx.money(store.subtotal)))
            if store.hint is not None:
                lines.append("  " + hint_text(store.hint, ctx.language))
        if cart.savings.amount > 0:
            lines.append(ctx.t("cart_total_saved", total=ctx.money(cart.total), savings=ctx.money(cart.savings)))
        else:
            lines.append(ctx.t("cart_total", total=ctx.money(cart.total)))
        buttons = [Button(ctx.t("button_checkout"), "/checkout"), Button(ctx.t("button_cart_clear"), "/cart_clear")] \
            if cart.available else [Button(ctx.t("button_cart_clear"), "/cart_clear")]
        ctx.say_lines(lines, buttons=buttons, custom=cart_payload(cart, ctx.language))

    # --- change, remove --------------------------------------------------------------
    async def _change(self, ctx: TurnContext, intent: str) -> None:
        repo, owner = ctx.services.cart, _owner(ctx)
        line_id = ctx.entity("line_id")
        if not line_id:
            lines = await repo.lines(owner)
            if not lines:
                ctx.say("cart_empty")
                return
            ordinals = ctx.entities("ordinal")
            idx = ordinal_index(ordinals[0], len(lines)) if ordinals else (0 if len(lines) == 1 else None)
            if idx is None:
                ctx.say("cart_which_line")
                await self.show(ctx)
                return
            line_id = lines[idx].line_id
        try:
            if intent == "cart_remove":
                removed = await repo.remove(owner, str(line_id))
                await self.show(ctx, ctx.t("cart_removed", title=removed.title))
                return
            quantity = self._new_quantity(ctx)
            if quantity == 0:
                removed = await repo.remove(owner, str(line_id))
                await self.show(ctx, ctx.t("cart_removed", title=removed.title))
                return
            if quantity is None:
                ctx.say("cart_bad_quantity", max=MAX_QUANTITY)
                return
            changed = await repo.set_quantity(owner, str(line_id), quantity)
        except LineNotFound:
            ctx.say("cart_line_gone")
            return
        except BadQuantity:
            ctx.say("cart_bad_quantity", max=MAX_QUANTITY)
            return
        await self.show(ctx, ctx.t("cart_quantity_set", title=changed.title, quantity=changed.quantity))

    @staticmethod
    def _new_quantity(ctx: TurnContext) -> int | None:
        """The quantity asked for: 0 removes the line; None when missing or out of range."""
        value = ctx.entity("quantity")
        m = _NUMBER_AFTER.search(ctx.msg.text or "") if not (ctx.msg.text or "").startswith("/") else None
        if m:
            value = m.group(2)
        try:
            n = int(value)
        except (TypeError, ValueError):
            return None
        return n if 0 <= n <= MAX_QUANTITY else None

    # --- add -------------------------------------------------------------------------
    async def _add(self, ctx: TurnContext) -> None:
        product = await pick_product(ctx, "cart_add_which", "cart_add_nothing")
        if product is None:
            return
        platform = ctx.entity("platform")
        offers = [o for o in product.offers if o.stock > 0 and (platform is None or o.platform == platform)]
        if platform is not None and not offers:
            ctx.say("platform_not_offered", platform=platform_label(str(platform), ctx.language))
            return
        best = best_quote(offers)
        if best is None:
            ctx.say("buy_out_of_stock", title=product_title(product, ctx.language))
            return
        frame = item_frame(ctx, product, best[0])
        qty = parse_quantity(ctx, bare=False)
        if qty == "invalid":
            ctx.say("cart_bad_quantity", max=MAX_QUANTITY)
            return
        if isinstance(qty, int):
            frame["quantity"] = qty
        take_variants(ctx, frame)
        await self._next(ctx, frame, started=False)

    async def _next(self, ctx: TurnContext, frame: dict[str, Any], *, started: bool) -> None:
        missing = next((d for d in frame["variants"] if d not in frame["chosen"]), None)
        if missing is not None:
            frame["awaiting"] = missing
            if started:
                ctx.update_frame(self.name, frame)
            else:
                ctx.start_flow(self.name, frame)
            ask_variant(ctx, frame, missing)
            return
        if started:
            ctx.end_flow(self.name)
        await self._put(ctx, frame)

    async def _put(self, ctx: TurnContext, frame: dict[str, Any]) -> None:
        try:
            line = await ctx.services.cart.add(_owner(ctx), frame["product_id"], frame["platform"], frame["title"],
                                               frame["chosen"], int(frame["quantity"]))
        except CartFull:
            ctx.say("cart_full")
            return
        except BadQuantity:
            ctx.say("cart_bad_quantity", max=MAX_QUANTITY)
            return
        cart = await priced_cart(ctx)
        entry = next((e for e in cart.lines if e.line.line_id == line.line_id), None)
        variant = _variant_text(line.variant_dict, ctx.language)
        price = ctx.money(entry.unit_price) if entry is not None and entry.unit_price is not None else "-"
        ctx.say("cart_added", title=line.title, variant=ctx.t("cart_variant", variant=variant) if variant else "", quantity=line.quantity,
                platform=platform_label(line.platform, ctx.language), price=price,
                count=sum(e.line.quantity for e in cart.lines), total=ctx.money(cart.total),
                buttons=[Button(ctx.t("button_show_cart"), "/show_cart")],
                custom=cart_payload(cart, ctx.language))

    # --- a pending variant question --------------------------------------------------
    async def resume(self, ctx: TurnContext) -> bool:
        active = ctx.active_frame
        if active is None or active.flow != self.name:
            return False
        frame = dict(active.frame)
        dim = frame.get("awaiting")
        if not dim:
            ctx.end_flow(self.name)
            return False
        if take_variants(ctx, frame):
            await self._next(ctx, frame, started=True)
            return True
        idx = ordinal_answer(ctx.msg.text or "", len(frame["variants"][dim]))
        if idx is not None:  # "the first one", "2", "第二个": that option
            frame["chosen"][dim] = frame["variants"][dim][idx]
            await self._next(ctx, frame, started=True)
            return True
        close = close_to(frame, dim, ctx.msg.text or "")
        if len(close) == 1:
            frame["chosen"][dim] = close[0]
            await self._next(ctx, frame, started=True)
            return True
        if ctx.intent not in ("inform", "nlu_fallback", "out_of_scope", "affirm"):
            return False  # something else: the engine handles it (details, orders: then back here; a search replaces it)
        if int(frame.get("misses", 0)) >= 2:
            ctx.end_flow(self.name)  # asked twice already: the add is dropped rather than asked a third time
            return False
        frame["misses"] = int(frame.get("misses", 0)) + 1
        ctx.update_frame(self.name, frame)
        ask_variant(ctx, frame, dim, close or None)
        return True

    async def reprompt(self, ctx: TurnContext) -> None:
        frame = ctx.active_frame.frame if ctx.active_frame else {}
        if frame.get("awaiting"):
            ask_variant(ctx, dict(frame), frame["awaiting"])


async def cart_trigger(ctx: TurnContext) -> bool:
    """Cart requests in words or from buttons, before any flow (so a pending question elsewhere
    stays where it was); True when it answered the turn."""
    intent = ctx.intent if ctx.intent in CART_INTENTS else cart_intent_of(ctx.msg.text or "")
    if intent is None:
        return False
    if intent != ctx.intent:
        ctx.parse = replace(ctx.parse, intent=IntentScore(intent, 1.0))
    flow = Cart()
    if intent == "add_to_cart":
        if ctx.active_frame is not None and ctx.active_frame.flow == flow.name:
            ctx.end_flow(flow.name)  # a new item for the cart replaces a pending variant question
    else:
        ctx.aside = True  # showing or changing the cart leaves a pending question (colour, address) pending
    await flow.start(ctx)
    return True
