"""What an after-sales request asks for besides the order: the item, how many, and why.

A reason is chosen from a short list per service type (buttons, in the shopper's language) or
typed; a first message that already says what is wrong ("the screen is cracked, I want a refund")
is taken as the reason, while one that only asks for the service ("我要退货") is not.
"""

from __future__ import annotations

import re

from dialogue.context import TurnContext
from dialogue.messages import Button, button_payload
from shop.orders import Order

REASONS: dict[str, tuple[str, ...]] = {
    "return": ("damaged", "not_as_described", "wrong_item", "changed_mind"),
    "exchange": ("wrong_size", "wrong_colour", "damaged", "wrong_item"),
    "repair": ("not_working", "damaged"),
    "refund": ("not_received", "damaged", "wrong_item", "changed_mind"),
    "complaint": ("late_delivery", "poor_service", "not_as_described"),
}
MAX_QUANTITY_BUTTONS = 5

_REQUEST_WORDS = re.compile(
    r"我要|我想|想要|想|要|申请|退货|退款|换货|换个|维修|修理|投诉|售后|退|换|修|这个|那个|订单|一下|帮我|请|能|吗|吧|了|的|"
    r"\b(?:i|i'd|id|want|would|like|to|a|an|the|it|this|that|my|me|order|please|can|could|get|make|request|"
    r"return|returns|refund|refunds|exchange|exchanges|repair|repairs|complain|complaint|after-?sales|"
    r"for|back|money|one|item)\b",
    re.IGNORECASE,
)


def typed_reason(text: str) -> str | None:
    """The reason a message gives besides asking for the service, or None when it only asks."""
    text = text.strip()
    if not text or text.startswith("/"):
        return None
    rest = _REQUEST_WORDS.sub(" ", text)
    cjk = len(re.findall(r"[\u4e00-\u9fff]", rest))
    latin = re.findall(r"[A-Za-z]{2,}", rest)
    return text[:500] if cjk >= 2 or latin else None


def ask_item(ctx: TurnContext, order: Order) -> None:
    ctx.say("ask_ticket_item", order_id=order.id, buttons=[
        Button(f"{i + 1}. {line.title[:28]}", button_payload("inform", line_no=i)) for i, line in enumerate(order.lines)])


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


def ask_quantity(ctx: TurnContext, bought: int) -> None:
    shown = list(range(1, min(bought, MAX_QUANTITY_BUTTONS) + 1))
    buttons = [Button(str(n), button_payload("inform", quantity=n)) for n in shown]
    if bought not in shown:
        buttons.append(Button(ctx.t("ticket_quantity_all", n=bought), button_payload("inform", quantity=bought)))
    ctx.say("ask_ticket_quantity", n=bought, buttons=buttons)


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
