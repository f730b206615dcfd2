"""Buy: item → variants → quantity → address, name, phone → payment method → summary → confirm.

Each step asks only for what is still missing; entities given at any point (买两台, 用支付宝,
黑色) fill their step. The confirmed summary becomes an order when the orders service is
wired (the order flow answers with the order and its payment link).
"""

from __future__ import annotations

import re
import time
from typing import Any

from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from dialogue.flows.common import CURRENT_PRODUCT
from dialogue.flows.details import load_product, product_in_question
from dialogue.flows.orders import place_order
from dialogue.flows.search import platform_label
from dialogue.messages import Button, button_payload
from dialogue.presentation.prices import price_breakdown, promotion_text
from shop.pricing import best_quote, quote

MAX_QUANTITY = 99
PAYMENT_METHODS = ("wechat_pay", "alipay", "card")
FREE_TEXT_INTENTS = {"inform", "nlu_fallback", "out_of_scope", "greet", "affirm", "search_product", "buy",
                     "refine_search", "show_details", "register", "thank"}
DIGRESSION_INTENTS = {"track_shipment", "check_order", "check_ticket", "help", "human_handoff",
                      "list_price_alerts", "show_details", "compare_products", "recommend", "goodbye"}
_ADDRESS_HINT = re.compile(r"(省|市|区|县|镇|路|街|道|号|村|巷|弄|栋|室|楼|"
                           r"\b(street|st|road|rd|avenue|ave|lane|ln|apt|building|district|city|no\.?)\b)", re.IGNORECASE)
_DIGITS_ONLY = re.compile(r"[\d\s+()-]+")
_PHONE_ZH = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_PHONE_ANY = re.compile(r"(?<!\d)(\+?\d[\d\s-]{6,18}\d)(?!\d)")
# Colour words shoppers write in English, for variant options the catalog names in Chinese.
COLOUR_WORDS = {"black": "黑", "white": "白", "blue": "蓝", "green": "绿", "red": "红", "grey": "灰", "gray": "灰",
                "silver": "银", "gold": "金", "pink": "粉", "purple": "紫", "yellow": "黄", "orange": "橙",
                "brown": "棕", "beige": "米", "navy": "藏青", "titanium": "钛"}
_NUMBER_WORDS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
                 "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10}


def match_option(said: str, options: list[str]) -> str | None:
    """The variant option a shopper's words name: exactly, inside a short message, or by colour word."""
    text = said.strip().lower()
    if not text or len(text) > 40:
        return None
    for option in options:
        if option.lower() == text or option.lower() in text:
            return option
    for word, zh in COLOUR_WORDS.items():
        if re.search(rf"\b{word}\b", text):
            found = [o for o in options if zh in o]
            if len(found) == 1:
                return found[0]
    return None


def parse_phone(ctx: TurnContext) -> str | None:
    value = ctx.entity("phone")
    text = str(value) if value else (ctx.msg.text or "")
    compact = re.sub(r"[\s-]", "", text)
    m = _PHONE_ZH.search(compact)
    if m:
        return m.group(1)
    if ctx.language == "en":
        m = _PHONE_ANY.search(text)
        if m:
            digits = re.sub(r"[^\d+]", "", m.group(1))
            if 7 <= len(digits.lstrip("+")) <= 15:
                return digits
    return None


def parse_quantity(ctx: TurnContext, *, bare: bool) -> int | None | str:
    """The quantity asked for; "invalid" when one was given but is not a sensible number."""
    value = ctx.entity("quantity")
    if value is None and bare:
        text = (ctx.msg.text or "").strip().lower()
        if text.isdigit():
            value = int(text)
        elif text in _NUMBER_WORDS:
            value = _NUMBER_WORDS[text]
        elif text:
            return "invalid"
    if value is None:
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        return "invalid"
    return n if 1 <= n <= MAX_QUANTITY else "invalid"


class Buy(Flow):
    name = "buy"
    intents = ("buy",)

    @staticmethod
    def _link(ctx: TurnContext, product_id: str, title: str, offers: list[Any]) -> None:
        """The item link of the best offer, for a platform that takes orders only on its own site."""
        found = best_quote(offers)
        assert found is not None
        offer, price = found
        ctx.say("buy_on_platform", title=title, platform=platform_label(offer.platform, ctx.language),
                price=ctx.money(price.total), url=offer.url,
                buttons=[Button(ctx.t("button_alert"), button_payload("set_price_alert", product_id=product_id))])

    async def start(self, ctx: TurnContext) -> None:
        product = await product_in_question(ctx, "buy_which", "buy_nothing_listed")
        if product is None:
            return
        platform = ctx.entity("platform")
        orderable = [o for o in product.offers if ctx.services.search.can_order(o.platform)]
        offers = [o for o in orderable if o.stock > 0 and (platform is None or o.platform == platform)]
        best = best_quote(offers or [o for o in orderable if o.stock > 0])
        if best is None:
            linked = [o for o in product.offers if o not in orderable and o.url]
            if linked:  # platforms we may only link to: the shopper buys there
                self._link(ctx, product.id, product.title_en if ctx.language == "en" and product.title_en else product.title,
                           [o for o in linked if platform is None or o.platform == platform] or linked)
                return
            ctx.say("buy_out_of_stock", title=product.title)
            return
        offer = best[0]
        title = product.title_en if ctx.language == "en" and product.title_en else product.title
        ctx.set_slot(CURRENT_PRODUCT, {"id": product.id, "title": title, "brand": product.brand})
        frame: dict[str, Any] = {
            "product_id": product.id, "title": title, "platform": offer.platform,
            "platform_product_id": offer.platform_product_id, "stock": offer.stock, "merchant": offer.merchant,
            "variants": {k: list(v) for k, v in product.variants.items() if len(v) > 1},
            "chosen": {k: v[0] for k, v in product.variants.items() if len(v) == 1},
            "quantity": 1, "started_at": time.time(), "misses": 0,
        }
        self._absorb(ctx, frame)
        if frame.get("bad_quantity"):
            frame.pop("bad_quantity")
        saved = ctx.shopper
        if saved is not None and saved.address and saved.phone:
            frame["saved"] = {"address": saved.address, "phone": saved.phone,
                              "receiver_name": saved.receiver_name or saved.display_name or ""}
        ctx.start_flow(self.name, frame)
        await self._ask_next(ctx, frame)

    # --- steps -----------------------------------------------------------------------------
    def _absorb(self, ctx: TurnContext, frame: dict[str, Any]) -> None:
        """Take whatever the message says about any step (quantity, variant, payment, phone)."""
        qty = parse_quantity(ctx, bare=False)
        if isinstance(qty, int):
            frame["quantity"] = min(qty, max(1, int(frame.get("stock") or MAX_QUANTITY)))
        elif qty == "invalid":
            frame["bad_quantity"] = True
        for attr in [str(a) for a in ctx.entities("attribute")] + [ctx.msg.text or ""]:
            for dim, options in frame["variants"].items():
                if dim in frame["chosen"]:
                    continue
                option = match_option(attr, options)
                if option is not None:
                    frame["chosen"][dim] = option
        method = ctx.entity("payment_method")
        if method in PAYMENT_METHODS:
            frame["payment_method"] = method

    def _missing(self, frame: dict[str, Any]) -> str | None:
        for dim in frame["variants"]:
            if dim not in frame["chosen"]:
                return f"variant:{dim}"
        if "address" not in frame:
            return "use_saved" if frame.get("saved") and "use_saved" not in frame else "address"
        if not frame.get("receiver_name"):
            return "receiver_name"
        if "phone" not in frame:
            return "phone"
        if "remember" not in frame:
            return "remember"
        if "payment_method" not in frame:
            return "payment_method"
        return "confirm"

    async def _ask_next(self, ctx: TurnContext, frame: dict[str, Any]) -> None:
        step = self._missing(frame)
        if step == "confirm" and not await self._price(ctx, frame):
            return
        frame["awaiting"] = step
        ctx.update_frame(self.name, frame)
        await self._ask(ctx, frame, step or "confirm")

    async def _ask(self, ctx: TurnContext, frame: dict[str, Any], step: str) -> None:
        if step.startswith("variant:"):
            dim = step.split(":", 1)[1]
            label = ctx.t(f"variant_{dim}") if dim in ("colour", "size", "storage") else dim
            ctx.say("ask_variant", dimension=label, title=frame["title"], buttons=[
                Button(o, button_payload("inform", attribute=o)) for o in frame["variants"][dim][:8]])
        elif step == "use_saved":
            s = frame["saved"]
            ctx.say("ask_use_saved", address=s["address"], phone=s["phone"], name=s["receiver_name"],
                    buttons=[Button(ctx.t("button_yes"), "/affirm"), Button(ctx.t("button_new_address"), "/deny")])
        elif step == "address":
            ctx.say("ask_address")
        elif step == "receiver_name":
            ctx.say("ask_receiver_name")
        elif step == "phone":
            ctx.say("ask_phone")
        elif step == "remember":
            ctx.say("ask_remember", buttons=[Button(ctx.t("button_yes"), "/affirm"),
                                             Button(ctx.t("button_no"), "/deny")])
        elif step == "payment_method":
            ctx.say("ask_payment", buttons=[
                Button(ctx.t("pay_wechat_pay"), '/inform{"payment_method": "wechat_pay"}'),
                Button(ctx.t("pay_alipay"), '/inform{"payment_method": "alipay"}'),
                Button(ctx.t("pay_card"), '/inform{"payment_method": "card"}')])
        else:
            self._summary(ctx, frame)

    def _summary(self, ctx: TurnContext, frame: dict[str, Any]) -> None:
        summary = self.summary(frame)
        variant = " ".join(frame["chosen"].values())
        lines = [ctx.t("summary_title"),
                 ctx.t("summary_item", title=frame["title"], variant=variant, quantity=frame["quantity"],
                       platform=platform_label(frame["platform"], ctx.language)),
                 ctx.t("summary_price", unit=ctx.money(summary["unit_price"]), total=ctx.money(summary["total"]))]
        if summary["promotion"]:
            lines.append(ctx.t("summary_savings", savings=ctx.money(summary["savings"]),
                               promotion=summary["promotion"]))
        lines.append(ctx.t("summary_shipping", name=frame["receiver_name"], phone=frame["phone"],
                           address=frame["address"]))
        lines.append(ctx.t("summary_payment", method=ctx.t(f"pay_{frame['payment_method']}")))
        lines.append(ctx.t("summary_confirm"))
        ctx.say_lines(lines, buttons=[Button(ctx.t("button_confirm"), "/affirm"),
                                      Button(ctx.t("button_cancel"), "/cancel")])

    @staticmethod
    def summary(frame: dict[str, Any]) -> dict[str, Any]:
        """The confirmed summary an order is made from (money as Decimal strings)."""
        keys = ("product_id", "title", "platform", "platform_product_id", "quantity", "unit_price", "list_price",
                "total", "savings", "promotion", "receiver_name", "phone", "address", "payment_method", "merchant")
        out = {k: frame.get(k) for k in keys}
        out["variant"] = dict(frame["chosen"])
        return out

    async def _price(self, ctx: TurnContext, frame: dict[str, Any]) -> bool:
        """Fresh effective price for the quantity on the chosen offer; False when it is gone."""
        product = await load_product(ctx, frame["product_id"])
        if product is None:
            ctx.end_flow(self.name)
            return False
        offer = next((o for o in product.offers if o.platform == frame["platform"]), None)
        if offer is None or offer.stock < frame["quantity"]:
            ctx.end_flow(self.name)
            ctx.say("buy_out_of_stock", title=frame["title"])
            return False
        price = quote(offer, frame["quantity"])
        frame.update(unit_price=str(price.unit_price), list_price=str(price.unit_list_price), total=str(price.total),
                     savings=str(price.savings), promotion=promotion_text(price, ctx.language),
                     breakdown=price_breakdown(price, ctx.language))
        return True

    # --- answers -----------------------------------------------------------------------------
    async def resume(self, ctx: TurnContext) -> bool:
        frame = dict(ctx.active_frame.frame)  # type: ignore[union-attr]
        frame["chosen"] = dict(frame["chosen"])
        step = frame.get("awaiting") or "confirm"
        intent = ctx.intent
        text = (ctx.msg.text or "").strip()
        free_text_step = step in ("address", "receiver_name")
        if intent == "buy" and (ctx.entities("ordinal") or ctx.entity("product_id")):
            ctx.end_flow(self.name)
            return False  # another item: start over with it
        answers_step = self._answers(ctx, frame, step)
        if free_text_step:
            # Free text (an address, a name) is taken as the answer, unless it clearly asks for
            # something else ("我的快递到哪了") and does not look like the answer.
            digression = intent in DIGRESSION_INTENTS and ctx.parse.intent.confidence >= 0.8 \
                and not (step == "address" and _ADDRESS_HINT.search(text))
            if digression or intent == "cancel":
                return False
        elif not answers_step and intent not in FREE_TEXT_INTENTS | {"deny"}:
            return False  # a digression (where is my parcel, …): the engine hands back afterwards
        if step == "confirm" and intent in ("affirm", "deny"):
            if intent == "deny":
                ctx.end_flow(self.name)
                ctx.say("flow_cancelled")
            else:
                await self._place(ctx, frame)
            return True
        before = (frame.get("quantity"), dict(frame["chosen"]), frame.get("payment_method"))
        self._absorb(ctx, frame)
        absorbed = before != (frame.get("quantity"), frame["chosen"], frame.get("payment_method"))
        ok = self._answer(ctx, frame, step, text, absorbed)
        if frame.pop("bad_quantity", False):
            ok = False
            ctx.say("bad_quantity", max=MAX_QUANTITY)
        if not ok:
            frame["misses"] = int(frame.get("misses", 0)) + 1
            if frame["misses"] >= 3:
                ctx.update_frame(self.name, frame)
                ctx.say("flow_stuck_offer_human", buttons=[Button(ctx.t("offer_human_yes"), "/human_handoff"),
                                                           Button(ctx.t("button_cancel"), "/cancel")])
                return True
            if frame["misses"] == 2:
                ctx.say(f"help_step_{step.split(':')[0]}")
        else:
            frame["misses"] = 0
        await self._ask_next(ctx, frame)
        return True

    def _answers(self, ctx: TurnContext, frame: dict[str, Any], step: str) -> bool:
        """Does the message give what the step asks for, whatever intent the NLU saw in it?

        "13800138000" answers "what's the phone number?" even if it reads like another intent.
        """
        if step == "phone":  # digits are an attempt at a number, whatever intent they look like
            return parse_phone(ctx) is not None or bool(_DIGITS_ONLY.fullmatch((ctx.msg.text or "").strip()))
        if step == "payment_method":
            return ctx.entity("payment_method") in PAYMENT_METHODS
        if step.startswith("variant:"):
            dim = step.split(":", 1)[1]
            said = [str(a) for a in ctx.entities("attribute")] + [ctx.msg.text or ""]
            return any(match_option(a, frame["variants"].get(dim, [])) for a in said)
        return False

    def _answer(self, ctx: TurnContext, frame: dict[str, Any], step: str, text: str, absorbed: bool) -> bool:
        intent = ctx.intent
        if step.startswith("variant:"):
            return step.split(":", 1)[1] in frame["chosen"] or absorbed
        if step == "use_saved":
            if intent == "affirm":
                frame.update(frame["saved"])
                frame["use_saved"] = True
                frame["remember"] = False
                return True
            if intent == "deny":
                frame["use_saved"] = False
                return True
            return absorbed
        if step == "address":
            if len(text) >= 6 and (_ADDRESS_HINT.search(text) or any(c.isdigit() for c in text)):
                frame["address"] = text
                phone = parse_phone(ctx)
                if phone:
                    frame["phone"] = phone
                return True
            if not absorbed:
                ctx.say("bad_address")
            return absorbed
        if step == "receiver_name":
            if 1 <= len(text) <= 30 and not text.startswith("/") and not any(c.isdigit() for c in text):
                frame["receiver_name"] = text
                return True
            if not absorbed:
                ctx.say("bad_name")
            return absorbed
        if step == "phone":
            phone = parse_phone(ctx)
            if phone:
                frame["phone"] = phone
                return True
            if not absorbed:
                ctx.say("bad_phone")
            return absorbed
        if step == "remember":
            if intent in ("affirm", "deny"):
                frame["remember"] = intent == "affirm"
                return True
            return absorbed
        if step == "payment_method":
            if "payment_method" in frame:
                return True
            if not absorbed:
                ctx.say("bad_payment")
            return absorbed
        return absorbed  # the summary step: a change of quantity / payment shows it again

    async def _place(self, ctx: TurnContext, frame: dict[str, Any]) -> None:
        """The shopper confirmed: remember the address if agreed, then place the order."""
        ctx.end_flow(self.name)
        summary = self.summary(frame)
        if frame.get("remember") and ctx.shopper is not None:
            await ctx.services.shoppers.update_profile(
                ctx.shopper.id, address=frame["address"], phone=frame["phone"],
                receiver_name=frame["receiver_name"])
        await place_order(ctx, summary, f"{ctx.tracker.conversation_id}:{frame['started_at']}")

    async def reprompt(self, ctx: TurnContext) -> None:
        frame = ctx.active_frame.frame if ctx.active_frame else {}
        await self._ask(ctx, dict(frame), frame.get("awaiting") or "confirm")
