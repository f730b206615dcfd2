"""Details of one listed item and side-by-side comparison of two or three."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from dialogue.flows.common import (
    CURRENT_PRODUCT,
    PENDING_PICK,
    listed,
    ordinal_index,
    pick_listed,
    remember_viewed,
)
from dialogue.flows.search import platform_label
from dialogue.messages import Button, button_payload
from dialogue.presentation.orders import badge_names
from dialogue.presentation.products import merchant_name, product_payload
from shop.group_buys import group_offer
from shop.ports import MarketplaceError
from shop.price_history import price_badges
from shop.pricing import best_quote

MAX_COMPARE = 3


async def load_product(ctx: TurnContext, product_id: str) -> Any:
    """The product with every platform's offer, or None (and a polite reply) when unavailable."""
    try:
        product = await ctx.services.search.get_product(product_id)
    except MarketplaceError:
        ctx.say("platforms_unavailable")
        return None
    if product is None or not product.offers:
        ctx.say("product_gone")
        return None
    return product


async def product_in_question(ctx: TurnContext, which_key: str, nothing_key: str) -> Any:
    """The listed (or discussed) product the message points at, with every offer; None after a polite reply."""
    item, error = pick_listed(ctx)
    if error == "ordinal_out_of_range":
        ctx.say("ordinal_out_of_range", count=len(listed(ctx)))
        return None
    if item is None:
        if listed(ctx):
            ctx.set_slot(PENDING_PICK, ctx.intent)  # "the first one" next answers this question
        ctx.say(which_key if listed(ctx) else nothing_key)
        return None
    return await load_product(ctx, item["id"])


class ShowDetails(Flow):
    name = "details"
    intents = ("show_details",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        product = await product_in_question(ctx, "details_which", "details_nothing_listed")
        if product is None:
            return
        payload = product_payload(product, ctx.language)
        info = payload["item"]
        badges = await self._badges(ctx, product)
        if badges:
            info["badges"] = badges
        ctx.set_slot(CURRENT_PRODUCT, {"id": product.id, "title": info["title"], "brand": product.brand})
        remember_viewed(ctx, product.id, product.category, product.brand, info["price"], info["title"])
        lines = [ctx.t("details_title", title=info["title"]),
                 ctx.t("details_best", price=ctx.money(info["price"]),
                       platform=platform_label(info["platform"], ctx.language),
                       promotion=f"({info['promotion']})" if info.get("promotion") else "")]
        for badge in badges:
            lines.append(ctx.t(f"badge_{badge}"))
        for offer in info["offers"]:
            lines.append(ctx.t("details_offer", platform=platform_label(offer["platform"], ctx.language),
                               price=ctx.money(offer["price"]), deals=self._deals(ctx, offer), rating=offer["rating"],
                               sales=offer["sales"]) + ("" if offer["stock"] > 0 else ctx.t("out_of_stock_mark")))
        for trap in info.get("variant_traps", []):  # the offers do not all sell the same thing
            lines.append(ctx.t("details_variant_trap", platform=platform_label(trap["platform"], ctx.language),
                               edition=trap["edition"]))
        specs = "; ".join(f"{k}: {v}" for k, v in list(info["specs"].items())[:6])
        if specs:
            lines.append(ctx.t("details_specs", specs=specs))
        for dim, options in info.get("variants", {}).items():
            lines.append(ctx.t("details_variants", dimension=ctx.t(f"variant_{dim}") if dim in
                               ("colour", "size", "storage", "flavour", "pack") else dim, options=" / ".join(options)))
        if info.get("reviews"):
            lines.append(ctx.t("details_reviews", reviews=" / ".join(f"“{r}”" for r in info["reviews"][:2])))
        lines.extend(await self._ratings(ctx, product, info))
        grouped = group_offer(product)
        if grouped is not None and grouped.group is not None:
            lines.append(ctx.t("details_group", platform=platform_label(grouped.platform, ctx.language),
                               price=ctx.money(grouped.group.price), size=grouped.group.size))
        buttons = [Button(ctx.t("button_buy"), button_payload("buy", product_id=product.id)),
                   Button(ctx.t("button_add_to_cart"), button_payload("add_to_cart", product_id=product.id)),
                   Button(ctx.t("button_alert"), button_payload("set_price_alert", product_id=product.id)),
                   Button(ctx.t("button_share"), button_payload("share", product_id=product.id))]
        if grouped is not None and grouped.group is not None:
            buttons.insert(2, Button(ctx.t("button_group_buy", price=ctx.money(grouped.group.price)),
                                     button_payload("start_group_buy", product_id=product.id,
                                                    platform=grouped.platform)))
        ctx.say_lines(lines, buttons=buttons, custom=payload, image=info.get("image_url") or None)
        shown = next((r for r in (info.get("rating_summary") or {}).get("recent", []) if r.get("photos")), None)
        if shown is not None:  # a shopper's photo of it, from their review
            ctx.say("details_review_photo", stars=shown["product_stars"], image=shown["photos"][0])

    @staticmethod
    async def _ratings(ctx: TurnContext, product: Any, info: dict[str, Any]) -> list[str]:
        """Shoppers' reviews here (count, average, the latest with words) and the seller's score."""
        reviews = ctx.services.reviews
        summary, recent = await reviews.product_reviews(product.id)
        info["rating_summary"] = {
            "count": summary.count, "average": None if summary.average is None else round(summary.average, 1),
            "recent": [{"product_stars": r.product_stars, "text": r.text, "at": r.at.isoformat(),
                        "photos": list(r.photos)} for r in recent]}
        merchant = next((o["merchant"] for o in info["offers"] if o["platform"] == info["platform"]), "")
        score = reviews.merchant_score(merchant)
        info["merchant"], info["merchant_score"] = merchant, score
        lines = []
        if summary.count and summary.average is not None:
            lines.append(ctx.t("details_rating", average=f"{summary.average:.1f}", count=summary.count))
            lines.extend(ctx.t("details_rating_line", stars=r.product_stars, text=r.text)
                         + (ctx.t("details_rating_photos", n=len(r.photos)) if r.photos else "")
                         for r in recent if r.text)
        if score is not None and merchant:
            lines.append(ctx.t("details_merchant_score", merchant=merchant_name(merchant, ctx.language), score=score))
        return lines

    @staticmethod
    def _deals(ctx: TurnContext, offer: dict[str, Any]) -> str:
        """"(was ¥83.00, 满300减40)": the was-price the card strikes through (the offer's original
        price) when it is higher, and the deals applied; "" when there is neither."""
        parts = []
        if Decimal(offer["original_price"]) > Decimal(offer["price"]):
            parts.append(ctx.t("details_was", price=ctx.money(offer["original_price"])))
        if offer.get("promotion"):
            parts.append(str(offer["promotion"]))
        return ctx.t("details_deals", deals=ctx.t("list_join").join(parts)) if parts else ""

    async def _badges(self, ctx: TurnContext, product: Any) -> list[str]:
        """"Lowest in 30 days" / "all-time low" when the price history says so."""
        history = ctx.services.price_history
        if not product.offers:
            return []
        best = best_quote(product.offers)
        if best is None:
            return []
        current = best[1].unit_price.amount  # the price the card shows
        badges = await price_badges(history, {product.id: current}, datetime.now(UTC))
        return badge_names(badges[product.id]) if product.id in badges else []


_BEST = (
    ("rating", re.compile(r"best[- ]?(rated|rating|reviewed|reviews)|highest[- ]?(rated|rating)|top[- ]rated|"
                          r"most (stars|liked)|评分最高|评分最好|好评最多|评价最好|口碑最好|分最高|星最多", re.IGNORECASE)),
    ("price", re.compile(r"cheapest|lowest[- ]price|least expensive|最便宜|价格最低|最实惠|哪个便宜", re.IGNORECASE)),
    ("sales", re.compile(r"best[- ]?sell(ing|er)|most popular|sells? (the )?most|most (sold|bought)|"
                         r"销量最高|销量最好|卖得最好|最多人买|最畅销|最火", re.IGNORECASE)),
)


_COMPARE_WORDS = re.compile(r"compar|vs\.?|versus|differen|better|比较|对比|区别|哪个好|差别", re.IGNORECASE)


def _superlative(text: str) -> str | None:
    """Which figure a "which one is the …-est" question asks about, if it asks one."""
    return next((key for key, pattern in _BEST if pattern.search(text)), None)


class CompareProducts(Flow):
    name = "compare"
    intents = ("compare_products",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        items = listed(ctx)
        best = _superlative(ctx.msg.text or "")
        platform = ctx.entity("platform")
        if best and items and len(ctx.entities("ordinal")) < 2:
            self._best(ctx, items, best, platform)  # "哪个最便宜" / "the cheapest on JD"
            return
        if platform and not ctx.entities("ordinal") and not _COMPARE_WORDS.search(ctx.msg.text or ""):
            await ShowDetails().start(ctx)  # "the JD one": that item, not a comparison
            return
        if len(items) < 2:
            ctx.say("compare_nothing_listed")
            return
        ordinals = ctx.entities("ordinal")
        if len(ordinals) >= 2:
            picked = []
            for o in ordinals[:MAX_COMPARE]:
                idx = ordinal_index(o, len(items))
                if idx is None:
                    ctx.say("ordinal_out_of_range", count=len(items))
                    return
                if items[idx] not in picked:
                    picked.append(items[idx])
        elif len(ordinals) == 1:
            ctx.say("compare_which", count=len(items))
            return
        else:
            picked = items[:2]  # "compare them" / "对比一下" after a list: the first two
        if len(picked) < 2:
            ctx.say("compare_which", count=len(items))
            return
        products = await asyncio.gather(*(load_product(ctx, item["id"]) for item in picked))  # at once
        if any(p is None for p in products):
            return
        payloads = [product_payload(p, ctx.language)["item"] for p in products]
        rows = self._rows(ctx, payloads)
        lines = [ctx.t("compare_title", n=len(payloads))]
        for row in rows:
            lines.append(f"{row['label']}: " + " | ".join(str(v) for v in row["values"]))
        cheapest = min(range(len(payloads)), key=lambda i: Decimal(payloads[i]["price"]))
        lines.append(ctx.t("compare_cheapest", title=payloads[cheapest]["title"]))
        items_payload = [{k: v for k, v in p.items() if k not in ("offers", "specs", "variants")} for p in payloads]
        buttons = [Button(ctx.t("button_buy_n", n=i + 1), button_payload("buy", product_id=p["id"]))
                   for i, p in enumerate(payloads)]
        ctx.say_lines(lines, buttons=buttons, custom={"type": "comparison", "items": items_payload, "rows": rows})

    @staticmethod
    def _best(ctx: TurnContext, items: list[dict[str, Any]], best: str, platform: str | None = None) -> None:
        """"Which one has the best rating?" / "哪个最便宜" over the list the shopper sees (its items
        on `platform` when one is named and listed): that item, said with its figure, with its
        details and buy buttons."""
        indexed = [i for i, item in enumerate(items) if item.get("platform") == platform] if platform else []
        indexed = indexed or list(range(len(items)))
        def figure(item: dict[str, Any]) -> Decimal:
            try:
                return Decimal(str(item.get(best) or 0))
            except ArithmeticError:
                return Decimal(0)
        if best == "price":
            idx = min(indexed, key=lambda i: figure(items[i]))
        else:
            idx = max(indexed, key=lambda i: figure(items[i]))
        item = items[idx]
        ctx.set_slot(CURRENT_PRODUCT, {"id": item["id"], "title": item["title"], "brand": item.get("brand")})
        ctx.say(f"compare_best_{best}", n=idx + 1, count=len(items), title=item["title"],
                price=ctx.money(item["price"]), platform=platform_label(item["platform"], ctx.language),
                rating=item.get("rating") or "-", sales=item.get("sales") or "-",
                buttons=[Button(ctx.t("button_details", n=idx + 1),
                                button_payload("show_details", ordinal=idx + 1, product_id=item["id"])),
                         Button(ctx.t("button_buy_n", n=idx + 1), button_payload("buy", product_id=item["id"]))])

    def _rows(self, ctx: TurnContext, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = [
            {"label": ctx.t("row_title"), "values": [i["title"] for i in items]},
            {"label": ctx.t("row_price"), "values": [ctx.money(i["price"]) for i in items]},
            {"label": ctx.t("row_platform"), "values": [platform_label(i["platform"], ctx.language) for i in items]},
            {"label": ctx.t("row_rating"), "values": [i["rating"] for i in items]},
            {"label": ctx.t("row_sales"), "values": [i["sales"] for i in items]},
        ]
        keys: list[str] = []
        for i in items:
            keys.extend(k for k in i["specs"] if k not in keys)
        for key in keys:
            values = [i["specs"].get(key, "-") for i in items]
            if len(set(values)) > 1:  # only the specs that differ matter
                rows.append({"label": key, "values": values})
        return rows
