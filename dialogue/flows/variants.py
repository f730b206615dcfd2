"""Picking an item to act on and asking for its variants: what the buy and cart flows share.

An item frame (JSON-able, kept in the flow's frame) is the product, the offer chosen, the
variant dimensions still to choose (`variants`), what is chosen (`chosen`, as the catalog names
the option: the order keeps it) and what the shopper reads for each option (`labels`: "白色" →
"White" for an English shopper). Options are matched in the catalog's words or in the labels.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from dialogue.context import TurnContext
from dialogue.flows.common import CURRENT_PRODUCT, listed
from dialogue.flows.details import product_in_question
from dialogue.messages import Button, button_payload
from dialogue.presentation.products import product_title, variant_shown
from shop.catalog import Offer, Product
from shop.ports import MarketplaceError

NAMED_DIMENSIONS = ("colour", "size", "storage", "flavour", "pack")
# Colour words shoppers write in English, for variant options the catalog names in Chinese.
COLOUR_WORDS = {"black": "黑", "white": "白", "blue": "蓝", "green": "绿", "red": "红", "grey": "灰", "gray": "灰",
                "silver": "银", "gold": "金", "pink": "粉", "purple": "紫", "yellow": "黄", "orange": "橙",
                "brown": "棕", "beige": "米", "navy": "藏青", "titanium": "钛"}


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
            plain = [o for o in found if o in (zh, zh + "色")]
            if len(found) == 1 or len(plain) == 1:
                return (plain or found)[0]
    return None


def close_options(said: str, options: list[str]) -> list[str]:
    """Options a message that named none comes close to (shared characters / an English colour
    word inside a mixed option): one → take it, two or more → ask between them."""
    text = said.strip().lower()
    if not text or text.startswith("/"):
        return []
    hits: list[str] = []
    for word, zh in COLOUR_WORDS.items():
        if re.search(rf"\b{word}\b", text):
            hits.extend(o for o in options if zh in o and o not in hits)
    if hits:
        return hits
    return difflib.get_close_matches(text, options, n=2, cutoff=0.6)


def option_named(said: str, options: list[str], labels: dict[str, str] | None = None) -> str | None:
    """The option (as the catalog names it) a shopper's words name, in the catalog's words or in
    the labels the shopper was shown ("white", "EU 42" for 白色, 42码)."""
    found = match_option(said, options)
    if found is None and labels:
        shown = [labels.get(o, o) for o in options]
        by_label = match_option(said, shown)
        if by_label is not None:
            found = options[shown.index(by_label)]
    return found


def dimension_label(ctx: TurnContext, dim: str) -> str:
    """"颜色" / "colour" for a variant dimension the catalog names by key."""
    return ctx.t(f"variant_{dim}") if dim in NAMED_DIMENSIONS else dim


def labels_of(frame: dict[str, Any], dim: str) -> dict[str, str]:
    """Option -> what the shopper reads for it ("白色" -> "White" in English); {} when the same."""
    return dict((frame.get("labels") or {}).get(dim) or {})


def shown_option(frame: dict[str, Any], dim: str, option: str) -> str:
    return labels_of(frame, dim).get(option, option)


def chosen_text(frame: dict[str, Any]) -> str:
    """The chosen variant as the shopper reads it ("White 42")."""
    return " ".join(shown_option(frame, dim, o) for dim, o in frame["chosen"].items())


def option_buttons(frame: dict[str, Any], dim: str, options: list[str]) -> list[Button]:
    """One button per option, titled as the shopper reads it; the payload names the catalog's option."""
    return [Button(shown_option(frame, dim, o), button_payload("inform", attribute=o)) for o in options[:8]]


def ask_variant(ctx: TurnContext, frame: dict[str, Any], dim: str, options: list[str] | None = None) -> None:
    ctx.say("ask_variant", dimension=dimension_label(ctx, dim), title=frame["title"],
            buttons=option_buttons(frame, dim, options or frame["variants"][dim]))


def close_to(frame: dict[str, Any], dim: str, said: str) -> list[str]:
    """Options close to what was said, in the catalog's words or the shopper's labels."""
    options = frame["variants"][dim]
    close = close_options(said, options)
    labels = labels_of(frame, dim)
    if not close and labels:
        shown = [labels.get(o, o) for o in options]
        close = [options[shown.index(x)] for x in close_options(said, shown)]
    return close


def take_variants(ctx: TurnContext, frame: dict[str, Any], *, change: bool = False) -> list[str]:
    """Options the message names (entities or its words), per dimension; with `change`, also
    replacing one chosen earlier. Returns the dimensions whose choice changed."""
    said = [str(a) for a in ctx.entities("attribute")] + [ctx.msg.text or ""]
    took: list[str] = []
    for dim, options in frame["variants"].items():
        if dim in frame["chosen"] and not change:
            continue
        for attr in said:
            option = option_named(attr, options, labels_of(frame, dim))
            if option is not None:
                if frame["chosen"].get(dim) != option:
                    frame["chosen"][dim] = option
                    took.append(dim)
                break
    return took


def first_in_stock(frame: dict[str, Any], dim: str) -> str:
    """The option to take when the shopper leaves the choice to us ("whatever", "随便")."""
    return str(frame["variants"][dim][0])


async def pick_product(ctx: TurnContext, which_key: str, nothing_key: str) -> Product | None:
    """The product a buy or add-to-cart means: a button's product, an ordinal or a name in the
    list, "the JD one" (the listed item on that platform, else the first listed one sold there,
    unless a product is being discussed), else the current one; None after a polite reply."""
    platform = ctx.entity("platform")
    if platform and not ctx.entities("ordinal") and not ctx.entity("product_id") and not ctx.slot(CURRENT_PRODUCT):
        items = listed(ctx)
        ids = [i["id"] for i in items if i.get("platform") == platform] or [i["id"] for i in items[:5]]
        for pid in ids:
            try:
                product = await ctx.services.search.get_product(pid)
            except MarketplaceError:
                continue
            if product is not None and any(o.platform == platform and o.stock > 0 for o in product.offers):
                return product
    found: Product | None = await product_in_question(ctx, which_key, nothing_key)
    return found


def item_frame(ctx: TurnContext, product: Product, offer: Offer) -> dict[str, Any]:
    """The item frame for `offer` of `product`; the product becomes the one discussed."""
    title = product_title(product, ctx.language)
    ctx.set_slot(CURRENT_PRODUCT, {"id": product.id, "title": title, "brand": product.brand})
    frame: dict[str, Any] = {
        "product_id": product.id, "title": title, "platform": offer.platform,
        "platform_product_id": offer.platform_product_id, "stock": offer.stock, "merchant": offer.merchant,
        "variants": {k: list(v) for k, v in product.variants.items() if len(v) > 1},
        "chosen": {k: v[0] for k, v in product.variants.items() if len(v) == 1},
        "quantity": 1, "misses": 0,
    }
    # the product's own English labels, else the known English of a stored option ("白色" → "White")
    labels = {dim: {o: shown for o, shown in ((o, s if s != o else variant_shown({dim: o}, ctx.language)) for o, s in by.items())
                    if shown != o}
              for dim, by in product.variant_labels(ctx.language).items()}
    labels = {dim: by for dim, by in labels.items() if by}
    if labels:  # what the shopper reads for each option (the order keeps the option)
        frame["labels"] = labels
    return frame
