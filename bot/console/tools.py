"""The agent's tools beside the reply box: the product picker (catalog search by words) and
canned replies with variables (`{name}`: how to address the shopper, `{order_id}`: their latest
order), filled for the conversation at hand in the shopper's language."""

from __future__ import annotations

import re
import string
from typing import Any

from bot.console.collected import ConsoleBackends
from dialogue.presentation.money import format_money
from dialogue.presentation.products import products_payload
from dialogue.responses import load_catalog
from shop.catalog import SearchQuery
from shop.handoff import HandoffRequest
from shop.masking import mask_name

PICKER_SIZE = 8
ADDRESS_FALLBACK = {"zh": "亲", "en": "there"}  # "亲,您好" / "Hello there" when no name is known
VARIABLE = re.compile(r"\{(\w+)\}")


async def pick_products(services: ConsoleBackends, words: str, language: str) -> dict[str, Any]:
    """Up to PICKER_SIZE products matching `words` (as a shopper's search would), priced as the
    shopper would see them; `message` says why nothing was found."""
    if services.search is None:
        return {"available": False, "items": []}
    result = await services.search.search(SearchQuery(product=words.strip()[:100], page_size=PICKER_SIZE),
                                          suggest=False)
    payload = products_payload(result, language)
    items = [item | {"price_text": format_money(item.get("price"), language)} for item in payload["items"]]
    return {"available": True, "items": items, "total": payload.get("total", len(items)),
            "message": None if items else (result.message or "no match")}


async def canned_values(services: ConsoleBackends, request: HandoffRequest, *, masked: bool = False) -> dict[str, str]:
    """What the variables of a canned reply stand for in this conversation; `masked`: the name
    as staff see it (张**), for the console's list (the shopper's reply gets the name itself)."""
    shopper = await services.shoppers.by_identity(request.channel, request.recipient_id)
    lang = "en" if request.language == "en" else "zh"
    name = (shopper.receiver_name or shopper.display_name or "").strip()
    values = {"name": (mask_name(name) if masked else name) if name else ADDRESS_FALLBACK[lang]}
    if services.orders is not None:
        orders = await services.orders.list_for_shopper(shopper.id)
        if orders:
            values["order_id"] = max(orders, key=lambda o: o.created_at).id
    return values


def fill(template: str, values: dict[str, str]) -> str | None:
    """The template with its variables filled; None when one has no value here."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if not names <= set(values):
        return None
    return VARIABLE.sub(lambda m: values[m.group(1)], template)


async def canned_replies(services: ConsoleBackends, language: str, request: HandoffRequest | None) -> list[str]:
    """The canned replies in `language`; for a conversation, filled (those whose variables have
    no value there, e.g. no order yet, are left out)."""
    templates = [str(t) for t in load_catalog(language).get("console_canned") or []]
    if request is None:
        return templates
    values = await canned_values(services, request, masked=True)
    return [text for text in (fill(t, values) for t in templates) if text is not None]


async def fill_typed(services: ConsoleBackends, request: HandoffRequest, text: str) -> str:
    """An agent's own text with `{name}` / `{order_id}` filled where they have a value, and the
    masked name of a canned reply (张**您好) turned back into the shopper's name."""
    values = await canned_values(services, request)
    shown = (await canned_values(services, request, masked=True))["name"]
    if shown != values["name"] and shown in text:
        text = text.replace(shown, values["name"])
    if "{" not in text:
        return text
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)
