"""Checkout (issue 18.2): "结算" / "check out" → one summary of the cart, store by store → one
payment → one order per store (platform and merchant), each with its own shipment.

The questions after the cart are the buy flow's (saved address or a new one, name, phone,
remember it, payment method) with its corrections and help; only what is bought differs: the
cart as it is priced now (`shop.pricing.quote_cart`: a store's 满减, 跨店满减 and coupon once
for its lines together). Lines delisted or out of stock are left out and said so. The cart is
priced again when the shopper confirms: a price that moved since the summary shows the new
summary to confirm instead of charging what the shopper did not see.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from decimal import Decimal
from typing import Any

from dialogue.context import TurnContext
from dialogue.flows.buy import Buy
from dialogue.flows.cart import Cart, _owner, priced_cart
from dialogue.flows.search import platform_label
from dialogue.flows.share import count_shared_order
from dialogue.messages import Button
from dialogue.presentation.cart import hint_text
from dialogue.presentation.orders import order_payload
from dialogue.presentation.prices import discount_label
from nlu.types import IntentScore
from shop.cart import LineNotFound, PricedCart
from shop.orders import OrderError, OrderLine, OrderSummary
from shop.ports import MarketplaceError

_CHECKOUT = re.compile(r"(^(去|我要|帮我|现在|那就|好,?)?(结算|结账|买单)(吧|一下|了)?[!!。.~]*$|购物车.{0,6}(结算|结账|下单|都买|全买)|"
                       r"(结算|结账).{0,3}购物车|^\s*(let'?s |i want to |i'?d like to )?check ?out\b|"
                       r"check ?out (my |the )?(cart|basket)|proceed to checkout|"
                       r"buy (everything|all|what'?s) in (my |the )?(cart|basket))", re.IGNORECASE)


def _join(ctx: TurnContext, words: list[str]) -> str:
    return ("、" if ctx.language == "zh" else ", ").join(words)


def says_checkout(text: str) -> bool:
    text = text.strip()
    return bool(text) and not text.startswith("/") and bool(_CHECKOUT.search(text))


def _stores(cart: PricedCart, language: str) -> list[dict[str, Any]]:
    """The cart's live lines as one order per store (money as decimal strings)."""
    out: list[dict[str, Any]] = []
    by_key = {e.line.line_id: e for e in cart.lines}
    for store in cart.stores:
        if store.quote is None:
            continue
        lines = []
        for item in store.quote.items:
            entry = by_key[item.key]
            lines.append({"line_id": item.key, "product_id": entry.line.product_id,
                          "platform_product_id": item.offer.platform_product_id, "title": entry.line.title,
                          "quantity": item.quantity, "list_price": str(item.offer.price),
                          "total": str(entry.total), "variant": entry.line.variant_dict})
        labels = [discount_label(d, language) for q in store.quote.item_quotes for d in q.discounts]
        labels += [discount_label(d, language) for d in store.quote.discounts]
        out.append({"platform": store.platform, "merchant": store.merchant, "lines": lines,
                    "total": str(store.subtotal), "savings": str(store.savings),
                    "promotion": " + ".join(dict.fromkeys(labels)),
                    "hint": hint_text(store.hint, language) if store.hint else None})
    return out


class Checkout(Buy):
    name = "checkout"
    intents = ("checkout",)

    async def start(self, ctx: TurnContext) -> None:
        if ctx.shopper is None:
            ctx.say("orders_unavailable")
            return
        cart = await priced_cart(ctx)
        if not cart.lines:
            ctx.say("checkout_empty")
            return
        if not cart.available:
            ctx.say("checkout_nothing_available", buttons=[Button(ctx.t("button_show_cart"), "/show_cart")])
            return
        frame: dict[str, Any] = {"title": "", "platform": "", "variants": {}, "chosen": {}, "quantity": 1,
                                 "started_at": time.time(), "misses": 0}
        saved = ctx.shopper
        if saved.address and saved.phone:
            frame["saved"] = {"address": saved.address, "phone": saved.phone,
                              "receiver_name": saved.receiver_name or saved.display_name or ""}
        gone = [e.line.title for e in cart.lines if not e.available]
        if gone:
            ctx.say("checkout_left_out", titles=_join(ctx, gone))
        self._absorb(ctx, frame)
        ctx.start_flow(self.name, frame)
        await self._ask_next(ctx, frame)

    def _absorb(self, ctx: TurnContext, frame: dict[str, Any], *, change: bool = False) -> list[str]:
        """Only the payment method: the quantities are the cart's ("改成3件" changes the cart)."""
        changed = super()._absorb(ctx, frame, change=change)
        frame["quantity"] = 1
        frame.pop("bad_quantity", None)
        return [c for c in changed if c == "payment_method"]

    async def _switch_platform(self, ctx: TurnContext, frame: dict[str, Any], platform: str) -> bool:
        return False  # each line keeps its platform; the cart changes that

    async def _price(self, ctx: TurnContext, frame: dict[str, Any]) -> bool:
        """The cart as it is now; False (and the flow ended) when nothing in it can be bought."""
        cart = await priced_cart(ctx)
        if not cart.available:
            ctx.end_flow(self.name)
            ctx.say("checkout_empty" if not cart.lines else "checkout_nothing_available")
            return False
        frame["stores"] = _stores(cart, ctx.language)
        await self._label_variants(ctx, frame["stores"])
        frame["total"] = str(cart.total)
        frame["savings"] = str(cart.savings)
        return True

    @staticmethod
    async def _label_variants(ctx: TurnContext, stores: list[dict[str, Any]]) -> None:
        """Each line's variant as the shopper reads it (the catalog's option stays in `variant`)."""
        labels: dict[str, dict[str, dict[str, str]]] = {}
        for store in stores:
            for line in store["lines"]:
                pid = line["product_id"]
                if pid not in labels:
                    try:
                        product = await ctx.services.search.get_product(pid)
                    except MarketplaceError:
                        product = None
                    labels[pid] = product.variant_labels(ctx.language) if product is not None else {}
                line["variant_shown"] = [labels[pid].get(dim, {}).get(option, option)
                                         for dim, option in line["variant"].items()]

    def _summary(self, ctx: TurnContext, frame: dict[str, Any], changed: list[str] | None = None) -> None:
        marks = [ctx.t(f"changed_{c.split(':')[0]}") for c in changed or [] if not c.startswith("ask:")]
        joiner = "、" if ctx.language == "zh" else ", "
        stores = frame["stores"]
        lines = [ctx.t("summary_changed", what=joiner.join(marks)) if marks else
                 ctx.t("checkout_title", stores=len(stores), orders=len(stores))]
        for n, store in enumerate(stores, 1):
            merchant = f" · {store['merchant']}" if ctx.language == "zh" and store["merchant"] else ""
            lines.append(ctx.t("checkout_store", n=n, platform=platform_label(store["platform"], ctx.language),
                               merchant=merchant, total=ctx.money(store["total"])))
            for line in store["lines"]:
                variant = " ".join(line.get("variant_shown") or line["variant"].values())
                lines.append(ctx.t("checkout_item", title=line["title"], variant=f" {variant}" if variant else "",
                                   quantity=line["quantity"], total=ctx.money(line["total"])))
            if Decimal(store["savings"]) > 0:
                lines.append(ctx.t("checkout_store_savings", savings=ctx.money(store["savings"]),
                                   promotion=store["promotion"]))
            if store.get("hint"):
                lines.append("  " + store["hint"])
        if Decimal(frame["savings"]) > 0:
            lines.append(ctx.t("checkout_total_saved", total=ctx.money(frame["total"]), savings=ctx.money(frame["savings"])))
        else:
            lines.append(ctx.t("checkout_total", total=ctx.money(frame["total"])))
        lines.append(ctx.t("summary_shipping", name=frame["receiver_name"], phone=frame["phone"],
                           address=frame["address"]))
        lines.append(ctx.t("summary_payment", method=ctx.t(f"pay_{frame['payment_method']}")))
        lines.append(ctx.t("checkout_confirm", orders=len(stores)))
        ctx.say_lines(lines, buttons=[Button(ctx.t("button_confirm"), "/affirm"),
                                      Button(ctx.t("button_cancel"), "/cancel")])

    async def _place(self, ctx: TurnContext, frame: dict[str, Any]) -> None:
        """Confirmed: price the cart again (a moved price is shown before anything is charged),
        then one order per store and one payment; the bought lines leave the cart."""
        shown = (frame.get("total"), [[(ln["line_id"], ln["total"]) for ln in s["lines"]] for s in frame["stores"]])
        if not await self._price(ctx, frame):
            return
        now = (frame["total"], [[(ln["line_id"], ln["total"]) for ln in s["lines"]] for s in frame["stores"]])
        if now != shown:
            frame["awaiting"] = "confirm"
            ctx.update_frame(self.name, frame)
            ctx.say("checkout_price_moved")
            self._summary(ctx, frame)
            return
        ctx.end_flow(self.name)
        assert ctx.shopper is not None
        if frame.get("remember"):
            await ctx.services.shoppers.update_profile(
                ctx.shopper.id, address=frame["address"], phone=frame["phone"], receiver_name=frame["receiver_name"])
        summaries = [
            OrderSummary(
                shopper_id=ctx.shopper.id, channel=ctx.msg.channel, recipient_id=ctx.msg.sender_id,
                platform=store["platform"], merchant=store["merchant"],
                lines=tuple(OrderLine(product_id=ln["product_id"], platform_product_id=ln["platform_product_id"],
                                      title=ln["title"], quantity=int(ln["quantity"]),
                                      unit_price=Decimal(ln["list_price"]), variant=ln["variant"])
                            for ln in store["lines"]),
                total=Decimal(store["total"]), receiver_name=frame["receiver_name"], phone=frame["phone"],
                address=frame["address"], language=ctx.language, savings=store["promotion"])
            for store in frame["stores"]]
        try:
            orders, intent = await ctx.services.orders.place_checkout(
                summaries, f"{ctx.tracker.conversation_id}:checkout:{frame['started_at']}", frame.get("payment_method"))
        except OrderError as exc:
            ctx.say("order_failed", reason=str(exc))
            return
        for order in orders:
            await count_shared_order(ctx, order.id, [line.product_id for line in order.lines])
        owner = _owner(ctx)
        for store in frame["stores"]:
            for ln in store["lines"]:
                try:
                    await ctx.services.cart.remove(owner, ln["line_id"])
                except LineNotFound:  # removed meanwhile (another device)
                    continue
        url = intent.pay_url or intent.code_url or ""
        total = sum((o.total for o in orders), Decimal(0))
        ids = _join(ctx, [o.id for o in orders])
        for order in orders:
            ctx.say("checkout_order", order_id=order.id, platform=platform_label(order.platform, ctx.language),
                    total=ctx.money(order.total), custom=order_payload(order, url, ctx.language))
        ctx.say("checkout_created", n=len(orders), order_ids=ids, total=ctx.money(total), url=url,
                buttons=[Button(ctx.t("button_my_orders"), "/check_order")])


async def checkout_trigger(ctx: TurnContext) -> bool:
    """"结算" / "check out" in words or the cart's `/checkout` button, before any flow (as the
    cart's requests are); True when it answered the turn. Checking out again starts over."""
    if ctx.intent != "checkout" and not says_checkout(ctx.msg.text or ""):
        return False
    if ctx.intent != "checkout":
        ctx.parse = replace(ctx.parse, intent=IntentScore("checkout", 1.0))
    checkout = Checkout()
    if ctx.active_frame is not None and ctx.active_frame.flow in (checkout.name, Cart.name):
        ctx.end_flow(ctx.active_frame.flow)
    await checkout.start(ctx)
    return True
