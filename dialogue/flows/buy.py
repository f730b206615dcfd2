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
from dialogue.flows.contact import bare_name, looks_like_address, normalise_phone, parse_contact
from dialogue.flows.details import load_product
from dialogue.flows.orders import place_order
from dialogue.flows.search import platform_label
from dialogue.flows.variants import (
    COLOUR_WORDS,
    chosen_text,
    close_to,
    dimension_label,
    item_frame,
    labels_of,
    option_buttons,
    option_named,
    pick_product,
)
from dialogue.messages import Button, button_payload
from dialogue.ordinals import ordinal_answer
from dialogue.presentation.prices import price_breakdown, promotion_text
from dialogue.presentation.products import product_title
from shop.catalog import Offer
from shop.pricing import best_quote, quote

MAX_QUANTITY = 99
PAYMENT_METHODS = ("wechat_pay", "alipay", "card")
FREE_TEXT_INTENTS = {"inform", "nlu_fallback", "out_of_scope", "greet", "affirm", "search_product", "buy",
                     "refine_search", "show_details", "register", "thank"}
DIGRESSION_INTENTS = {"track_shipment", "check_order", "check_ticket", "help", "human_handoff",
                      "list_price_alerts", "show_details", "compare_products", "recommend", "goodbye"}
# A message of these intents that does not answer the pending question is a new request: the
# engine handles it (a digression hands back with "we were at …", a search is a switch).
NEW_REQUEST_INTENTS = DIGRESSION_INTENTS | {"search_product", "refine_search", "request_after_sales",
                                            "set_price_alert", "cancel_price_alert", "register"}
_SEARCH_ENTITIES = ("product", "brand", "price_min", "price_max", "price_approx", "sort_by", "page", "ordinal")
_CONFIRM = re.compile(r"(确认|下单吧?$|就这样|没问题|可以了?$|好的|对的?$|行$|^(yes|yep|ok|okay|sure)\b|place (the |my )?order|"
                      r"confirm|go ahead|looks good|order it|that'?s right|correct)", re.IGNORECASE)
_FIX_ADDRESS = re.compile(r"(地址.{0,6}(错|改|换|不对)|(改|换)(一下)?(收货)?地址|address.{0,20}(wrong|change|incorrect|fix)|"
                          r"(change|wrong|fix|new|different) (the |my )?(shipping )?address)", re.IGNORECASE)
_FIX_NAME = re.compile(r"((名字|姓名|收件人|收货人).{0,6}(错|改|换|不对)|(改|换)(一下)?(名字|姓名|收件人)|"
                       r"name.{0,20}(wrong|change|incorrect)|(change|wrong|fix) (the |my )?(receiver'?s? )?name)", re.IGNORECASE)
_FIX_PHONE = re.compile(r"((电话|手机|号码).{0,6}(错|改|换|不对)|(改|换)(一下)?(电话|手机号?)|phone.{0,20}(wrong|change|incorrect)|"
                        r"(change|wrong|fix) (the |my )?(phone|number))", re.IGNORECASE)
_QUANTITY_SAID = re.compile(r"(make it|change (it )?to|i'?ll take|get me|i want)\s+(\d+|one|two|three|four|five|six|seven|eight|"
                            r"nine|ten)\b|\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten) of (the|them|those|these)\b|"
                            r"(改成|换成|要|买)(\d+|[一两二三四五六七八九十])(个|件|台|双|只|部|份|瓶|套|盒|本)", re.IGNORECASE)
# "whatever" at the variant question: the shopper leaves the choice to us (the first option)
_LEAVE_IT_TO_YOU = re.compile(
    r"(随便|都行|都可以|无所谓|随意|默认|哪个都(行|可以)|你(帮我)?(选|挑|定)|就它|买它|买吧|直接买|"
    r"^(just )?(buy|get|order) it\b|\bwhatever\b|^any( ?one| of them| colou?r| size)?[.!]?$|^anything\b|"
    r"\byou (choose|pick|decide)\b|\byour (choice|call)\b|doesn'?t matter|don'?t (care|mind)|\bdefault\b|surprise me|"
    r"i'?ll take it)", re.IGNORECASE)
# "no" / "算了" at the variant question: the shopper does not want it after all
_DROP_IT = re.compile(r"(^(no|nope|nah|no thanks|never ?mind|forget it)\b|算了|不要了|不买了|不用了|^不要$|^不了)",
                      re.IGNORECASE)
_NAME_SAID = re.compile(r"((my name is|the name is|name:|receiver is|recipient is|收件人(是|叫|:|:)?|收货人(是|叫|:|:)?|"
                        r"名字(是|叫)|我叫)\s*(?P<name>[^,,;;\d]{1,30}))", re.IGNORECASE)
_ADDRESS_HINT = re.compile(r"(省|市|区|县|镇|路|街|道|号|村|巷|弄|栋|室|楼|"
                           r"\b(street|st|road|rd|avenue|ave|lane|ln|apt|building|district|city|no\.?)\b)", re.IGNORECASE)
_DIGITS_ONLY = re.compile(r"[\d\s+()-]+")
_PHONE_ZH = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_PHONE_ANY = re.compile(r"(?<!\d)(\+?\d[\d\s-]{6,18}\d)(?!\d)")
_NUMBER_WORDS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
                 "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10}


def _after_fix(pattern: re.Pattern[str], text: str) -> str:
    """What follows "地址改成" / "change the address to": the new value, without the joining word."""
    rest = pattern.sub(" ", text, count=1)
    return re.sub(r"^[\s,,::]*(成|为|到|是|to|is|:)?[\s,,::]*", "", rest, flags=re.IGNORECASE)


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(word.lower())


def parse_phone(ctx: TurnContext) -> str | None:
    """The phone number in the message: +86, spaces and dashes dropped for a mainland mobile."""
    text = ctx.msg.text or ""
    found = normalise_phone(text, any_country=ctx.language == "en")
    if found is None and ctx.entity("phone"):
        found = normalise_phone(str(ctx.entity("phone")), any_country=ctx.language == "en")
    return found


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
        product = await pick_product(ctx, "buy_which", "buy_nothing_listed")
        if product is None:
            return
        platform = ctx.entity("platform")
        orderable = [o for o in product.offers if ctx.services.search.can_order(o.platform)]
        offers = [o for o in orderable if o.stock > 0 and (platform is None or o.platform == platform)]
        best = best_quote(offers or [o for o in orderable if o.stock > 0])
        title = product_title(product, ctx.language)
        if best is None:
            linked = [o for o in product.offers if o not in orderable and o.url]
            if linked:  # platforms we may only link to: the shopper buys there
                self._link(ctx, product.id, title, [o for o in linked if platform is None or o.platform == platform] or linked)
                return
            ctx.say("buy_out_of_stock", title=title)
            return
        frame = item_frame(ctx, product, best[0])
        frame["started_at"] = time.time()
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
    def _absorb(self, ctx: TurnContext, frame: dict[str, Any], *, change: bool = False) -> list[str]:
        """Take whatever the message says about any step (quantity, variant, payment); with
        `change`, also what replaces an earlier answer. Returns what changed, as labels."""
        changed: list[str] = []
        text = ctx.msg.text or ""
        # a button's payload speaks through its entities only: a share id "sg6-lF…" names no size "L"
        said = [str(a) for a in ctx.entities("attribute")] + ([text] if not text.startswith("/") else [])
        # A number that is an option (a size "42") answers the variant, not the quantity.
        option_words = {o.lower() for dim, opts in frame["variants"].items() for o in opts}
        qty = parse_quantity(ctx, bare=False)
        if isinstance(qty, int) and str(qty) in option_words and str(qty) in text:
            qty = None
        m = _QUANTITY_SAID.search(text)
        if m:
            word = next(g for g in (m.group(3), m.group(4), m.group(7)) if g)
            n = _number(word) if not re.fullmatch(r"[一两二三四五六七八九十]", word) else _NUMBER_WORDS.get(word)
            if n is not None and 1 <= n <= MAX_QUANTITY:
                qty = n
        if isinstance(qty, int):
            new = min(qty, max(1, int(frame.get("stock") or MAX_QUANTITY)))
            if new != frame.get("quantity"):
                frame["quantity"] = new
                changed.append("quantity")
        elif qty == "invalid":
            frame["bad_quantity"] = True
        for attr in said:
            for dim, options in frame["variants"].items():
                if dim in frame["chosen"] and not change:
                    continue
                option = option_named(attr, options, labels_of(frame, dim))
                if option is not None and frame["chosen"].get(dim) != option:
                    if dim in frame["chosen"]:
                        changed.append(f"variant:{dim}")
                    frame["chosen"][dim] = option
        method = ctx.entity("payment_method")
        if method in PAYMENT_METHODS and method != frame.get("payment_method"):
            if "payment_method" in frame:
                changed.append("payment_method")
            frame["payment_method"] = method
        return changed

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
        changed = frame.pop("changed", [])
        ctx.update_frame(self.name, frame)
        if step == "confirm":
            self._summary(ctx, frame, changed)
            return
        noted = [self._noted(ctx, frame, c) for c in changed if not c.startswith("ask:")]
        if noted:  # taken at another question: say what was taken, then ask the question again
            ctx.say("noted_changes", what=ctx.t("list_join").join(noted))
        await self._ask(ctx, frame, step or "confirm")

    @staticmethod
    def _noted(ctx: TurnContext, frame: dict[str, Any], change: str) -> str:
        """"quantity: 2", "地址:上海市…": one change and its new value, as the shopper reads it."""
        kind = change.split(":")[0]
        value: Any = {"quantity": frame.get("quantity"), "address": frame.get("address"),
                      "receiver_name": frame.get("receiver_name"), "phone": frame.get("phone"),
                      "platform": platform_label(frame["platform"], ctx.language),
                      "variant": chosen_text(frame)}.get(kind)
        if kind == "payment_method":
            value = ctx.t(f"pay_{frame['payment_method']}")
        return ctx.t("noted_change", what=ctx.t(f"changed_{kind}"), value=value)

    async def _ask(self, ctx: TurnContext, frame: dict[str, Any], step: str) -> None:
        if step.startswith("variant:"):
            dim = step.split(":", 1)[1]
            label = dimension_label(ctx, dim)
            ctx.say("ask_variant", dimension=label, title=frame["title"],
                    buttons=option_buttons(frame, dim, frame["variants"][dim]))
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

    def _summary(self, ctx: TurnContext, frame: dict[str, Any], changed: list[str] | None = None) -> None:
        summary = self.summary(frame)
        variant = chosen_text(frame)
        marks = [ctx.t(f"changed_{c.split(':')[0]}") for c in changed or [] if not c.startswith("ask:")]
        joiner = "、" if ctx.language == "zh" else ", "
        lines = [ctx.t("summary_changed", what=joiner.join(marks)) if marks else ctx.t("summary_title"),
                 ctx.t("summary_item", title=frame["title"], variant=variant, quantity=frame["quantity"],
                       platform=platform_label(frame["platform"], ctx.language)),
                 ctx.t("summary_price", unit=ctx.money(summary["unit_price"]), total=ctx.money(summary["total"])),
                 *self._summary_notes(ctx, frame)]
        if summary["promotion"]:
            lines.append(ctx.t("summary_savings", savings=ctx.money(summary["savings"]),
                               promotion=summary["promotion"]))
            breakdown = frame.get("breakdown") or []
            if len(breakdown) > 1:  # what each promotion took off, by its rule
                lines.extend("  " + ctx.t("price_breakdown_line", label=row["label"], amount=ctx.money(row["amount"]))
                             for row in breakdown)
        lines.append(ctx.t("summary_shipping", name=frame["receiver_name"], phone=frame["phone"],
                           address=frame["address"]))
        lines.append(ctx.t("summary_payment", method=ctx.t(f"pay_{frame['payment_method']}")))
        lines.append(ctx.t("summary_confirm"))
        ctx.say_lines(lines, buttons=[Button(ctx.t("button_confirm"), "/affirm"),
                                      Button(ctx.t("button_cancel"), "/cancel")])

    def _summary_notes(self, ctx: TurnContext, frame: dict[str, Any]) -> list[str]:
        """Lines a kind of purchase adds under the price (a group buy's terms)."""
        return []

    @staticmethod
    def summary(frame: dict[str, Any]) -> dict[str, Any]:
        """The confirmed summary an order is made from (money as Decimal strings)."""
        keys = ("product_id", "title", "platform", "platform_product_id", "quantity", "unit_price", "list_price",
                "total", "savings", "promotion", "receiver_name", "phone", "address", "payment_method", "merchant")
        out = {k: frame.get(k) for k in keys}
        out["variant"] = dict(frame["chosen"])
        return out

    async def _offer_now(self, ctx: TurnContext, frame: dict[str, Any]) -> Offer | None:
        """The chosen offer as the platform has it now; None (the flow ended, said why) when the
        product is gone or has too little stock for the quantity."""
        product = await load_product(ctx, frame["product_id"])
        if product is None:
            ctx.end_flow(self.name)
            return None
        offer: Offer | None = next((o for o in product.offers if o.platform == frame["platform"]), None)
        if offer is None or offer.stock < frame["quantity"]:
            ctx.end_flow(self.name)
            ctx.say("buy_out_of_stock", title=frame["title"])
            return None
        return offer

    async def _price(self, ctx: TurnContext, frame: dict[str, Any]) -> bool:
        """Fresh effective price for the quantity on the chosen offer; False when it is gone."""
        offer = await self._offer_now(ctx, frame)
        if offer is None:
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
        if step.startswith("variant:") and await self._variant_step(ctx, frame, step.split(":", 1)[1], text):
            return True
        if intent == "buy" and (ctx.entities("ordinal") or ctx.entity("product_id")) and not ctx.entity("platform"):
            ctx.end_flow(self.name)
            return False  # another item: start over with it
        if intent == "cancel":
            return False
        corrected = await self._corrections(ctx, frame, step)
        if corrected:
            frame["changed"] = corrected
            frame["misses"] = 0
            await self._ask_next(ctx, frame)
            return True
        if step == "confirm":
            return await self._at_confirmation(ctx, frame, text)
        answers_step = self._answers(ctx, frame, step)
        if not answers_step and self._new_request(ctx):
            return False  # a new request: the engine handles it (digression or switch)
        before = (frame.get("quantity"), dict(frame["chosen"]), frame.get("payment_method"))
        self._absorb(ctx, frame)
        absorbed = before != (frame.get("quantity"), frame["chosen"], frame.get("payment_method"))
        ok = self._answer(ctx, frame, step, text) or absorbed
        if step == "address" and frame.get("address_missing") and not ok:
            ctx.update_frame(self.name, frame)  # part of an address: the missing part was asked for
            return True
        if frame.pop("bad_quantity", False):
            ok = False
            ctx.say("bad_quantity", max=MAX_QUANTITY)
        if not ok:
            return self._missed(ctx, frame, step)
        frame["misses"] = 0
        await self._ask_next(ctx, frame)
        return True

    async def _variant_step(self, ctx: TurnContext, frame: dict[str, Any], dim: str, text: str) -> bool:
        """At the variant question: another slot given or corrected ("make it two", "地址改成…") is
        taken and the question asked again; "1" / "the first" / "2nd" picks that option (unless the
        option itself is that number, e.g. a size "2"); a whole address is kept for later; "whatever"
        / "随便" / "buy it" takes the first option and says so; "no" / "算了" drops the purchase (the
        list stays). False when the message is none of these (the usual handling follows)."""
        options = frame["variants"][dim]
        labels = labels_of(frame, dim)
        if ctx.msg.text.startswith("/") or any(
                option_named(a, options, labels) for a in [*map(str, ctx.entities("attribute")), text]):
            return False
        if _QUANTITY_SAID.search(text) or _FIX_ADDRESS.search(text) or _FIX_PHONE.search(text) \
                or _FIX_NAME.search(text) or ctx.entity("payment_method"):
            changed = await self._corrections(ctx, frame, f"variant:{dim}")
            if changed:
                frame["changed"] = changed
                frame["misses"] = 0
                await self._ask_next(ctx, frame)
                return True
        phone = parse_phone(ctx) if len(re.sub(r"\D", "", text)) >= 8 else None
        named = _NAME_SAID.search(text)
        if phone or named:  # a phone number or "收件人是张三" answers a later question now
            changed = []
            if phone and phone != frame.get("phone"):
                frame["phone"] = phone
                changed.append("phone")
            name = named and parse_contact(named.group("name"), ctx.language).name or (named and named.group("name").strip())
            if name and name != frame.get("receiver_name"):
                frame["receiver_name"] = name
                changed.append("receiver_name")
            frame["changed"] = changed
            await self._ask_next(ctx, frame)
            return True
        idx = ordinal_answer(text, len(options))
        if idx is not None:
            frame["chosen"][dim] = options[idx]
            frame["misses"] = 0
            await self._ask_next(ctx, frame)
            return True
        if "address" not in frame and looks_like_address(text):
            contact = parse_contact(text, ctx.language)
            if contact.address and not contact.missing:
                frame["address"] = contact.address
                if contact.name and not frame.get("receiver_name"):
                    frame["receiver_name"] = contact.name
                if contact.phone:
                    frame["phone"] = contact.phone
                ctx.say("variant_first_address_noted", dimension=dimension_label(ctx, dim))
                await self._ask_next(ctx, frame)
                return True
        name = None if frame.get("receiver_name") or close_to(frame, dim, text) else \
            bare_name(text, ctx.language, set(COLOUR_WORDS))
        if name and ctx.intent not in NEW_REQUEST_INTENTS - {"register"}:  # "王芳" before the name was asked
            frame["receiver_name"] = name
            ctx.say("variant_first_name_noted", name=name, dimension=dimension_label(ctx, dim))
            await self._ask_next(ctx, frame)
            return True
        if len(text) <= 40 and _LEAVE_IT_TO_YOU.search(text):
            option = options[0]
            frame["chosen"][dim] = option
            frame["misses"] = 0
            ctx.say("variant_defaulted", option=labels.get(option, option), dimension=dimension_label(ctx, dim))
            await self._ask_next(ctx, frame)
            return True
        if (ctx.intent in ("deny", "cancel") or (len(text) <= 20 and _DROP_IT.search(text))) \
                and not self._new_request(ctx):  # "不要了,看看笔记本": the new search, not just a goodbye
            ctx.end_flow(self.name)
            ctx.say("variant_dropped", title=frame["title"])
            return True
        return False

    @staticmethod
    def _new_request(ctx: TurnContext) -> bool:
        """A message that asks for something else rather than answering: a search or refinement
        that names what to find, or another request the NLU is fairly sure of."""
        if ctx.intent not in NEW_REQUEST_INTENTS or (ctx.msg.text or "").startswith("/inform"):
            return False
        if ctx.intent in ("search_product", "refine_search"):
            product = str(ctx.entity("product") or "")
            if product and (product.endswith("色") or product.lower() in COLOUR_WORDS) and not ctx.entity("brand"):
                return False  # "要紫红色的": a colour the NLU took for a product
            return any(ctx.entity(e) is not None for e in _SEARCH_ENTITIES) or bool(
                re.search(r"(不要了|不想要|不买了|换个|别的|show me|look(ing)? for|don'?t want|instead)",
                          ctx.msg.text or "", re.IGNORECASE))
        return ctx.parse.intent.confidence >= 0.6

    def _missed(self, ctx: TurnContext, frame: dict[str, Any], step: str) -> bool:
        """An answer that does not fit: say what fits, differently each time; never the same
        question a third time unchanged."""
        frame["misses"] = misses = int(frame.get("misses", 0)) + 1
        ctx.update_frame(self.name, frame)
        if step.startswith("variant:"):
            dim = step.split(":", 1)[1]
            options = frame["variants"][dim]
            close = close_to(frame, dim, ctx.msg.text or "")
            label = dimension_label(ctx, dim)
            buttons = option_buttons(frame, dim, close or options)
            shown = [labels_of(frame, dim).get(o, o) for o in options]
            if len(close) >= 2:
                ctx.say("variant_which_of", options=ctx.t("or_join").join(labels_of(frame, dim).get(o, o)
                                                                          for o in close), buttons=buttons)
            else:
                ctx.say("variant_not_offered" if misses == 1 else "variant_options_again", dimension=label,
                        title=frame["title"], options="、".join(shown) if ctx.language == "zh" else ", ".join(shown),
                        buttons=buttons)
            if misses >= 3:
                ctx.say("flow_stuck_offer_human", buttons=[Button(ctx.t("offer_human_yes"), "/human_handoff"),
                                                           Button(ctx.t("button_cancel"), "/cancel")])
            return True
        if misses >= 3:
            ctx.say("flow_stuck_offer_human", buttons=[Button(ctx.t("offer_human_yes"), "/human_handoff"),
                                                       Button(ctx.t("button_cancel"), "/cancel")])
            return True
        if misses == 2:
            ctx.say(f"help_step_{step.split(':')[0]}")
        else:
            self._reask(ctx, frame, step)
        return True

    def _reask(self, ctx: TurnContext, frame: dict[str, Any], step: str) -> None:
        if step not in ("address", "receiver_name", "phone", "payment_method"):  # those said what fits already
            self._ask_plain(ctx, frame, step)

    def _ask_plain(self, ctx: TurnContext, frame: dict[str, Any], step: str) -> None:
        keys = {"address": "ask_address", "receiver_name": "ask_receiver_name", "phone": "ask_phone"}
        if step in keys:
            ctx.say(keys[step])
        elif step == "remember":
            ctx.say("ask_remember", buttons=[Button(ctx.t("button_yes"), "/affirm"), Button(ctx.t("button_no"), "/deny")])
        elif step == "use_saved":
            ctx.say("help_step_use_saved")
        elif step == "payment_method":
            ctx.say("ask_payment", buttons=[
                Button(ctx.t("pay_wechat_pay"), '/inform{"payment_method": "wechat_pay"}'),
                Button(ctx.t("pay_alipay"), '/inform{"payment_method": "alipay"}'),
                Button(ctx.t("pay_card"), '/inform{"payment_method": "card"}')])

    async def _at_confirmation(self, ctx: TurnContext, frame: dict[str, Any], text: str) -> bool:
        intent = ctx.intent
        if intent == "deny" and not _CONFIRM.search(text):
            ctx.end_flow(self.name)
            ctx.say("flow_cancelled")
            return True
        if intent == "affirm" or (_CONFIRM.search(text) and intent not in ("deny", "cancel")):
            await self._place(ctx, frame)
            return True
        if self._new_request(ctx):
            return False
        frame["misses"] = misses = int(frame.get("misses", 0)) + 1
        ctx.update_frame(self.name, frame)
        ctx.say("help_step_confirm")
        if misses < 3:
            self._summary(ctx, frame)
        else:
            ctx.say("flow_stuck_offer_human", buttons=[Button(ctx.t("offer_human_yes"), "/human_handoff"),
                                                       Button(ctx.t("button_confirm"), "/affirm"),
                                                       Button(ctx.t("button_cancel"), "/cancel")])
        return True

    async def _corrections(self, ctx: TurnContext, frame: dict[str, Any], step: str) -> list[str]:
        """A change of an earlier answer, at any step: variant, quantity, payment, platform,
        address, name, phone. Returns what changed (the summary marks it); [] when nothing did."""
        text = ctx.msg.text or ""
        if text.startswith("/") and ctx.intent != "inform":
            return []
        free_text = step in ("address", "receiver_name", "phone")
        # at a free-text step only what cannot be the answer itself ("颜色换成黑色" at the address question)
        answer_like = free_text and (looks_like_address(text) or parse_phone(ctx) is not None
                                     or (step == "receiver_name" and bool(parse_contact(text, ctx.language).name)))
        changed: list[str] = [] if answer_like else self._absorb(ctx, frame, change=True)
        platform = ctx.entity("platform")
        if platform and platform != frame["platform"] and not free_text \
                and await self._switch_platform(ctx, frame, str(platform)):
            changed.append("platform")
        # a new address, name or phone at any other question: taken ("地址改成…" at the colour question);
        # "the address is wrong" with nothing after it asks for it again, once one was given
        if _FIX_ADDRESS.search(text) and step != "address":
            contact = parse_contact(_after_fix(_FIX_ADDRESS, text), ctx.language)
            if contact.address and looks_like_address(contact.address) and not contact.missing:
                frame["address"] = contact.address
                changed.append("address")
            elif "address" in frame:
                frame.pop("address", None)
                changed.append("ask:address")
        elif _FIX_NAME.search(text) and step != "receiver_name":
            name = parse_contact(_after_fix(_FIX_NAME, text), ctx.language).name
            if name:
                frame["receiver_name"] = name
                changed.append("receiver_name")
            elif frame.get("receiver_name"):
                frame.pop("receiver_name", None)
                changed.append("ask:receiver_name")
        elif step != "phone" and (_FIX_PHONE.search(text) or (
                not free_text and "phone" in frame and parse_phone(ctx) and parse_phone(ctx) != frame["phone"])):
            phone = parse_phone(ctx)
            if phone:
                frame["phone"] = phone
                changed.append("phone")
            elif "phone" in frame:
                frame.pop("phone", None)
                changed.append("ask:phone")
        return changed

    async def _switch_platform(self, ctx: TurnContext, frame: dict[str, Any], platform: str) -> bool:
        """"买京东的那个" / "the JD one": the same product on that platform's offer, when in stock."""
        product = await load_product(ctx, frame["product_id"])
        if product is None:
            return False
        offer = next((o for o in product.offers if o.platform == platform and o.stock > 0), None)
        search = ctx.services.search
        if offer is None or (search is not None and not search.can_order(platform)):
            ctx.say("platform_not_offered", platform=platform_label(platform, ctx.language))
            return False
        frame.update(platform=offer.platform, platform_product_id=offer.platform_product_id, stock=offer.stock,
                     merchant=offer.merchant)
        return True

    def _answers(self, ctx: TurnContext, frame: dict[str, Any], step: str) -> bool:
        """Does the message give what the step asks for, whatever intent the NLU saw in it?

        "13800138000" answers "what's the phone number?" even if it reads like another intent.
        """
        text = (ctx.msg.text or "").strip()
        if step == "phone":  # digits are an attempt at a number, whatever intent they look like
            return parse_phone(ctx) is not None or bool(_DIGITS_ONLY.fullmatch(text))
        if step == "payment_method":
            return ctx.entity("payment_method") in PAYMENT_METHODS
        if step.startswith("variant:"):
            dim = step.split(":", 1)[1]
            said = [str(a) for a in ctx.entities("attribute")] + [text]
            return any(option_named(a, frame["variants"].get(dim, []), labels_of(frame, dim)) for a in said)
        if step == "address":
            return looks_like_address(text) or bool(frame.get("address_missing") and len(text) <= 20
                                                    and ctx.intent not in NEW_REQUEST_INTENTS)
        if step == "receiver_name":
            contact = parse_contact(text, ctx.language)
            return bool(contact.name) and not contact.address
        if step in ("remember", "use_saved"):
            return ctx.intent in ("affirm", "deny")
        return False

    def _answer(self, ctx: TurnContext, frame: dict[str, Any], step: str, text: str) -> bool:
        intent = ctx.intent
        if step.startswith("variant:"):
            dim = step.split(":", 1)[1]
            if dim not in frame["chosen"]:
                close = close_to(frame, dim, text)
                if len(close) == 1:  # fuzzy: one option comes close, take it
                    frame["chosen"][dim] = close[0]
            return dim in frame["chosen"]
        if step == "use_saved":
            if intent == "affirm":
                frame.update(frame["saved"])
                frame["use_saved"] = True
                frame["remember"] = False
                return True
            if intent == "deny":
                frame["use_saved"] = False
                return True
            return False
        if step == "address":
            return self._take_address(ctx, frame, text)
        if step == "receiver_name":
            contact = parse_contact(text, ctx.language)
            name = contact.name or (text if 1 <= len(text) <= 30 and not text.startswith("/")
                                    and not any(c.isdigit() for c in text) else None)
            if contact.phone:
                frame["phone"] = contact.phone
            if name:
                frame["receiver_name"] = name
                return True
            ctx.say("bad_name")
            return False
        if step == "phone":
            phone = parse_phone(ctx)
            if phone:
                frame["phone"] = phone
                return True
            ctx.say("bad_phone")
            return False
        if step == "remember":
            if intent in ("affirm", "deny"):
                frame["remember"] = intent == "affirm"
                return True
            return False
        if step == "payment_method":
            if "payment_method" in frame:
                return True
            ctx.say("bad_payment")
            return False
        return False

    def _take_address(self, ctx: TurnContext, frame: dict[str, Any], text: str) -> bool:
        """An address in one line or several (a missing city or street asked for by name),
        with the receiver's name and phone when the same line carries them."""
        partial = frame.pop("address_partial", None)
        if partial and frame.get("address_missing"):
            missing = frame["address_missing"]
            text = f"{text}{partial}" if missing[0] == "city" and ctx.language == "zh" else \
                (f"{text}, {partial}" if missing[0] == "city" else f"{partial}, {text}")
        contact = parse_contact(text, ctx.language)
        if contact.phone:
            frame["phone"] = contact.phone
        if contact.name and not frame.get("receiver_name"):
            frame["receiver_name"] = contact.name
        if not contact.address:
            if contact.name or contact.phone:
                self._ask_plain(ctx, frame, "address")
                return False
            ctx.say("bad_address")
            return False
        if contact.missing and not (looks_like_address(contact.address) or contact.parts.get("city")
                                    or contact.parts.get("province") or partial):
            ctx.say("bad_address")  # nothing of an address in it
            return False
        if contact.missing:
            frame["address_partial"] = contact.address
            frame["address_missing"] = contact.missing
            ctx.say("ask_address_part", part=ctx.t(f"address_part_{contact.missing[0]}"))
            return False
        frame.pop("address_missing", None)
        frame["address"] = contact.address
        return True

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
