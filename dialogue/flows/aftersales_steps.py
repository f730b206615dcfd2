"""What an after-sales request asks for besides the order: the item, how many, and why.

A reason is chosen from a short list per service type (buttons, in the shopper's language) or
typed; a first message that already says what is wrong ("the screen is cracked, I want a refund")
is taken as the reason, while one that only asks for the service ("我要退货") is not.
"""

from __future__ import annotations

import re
from typing import Any

from dialogue.context import TurnContext
from dialogue.messages import Button, button_payload
from shop.orders import Order
from shop.ports import MarketplaceError
from shop.taxonomy import related, resolve

REASONS: dict[str, tuple[str, ...]] = {
    "return": ("damaged", "not_as_described", "wrong_item", "changed_mind"),
    "exchange": ("wrong_size", "wrong_colour", "damaged", "wrong_item"),
    "repair": ("not_working", "damaged"),
    "refund": ("not_received", "damaged", "wrong_item", "changed_mind"),
    "complaint": ("late_delivery", "poor_service", "not_as_described"),
}
MAX_QUANTITY_BUTTONS = 5

_REQUEST_WORDS = re.compile(
    r"我要|我想|想要|想|要|申请|退货|退款|换货|换个|维修|修理|投诉|售后|退|换|修|这个|那个|其中|里面|订单|一下|帮我|请|能|吗|吧|了|的|"
    r"\b(?:i|i'd|id|want|would|like|to|a|an|the|it|this|that|my|me|order|please|can|could|get|make|request|from|of|"
    r"last|latest|recent|"
    r"return|returns|refund|refunds|exchange|exchanges|repair|repairs|complain|complaint|after-?sales|"
    r"for|back|money|one|item)\b",
    re.IGNORECASE,
)


def typed_reason(text: str, item: str = "") -> str | None:
    """The reason a message gives besides asking for the service (and naming the `item`), or None
    when it only asks ("我要退其中的充电盒" gives none)."""
    text = text.strip()
    if not text or text.startswith("/"):
        return None
    rest = text
    if item:
        title = item.lower()
        rest = "".join(" " if "\u4e00" <= ch <= "\u9fff" and ch in title else ch for ch in rest)
        rest = " ".join(w for w in rest.split() if _stem(w.lower()) not in {_stem(t) for t in title.split()})
    rest = _REQUEST_WORDS.sub(" ", rest)
    cjk = len(re.findall(r"[\u4e00-\u9fff]", rest))
    latin = re.findall(r"[A-Za-z]{2,}", rest)
    return text[:500] if cjk >= 2 or latin else None


def ask_item(ctx: TurnContext, order: Order) -> None:
    ctx.say("ask_ticket_item", order_id=order.id, buttons=item_buttons(order))


_ITEM_WORDS = re.compile(
    r"我要|我想|想要|申请|退货|退款|换货|维修|投诉|售后|其中|那个|这个|那件|这件|一下|订单|里的|里面|\b(?:the|one|ones|item|"
    r"from|my|last|order|i|want|to|return|refund|exchange|repair|it|that|this|please|of|a|an|about|is|for)\b",
    re.IGNORECASE)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def items_named(ctx: TurnContext, order: Order) -> list[int]:
    """The lines a message names by what they are ("the headphones", "退其中的耳机"), 0-based:
    the lines sharing most words (Latin) or character pairs (Chinese) with it; [] when none does."""
    text = _ITEM_WORDS.sub(" ", (ctx.msg.text or "").lower())
    words = {_stem(w) for w in re.findall(r"[a-z0-9][a-z0-9-]{2,}", text)}
    words |= {_stem(str(v).lower()) for key in ("product", "brand") if (v := ctx.entity(key))}
    pairs = {text[k:k + 2] for k in range(len(text) - 1)
             if all("\u4e00" <= ch <= "\u9fff" for ch in text[k:k + 2])}
    scores = []
    for line in order.lines:
        title = line.title.lower()
        title_words = {_stem(w) for w in re.findall(r"[a-z0-9][a-z0-9-]*", title)}
        scores.append(sum(1 for w in words if w in title_words or (len(w) >= 2 and not w.isascii() and w in title))
                      + sum(1 for p in pairs if p in title))
    best = max(scores, default=0)
    return [i for i, score in enumerate(scores) if score == best] if best else []


async def items_of_kind(ctx: TurnContext, order: Order) -> list[int]:
    """The lines whose product is of the kind the message names ("the headphones" of an order
    whose title says "earbuds"): the product entity read as a kind of the catalog's taxonomy and
    each line's product looked up; [] when no kind is named or the catalog cannot be asked."""
    kind = resolve(str(ctx.entity("product") or ""))
    if kind is None or len(order.lines) < 2:
        return []
    fits = []
    for i, line in enumerate(order.lines):
        try:
            product = await ctx.services.search.get_product(line.product_id)
        except MarketplaceError:
            return []
        if product is not None and related(product.category, kind):
            fits.append(i)
    return fits


def say_missed(ctx: TurnContext, frame: dict[str, Any], key: str, buttons: list[Button], **values: Any) -> None:
    """An answer that fits no option: say what fits, in other words the second time, and offer a
    person (or cancelling) the third time, never the same question a third time unchanged."""
    misses = int(str(frame.get("misses") or 0)) + 1
    frame["misses"] = misses
    if misses >= 3:
        ctx.say("flow_stuck_offer_human", buttons=[Button(ctx.t("offer_human_yes"), "/human_handoff"),
                                                   Button(ctx.t("button_cancel"), "/cancel")])
        return
    ctx.say(f"{key}_{misses}", buttons=buttons, **values)


def item_buttons(order: Order, lines: list[int] | None = None) -> list[Button]:
    return [Button(f"{i + 1}. {order.lines[i].title[:28]}", button_payload("inform", line_no=i))
            for i in (range(len(order.lines)) if lines is None else lines)]


def chosen_item(ctx: TurnContext, order: Order) -> int | None:
    """The line a button or an ordinal ("第二个", "the 2nd") names, 0-based."""
    line_no = ctx.entity("line_no")
    if line_no is None:
        ordinal = ctx.entity("ordinal")
        if ordinal is None:
            return None
        line_no = len(order.lines) - 1 if int(ordinal) == -1 else int(ordinal) - 1
    line_no = int(line_no)
    return line_no if 0 <= line_no < len(order.lines) else None


def quantity_buttons(ctx: TurnContext, bought: int) -> list[Button]:
    shown = list(range(1, min(bought, MAX_QUANTITY_BUTTONS) + 1))
    buttons = [Button(str(n), button_payload("inform", quantity=n)) for n in shown]
    if bought not in shown:
        buttons.append(Button(ctx.t("ticket_quantity_all", n=bought), button_payload("inform", quantity=bought)))
    return buttons


def ask_quantity(ctx: TurnContext, bought: int) -> None:
    ctx.say("ask_ticket_quantity", n=bought, buttons=quantity_buttons(ctx, bought))


def chosen_quantity(ctx: TurnContext, bought: int) -> int | None:
    value = ctx.entity("quantity")
    text = (ctx.msg.text or "").strip()
    if value is None and text.isdigit():
        value = text
    if value is None and any(w in text.lower() for w in ("全部", "都", "all", "both", "every")):
        value = bought
    try:
        n = int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return n if n is not None and 1 <= n <= bought else None


def ask_reason(ctx: TurnContext, service_type: str) -> None:
    labels = [ctx.t(f"ticket_reason_{key}") for key in REASONS.get(service_type, ())]
    ctx.say("ask_reason", buttons=[Button(label, button_payload("inform", reason=label)) for label in labels])
