"""Recommendations from what the shopper searched, viewed and bought, with the reason said."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from statistics import median
from typing import Any

from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from dialogue.flows.common import LAST_RESULTS, LAST_SEARCH, VIEWED, budget_from, query_to_slot, to_decimal
from dialogue.flows.search import SHOWN, platform_label
from dialogue.messages import Button, button_payload
from dialogue.ports import FeatureUnavailable
from dialogue.presentation.products import products_payload
from shop.catalog import Product, SearchQuery

BOUGHT_ORDERS = 3  # the latest orders count for recommendations
POPULAR_CATEGORIES = ("phones", "earphones", "running_shoes", "kitchen", "beauty")


class Recommend(Flow):
    name = "recommend"
    intents = ("recommend",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        viewed: list[dict[str, Any]] = list(ctx.slot(VIEWED) or [])
        bought = await self._bought(ctx)
        history = bought + viewed
        asked = ctx.entity("product") or ctx.entity("category")
        if asked:
            budget = budget_from(ctx) or (None, None)
            query = SearchQuery(product=str(asked), brand=ctx.entity("brand"), price_min=budget[0],
                                price_max=budget[1], sort_by="rating", page_size=SHOWN)
            await self._answer(ctx, query, "recommend_for_asked", set(), what=str(asked))
            return
        if history:
            category = Counter(h["category"] for h in history if h.get("category")).most_common(1)[0][0]
            brands = Counter(h["brand"] for h in history if h.get("category") == category and h.get("brand"))
            prices = [p for p in (to_decimal(h.get("price")) for h in history if h.get("category") == category) if p]
            lo = hi = None
            if prices:
                mid = Decimal(str(median(prices)))
                lo, hi = (mid * Decimal("0.6")).quantize(Decimal(1)), (mid * Decimal("1.5")).quantize(Decimal(1))
            seen = {h["id"] for h in history}
            because = next(h for h in history if h.get("category") == category)
            key = "recommend_because_bought" if because in bought else "recommend_because_viewed"
            brand = brands.most_common(1)[0][0] if brands else None
            query = SearchQuery(category=category, brand=brand, price_min=lo, price_max=hi, sort_by="rating",
                                page_size=SHOWN + len(seen))
            if await self._answer(ctx, query, key, seen, what=because.get("title") or category):
                return
            query = SearchQuery(category=category, sort_by="rating", page_size=SHOWN + len(seen))
            if await self._answer(ctx, query, key, seen, what=because.get("title") or category):
                return
        last = ctx.slot(LAST_SEARCH)
        if last and last.get("product"):
            query = SearchQuery(product=last["product"], sort_by="sales", page_size=SHOWN)
            if await self._answer(ctx, query, "recommend_because_searched", set(), what=last["product"]):
                return
        await self._popular(ctx)

    async def _bought(self, ctx: TurnContext) -> list[dict[str, Any]]:
        """What the shopper ordered lately, with each product's category and brand from the catalog."""
        if ctx.shopper is None:
            return []
        try:
            recent = await ctx.services.orders.list_for_shopper(ctx.shopper.id, limit=BOUGHT_ORDERS)
        except FeatureUnavailable:  # orders are off: recommend from what was viewed
            return []
        lines = [line for order in recent for line in order.lines]
        found = await asyncio.gather(*(ctx.services.search.get_product(line.product_id) for line in lines),
                                     return_exceptions=True)
        out = []
        for line, product in zip(lines, found, strict=True):
            if isinstance(product, Product):  # a product no platform answers for is left out
                out.append({"id": line.product_id, "category": product.category, "brand": product.brand,
                            "price": str(line.unit_price), "title": line.title})
        return out

    async def _answer(self, ctx: TurnContext, query: SearchQuery, key: str, exclude: set[str], what: str) -> bool:
        result = await ctx.services.search.search(query)
        payload = products_payload(result, ctx.language)
        items = [i for i in payload["items"] if i["id"] not in exclude][:SHOWN]
        if not items:
            return False
        payload["items"] = items
        self._show(ctx, items, payload, ctx.t(key, what=what))
        ctx.set_slot(LAST_SEARCH, query_to_slot(replace(query, page_size=SHOWN)))  # "only jd" refines these
        return True

    async def _popular(self, ctx: TurnContext) -> None:
        items: list[dict[str, Any]] = []
        for category in POPULAR_CATEGORIES:
            result = await ctx.services.search.search(SearchQuery(category=category, sort_by="sales", page_size=1))
            items.extend(products_payload(result, ctx.language)["items"][:1])
        if not items:
            ctx.say("search_no_results")
            return
        payload = {"type": "products", "query": {"sort_by": "sales"}, "total": len(items), "items": items}
        self._show(ctx, items, payload, ctx.t("recommend_popular"))

    def _show(self, ctx: TurnContext, items: list[dict[str, Any]], payload: dict[str, Any], intro: str) -> None:
        ctx.set_slot(LAST_RESULTS, [{"id": i["id"], "title": i["title"], "platform": i["platform"],
                                     "price": i["price"], "brand": i["brand"], "rating": i.get("rating"),
                                 "sales": i.get("sales")} for i in items])
        lines = [intro]
        for n, item in enumerate(items, start=1):
            lines.append(ctx.t("search_line", n=n, title=item["title"], price=ctx.money(item["price"]),
                               platform=platform_label(item["platform"], ctx.language), promotion=""))
        buttons = [Button(ctx.t("button_details", n=n), button_payload("show_details", ordinal=n,
                                                                      product_id=items[n - 1]["id"]))
                   for n in range(1, min(3, len(items)) + 1)]
        ctx.say_lines(lines, buttons=buttons, custom=payload)
