"""Search and refine: collect product and budget, search every platform, remember the query."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from dialogue.flows.common import (
    CURRENT_PRODUCT,
    LAST_RESULTS,
    LAST_SEARCH,
    budget_from,
    currency_note,
    query_from_slot,
    query_to_slot,
    says_no_limit,
    to_decimal,
)
from dialogue.messages import Button, button_payload
from dialogue.presentation.products import platform_name, products_payload
from shop.brands import BRANDS
from shop.catalog import SearchQuery
from shop.taxonomy import name as category_name
from shop.vocabulary import canonical_brand, category_words, fold

SHOWN = 5
HINT_SHOWN = "search_hint_shown"
BROAD_TOTAL = 20  # a request with at least this many results gets budget chips

_CHEAPER = re.compile(r"(便宜|实惠|低一点|低点|少一点|预算低|cheaper|less expensive|lower price|budget)", re.IGNORECASE)
_PRICIER = re.compile(r"(贵一点|贵点|好一点|高端|更好的|pricier|more expensive|higher end|premium|better)", re.IGNORECASE)
_NEXT_PAGE = re.compile(r"(下一页|再来几个|还有别的|换一批|更多|next page|more results|show more|next)", re.IGNORECASE)
_OTHER_BRAND = re.compile(r"(换个牌子|别的牌子|其他品牌|其它品牌|不要这个牌子|another brand|other brands?|different brand)", re.IGNORECASE)
_ANY_PLATFORM = re.compile(r"(所有平台|全平台|都看看|全网|all platforms|any platform|every platform)", re.IGNORECASE)


# what a shopper says around a brand and a product that is neither ("I need", "我想买", "cheap")
_NOT_A_BRAND = frozenset({
    "i", "need", "want", "some", "any", "the", "a", "an", "for", "me", "buy", "find", "show", "get", "looking",
    "cheap", "good", "best", "new", "nice", "men's", "women's", "kids", "mens", "womens", "black", "white",
    "red", "blue", "pink", "green", "grey", "gray", "big", "small", "light", "running", "wireless", "please",
    "my", "our", "your", "his", "her", "their", "two", "one", "pair", "of", "used", "original", "genuine", "real",
    "bluetooth", "gaming", "smart", "electric", "portable", "noise", "cancelling", "baby", "office", "ergonomic",
    "hello", "hi", "hey", "search", "look", "where", "what", "which", "cheapest", "budget", "premium",
    "sports", "sport", "outdoor", "kitchen", "home", "travel", "winter", "summer", "leather", "cotton", "organic",
})
_ZH_LEAD = re.compile(r"^(我想要|我想买|我要买|我需要|想要|想买|我要|要买|帮我找|帮我搜|给我找|找一下|搜一下|看看|来个|来双|买个|买双|买|要|找|搜)")
_ZH_BRAND_SAID = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,10}?)(?:品牌|牌子|牌)的?")
_EN_BRAND_SAID = re.compile(r"\b(?:brand|made by|by)\s+([A-Za-z][\w'-]{2,20})|\b([A-Za-z][\w'-]{2,20})\s+brand\b", re.IGNORECASE)


def _unknown(word: str) -> bool:
    folded = fold(word.strip())
    return bool(folded) and folded not in _NOT_A_BRAND and canonical_brand(folded) is None \
        and folded not in category_words() and not folded.isdigit()


def unknown_brand(ctx: TurnContext) -> tuple[str, str | None] | None:
    """(brand, product) when the message names a brand the shop does not know beside a kind of
    product ("Zorblax shoes", "佐布拉克斯 鞋", "佐布拉克牌的鞋子"); the product when the NLU did
    not tag one. None when every word is accounted for."""
    text = (ctx.msg.text or "").strip()
    if not text or text.startswith("/") or ctx.entity("brand") or len(text) > 60:
        return None
    product = ctx.entities("product")
    spans = [e for e in ctx.parse.entities if e.entity in ("product", "category") and e.extractor != "fallback"]
    m = _EN_BRAND_SAID.search(text)
    if m and _unknown(m.group(1) or m.group(2)):
        return (m.group(1) or m.group(2)), None
    m = _ZH_BRAND_SAID.search(_ZH_LEAD.sub("", text))
    if m and _unknown(m.group(1)):
        return m.group(1), None
    if spans:  # the word right before the product ("I need Zorblax shoes")
        before = text[: min(e.start for e in spans)]
        # an English word written with a capital, or Chinese set apart by a space ("佐布拉克斯 鞋子")
        word = re.search(r"(?:^|\s)([A-Z][\w'-]{2,20})\s+$", before) or re.search(r"(?:^|\s)([\u4e00-\u9fff]{2,10})\s+$", before)
        if word:
            candidate = _ZH_LEAD.sub("", word.group(1))
            if len(candidate) >= 2 and _unknown(candidate) and not any(fold(candidate) in fold(str(p)) for p in product):
                return candidate, None
        return None
    tokens = text.split()  # "佐布拉克斯 鞋": no product tagged, the last word is a kind of product
    if len(tokens) == 2 and fold(tokens[1]) in category_words() and _unknown(_ZH_LEAD.sub("", tokens[0])):
        return _ZH_LEAD.sub("", tokens[0]), tokens[1]
    return None


def platform_label(platform: str, language: str) -> str:
    return platform_name(platform, language)


def budget_chips(ctx: TurnContext, prices: list[Decimal], total: int) -> list[Button]:
    """Budget chips for a broad request (many results, or a wide price range): below, within and
    above the prices shown. None for a narrow one."""
    if len(prices) < 2 or min(prices) <= 0 or (total < BROAD_TOTAL and max(prices) / min(prices) < 3):
        return []
    ordered = sorted(prices)
    low, high = _round_price(ordered[len(ordered) // 2]), _round_price(ordered[-1])
    if high <= low:
        return []
    return [Button(ctx.t("button_budget_under", price=_chip_money(low)), button_payload("refine_search", price_max=int(low))),
            Button(ctx.t("button_budget_between", low=_chip_money(low), high=_chip_money(high)),
                   button_payload("refine_search", price_min=int(low), price_max=int(high))),
            Button(ctx.t("button_budget_over", price=_chip_money(high)), button_payload("refine_search", price_min=int(high)))]


def brand_name(brand: str, language: str) -> str:
    """A brand as the shopper reads it: 三星 / Samsung."""
    return BRANDS.get(brand, brand) if language == "zh" else brand


def _chip_money(amount: Decimal) -> str:
    return f"¥{int(amount):,}"


def _round_price(price: Decimal) -> Decimal:
    """A round budget near a price: 2 significant digits (3,468 → 3,500; 268 → 270)."""
    if price < 10:
        return price.quantize(Decimal(1))
    digits = len(str(int(price))) - 2
    step = Decimal(10) ** digits
    return (price / step).quantize(Decimal(1)) * step


async def run_search(ctx: TurnContext, query: SearchQuery, refining: bool = False,
                     acknowledge: str | None = None) -> None:
    """Search, then answer with the top items as text, a `products` payload and buttons.
    A refinement that finds nothing keeps the list and query the shopper already has."""
    result = await ctx.services.search.search(query)
    if refining and not result.items and (ctx.slot(LAST_RESULTS) or []):
        ctx.say("search_no_more" if query.page > 1 else "refine_no_results")
        return
    ctx.set_slot(LAST_SEARCH, query_to_slot(query))
    if result.reason == "no_such_kind" and not result.items:
        ctx.set_slot(LAST_RESULTS, [])
        kind = "、".join(category_name(k, ctx.language) for k in result.kinds) if ctx.language == "zh" \
            else " / ".join(category_name(k, ctx.language).lower() for k in result.kinds)
        nearby = [category_name(k, ctx.language) for k in result.nearby]
        if nearby:
            ctx.say("search_no_kind_nearby", kind=kind, nearby=("、" if ctx.language == "zh" else ", ").join(nearby),
                    buttons=[Button(n, button_payload("search_product", product=n)) for n in nearby])
        else:
            ctx.say("search_no_kind", kind=kind)
        return
    if result.reason == "no_match" and query.page == 1 and await _relaxed(ctx, query):
        return
    if result.reason and not result.items:
        ctx.set_slot(LAST_RESULTS, [])
        key = {"unknown_platform": "search_unknown_platform", "unknown_brand": "search_unknown_brand",
               "invalid_price_range": "search_bad_budget"}.get(result.reason, "search_no_results")
        ctx.say(key, brand=query.brand or "", product=query.product or "")
        return
    if not result.items:
        ctx.set_slot(LAST_RESULTS, [])
        ctx.say("search_no_results" if query.page == 1 else "search_no_more")
        return
    payload = products_payload(result, ctx.language)
    items: list[dict[str, Any]] = payload["items"]
    for item, hit in zip(items, result.items, strict=True):  # the seller and their score, on the card
        item["merchant"] = hit.offer.merchant
        item["merchant_score"] = ctx.services.reviews.merchant_score(hit.offer.merchant)
    ctx.set_slot(LAST_RESULTS, [{"id": i["id"], "title": i["title"], "platform": i["platform"],
                                 "price": i["price"], "brand": i["brand"], "rating": i.get("rating"),
                                 "sales": i.get("sales")} for i in items])
    ctx.set_slot(CURRENT_PRODUCT, None)
    header = ctx.t("search_found_in" if query.platforms else "search_found", total=result.total, shown=len(items),
                   platforms="、".join(platform_label(p, ctx.language) for p in query.platforms))
    lines = [acknowledge + " " + header if acknowledge else header]
    offset = 0
    for n, item in enumerate(items, start=1 + offset):
        promo = f"({item['promotion']})" if item.get("promotion") else ""
        lines.append(ctx.t("search_line", n=n, title=item["title"], price=ctx.money(item["price"]),
                           platform=platform_label(item["platform"], ctx.language), promotion=promo)
                     + (ctx.t("search_line_score", score=item["merchant_score"])
                        if item["merchant_score"] is not None else ""))
    if "price_range_swapped" in result.notes:
        lines.append(ctx.t("search_note_swapped"))
    if result.partial:
        names = "、".join(platform_label(p, ctx.language) for p in payload.get("unavailable_platforms", []))
        lines.append(ctx.t("search_partial", platforms=names))
    if not ctx.slot(HINT_SHOWN):  # the hint the first time only
        lines.append(ctx.t("search_hint"))
        ctx.set_slot(HINT_SHOWN, True)
    chips = [] if refining or query.price_min is not None or query.price_max is not None else budget_chips(
        ctx, [d for d in (to_decimal(i["price"]) for i in items) if d is not None], result.total)
    buttons = chips + [Button(ctx.t("button_details", n=n), button_payload("show_details", ordinal=n,
                                                                      product_id=items[n - 1]["id"]))
               for n in range(1, min(3, len(items)) + 1)]
    if result.page < result.pages:
        buttons.append(Button(ctx.t("button_next_page"), "/refine_search{\"page\": \"next\"}"))
    ctx.say_lines(lines, buttons=buttons, custom=payload)


def _budget_words(query: SearchQuery, ctx: TurnContext) -> str:
    low, high = query.price_min, query.price_max
    if low is not None and high is not None:
        return ctx.t("budget_between", low=_chip_money(low), high=_chip_money(high))
    if high is not None:
        return ctx.t("budget_under", price=_chip_money(high))
    return ctx.t("budget_over", price=_chip_money(low or Decimal(0)))


async def _relaxed(ctx: TurnContext, query: SearchQuery) -> bool:
    """Nothing matched every condition: say which one failed and show the nearest thing instead
    (other brands within the budget, the brand just outside it, the closest prices, other
    platforms) — never a bare "nothing matched". False when nothing comes near either."""
    search = ctx.services.search.search
    product = query.product or (category_name(query.category, ctx.language) if query.category else "")
    brand = brand_name(query.brand, ctx.language) if query.brand else ""
    budget = query.price_min is not None or query.price_max is not None
    unbounded = replace(query, price_min=None, price_max=None)
    if budget and query.brand:
        cheapest = await search(replace(unbounded, sort_by="price_asc", page_size=1))
        if cheapest.items:
            note_fields = {"brand": brand, "product": product, "budget": _budget_words(query, ctx),
                           "cheapest": ctx.money(cheapest.items[0].price.total.amount)}
            others = replace(query, brand=None)
            if (await search(replace(others, page_size=1))).items:
                await run_search(ctx, others, acknowledge=ctx.t("search_relaxed_budget_brand", **note_fields))
            else:
                await run_search(ctx, replace(unbounded, sort_by="price_asc"),
                                 acknowledge=ctx.t("search_relaxed_brand_cheapest", **note_fields))
            return True
    if budget:
        above = replace(query, price_max=None, sort_by="price_asc") if query.price_max is not None else None
        below = replace(query, price_min=None, price_max=query.price_min, sort_by="price_desc") \
            if query.price_min is not None else None
        for nearest in (above, below):
            if nearest is not None and (await search(replace(nearest, page_size=1))).items:
                await run_search(ctx, nearest, acknowledge=ctx.t("search_relaxed_budget", product=product,
                                                                 budget=_budget_words(query, ctx)))
                return True
    if query.brand and (await search(replace(query, brand=None, page_size=1))).items:
        await run_search(ctx, replace(query, brand=None),
                         acknowledge=ctx.t("search_relaxed_brand", brand=brand, product=product))
        return True
    if query.platforms and (await search(replace(query, platforms=(), page_size=1))).items:
        names = "、".join(platform_label(p, ctx.language) for p in query.platforms)
        await run_search(ctx, replace(query, platforms=()), acknowledge=ctx.t("search_relaxed_platform", platforms=names))
        return True
    return False


class SearchProduct(Flow):
    """search_product: asks for what is missing (product, then budget), then searches."""

    name = "search"
    intents = ("search_product",)

    async def start(self, ctx: TurnContext) -> None:
        frame = self._frame_from(ctx, {})
        unknown = unknown_brand(ctx)
        if unknown is not None:  # say the brand is not known, and offer what was found of the kind
            if unknown[1] and (not frame.get("product") or ctx.entity("product") == (ctx.msg.text or "").strip()):
                frame["product"] = unknown[1]
            if frame.get("product"):
                frame["unknown_brand"] = unknown[0]
        if not frame.get("product") and not frame.get("brand") and ctx.slot(LAST_SEARCH) and (
                budget_from(ctx) is not None or frame.get("sort_by") or frame.get("platforms")):
            await RefineSearch().start(ctx)  # "under 3000" after a list: a refinement of it
            return
        await self._next(ctx, frame, started=False)

    def _frame_from(self, ctx: TurnContext, frame: dict[str, Any]) -> dict[str, Any]:
        frame = dict(frame)
        product = ctx.entity("product") or ctx.entity("category")
        if product:
            frame["product"] = with_attributes(str(product), ctx)  # "27 inch Dell monitors": the size is searched too
        if ctx.entity("brand"):
            frame["brand"] = str(ctx.entity("brand"))
        platforms = [str(p) for p in ctx.entities("platform")]
        if platforms:
            frame["platforms"] = platforms
        if ctx.entity("sort_by"):
            frame["sort_by"] = str(ctx.entity("sort_by"))
        budget = budget_from(ctx)
        if budget is not None:
            frame["price_min"] = None if budget[0] is None else str(budget[0])
            frame["price_max"] = None if budget[1] is None else str(budget[1])
            frame["budget_done"] = True
        return frame

    async def _next(self, ctx: TurnContext, frame: dict[str, Any], *, started: bool) -> None:
        if not frame.get("product") and not frame.get("brand"):
            frame["awaiting"] = "product"
            self._save(ctx, frame, started)
            ctx.say("ask_product")
            return
        if started:  # never hold the shopper in a budget question: search now (chips offer budgets)
            ctx.end_flow(self.name)
        query = SearchQuery(
            product=frame.get("product"), brand=frame.get("brand"),
            price_min=to_decimal(frame.get("price_min")), price_max=to_decimal(frame.get("price_max")),
            platforms=tuple(frame.get("platforms") or ()), sort_by=frame.get("sort_by"), page_size=SHOWN)
        note = currency_note(ctx)
        if frame.get("unknown_brand"):
            note = ctx.t("search_brand_unknown_found", brand=frame["unknown_brand"]) + (" " + note if note else "")
        await run_search(ctx, query, acknowledge=note)

    def _save(self, ctx: TurnContext, frame: dict[str, Any], started: bool) -> None:
        if started:
            ctx.update_frame(self.name, frame)
        else:
            ctx.start_flow(self.name, frame)

    async def resume(self, ctx: TurnContext) -> bool:
        frame = dict(ctx.active_frame.frame)  # type: ignore[union-attr]
        awaiting = frame.get("awaiting")
        if ctx.intent == "search_product":
            ctx.end_flow(self.name)
            return False  # a new search: start over with it
        if ctx.intent not in ("inform", "nlu_fallback", "affirm", "deny", "out_of_scope", "refine_search"):
            return False
        frame = self._frame_from(ctx, frame)
        if awaiting == "product" and not frame.get("product") and not frame.get("brand"):
            text = (ctx.msg.text or "").strip()
            if ctx.intent in ("inform", "nlu_fallback", "out_of_scope") and 0 < len(text) <= 40 \
                    and not text.startswith("/"):
                frame["product"] = text  # a bare answer to "what are you looking for?"
            else:
                ctx.say("ask_product")
                return True
        if awaiting == "budget" and not frame.get("budget_done"):
            if says_no_limit(ctx) or ctx.entity("no_limit"):
                frame["budget_done"] = True
            else:
                misses = int(frame.get("misses", 0)) + 1
                frame["misses"] = misses
                ctx.update_frame(self.name, frame)
                ctx.say("ask_budget_again" if misses == 1 else "ask_budget_help",
                        buttons=[Button(ctx.t("button_no_limit"), '/inform{"no_limit": true}')])
                return True
        await self._next(ctx, frame, started=True)
        return True

    async def reprompt(self, ctx: TurnContext) -> None:
        frame = ctx.active_frame.frame if ctx.active_frame else {}
        if frame.get("awaiting") == "budget":
            ctx.say("ask_budget", product=frame.get("product") or frame.get("brand") or "")
        else:
            ctx.say("ask_product")


# a size, capacity or the like written with its number ("27寸", "256G", "42码", "1.5匹"): a new one replaces it
_MEASURE = re.compile(r"\d+(?:\.\d+)?\s*(?:-?inch(?:es)?|英寸|寸|码|gb?|tb|ml|l|升|匹|mah|w|kg|斤|cm|mm)(?![a-z])", re.IGNORECASE)


def attributes_of(ctx: TurnContext) -> list[str]:
    return [str(a).strip() for a in ctx.entities("attribute") if str(a).strip()]


def with_attributes(product: str, ctx: TurnContext) -> str:
    """The product words with the attributes said beside them, which search matches in titles
    and specs; the NLU gives them apart ("27寸显示器" → attribute 27寸, product 显示器)."""
    extra = [a for a in attributes_of(ctx) if a.lower() not in product.lower()]
    return " ".join([*extra, product]) if extra else product


class RefineSearch(Flow):
    """refine_search: change the remembered query without restating it."""

    name = "refine"
    intents = ("refine_search",)

    async def start(self, ctx: TurnContext) -> None:
        saved = ctx.slot(LAST_SEARCH)
        if not saved:
            # Nothing to refine: treat what was said as a new search.
            await SearchProduct().start(ctx)
            return
        q = query_from_slot(saved)
        text = ctx.msg.text or ""
        page = ctx.entity("page")
        changed = replace(q, page=1)
        if page == "next" or (_NEXT_PAGE.search(text) and not ctx.parse.entities):
            changed = replace(q, page=q.page + 1)
        platforms = tuple(str(p) for p in ctx.entities("platform"))
        if platforms:
            changed = replace(changed, platforms=platforms)
        elif _ANY_PLATFORM.search(text):
            changed = replace(changed, platforms=())
        if ctx.entity("sort_by"):
            changed = replace(changed, sort_by=str(ctx.entity("sort_by")))
        if ctx.entity("brand"):
            changed = replace(changed, brand=str(ctx.entity("brand")))
        elif _OTHER_BRAND.search(text):
            changed = replace(changed, brand=None)
        if ctx.entity("product"):
            changed = replace(changed, product=with_attributes(str(ctx.entity("product")), ctx))
        elif attributes_of(ctx) and q.product:  # "only 27 inch", "要256G的": the same search with that too
            base = _MEASURE.sub(" ", q.product).strip() if any(_MEASURE.search(a) for a in attributes_of(ctx)) else q.product
            changed = replace(changed, product=with_attributes(base, ctx))
        budget = budget_from(ctx)
        if budget is not None:
            changed = replace(changed, price_min=budget[0], price_max=budget[1])
        elif _CHEAPER.search(text) and not ctx.entity("sort_by"):
            changed = await self._cheaper(ctx, q, changed)
        elif _PRICIER.search(text) and not ctx.entity("sort_by"):
            changed = replace(changed, price_min=self._pricier_floor(ctx, q), price_max=None)
        if changed == q:
            ctx.say("refine_what")
            return
        await run_search(ctx, changed, refining=True,
                         acknowledge=currency_note(ctx) or self._acknowledgement(ctx, q, changed))

    @staticmethod
    def _acknowledgement(ctx: TurnContext, q: SearchQuery, changed: SearchQuery) -> str | None:
        """One short line saying what changed ("按销量排好了:"), so a refinement is acknowledged."""
        if changed.page != q.page:
            return None
        if changed.sort_by != q.sort_by and changed.sort_by:
            return ctx.t(f"ack_sort_{changed.sort_by}")
        if changed.platforms != q.platforms:
            return ctx.t("ack_platforms", platforms="、".join(platform_label(p, ctx.language) for p in changed.platforms)) \
                if changed.platforms else ctx.t("ack_all_platforms")
        if changed.brand != q.brand and changed.brand:
            return ctx.t("ack_brand", brand=changed.brand)
        if changed.product != q.product and attributes_of(ctx) and not ctx.entity("product"):
            return ctx.t("ack_attribute", attribute=ctx.t("list_join").join(attributes_of(ctx)))
        if (changed.price_min, changed.price_max) != (q.price_min, q.price_max):
            return ctx.t("ack_budget")
        return None

    async def _cheaper(self, ctx: TurnContext, q: SearchQuery, changed: SearchQuery) -> SearchQuery:
        """Below the cheapest item shown when there is anything there; else the same search,
        cheapest first (said so)."""
        capped = replace(changed, price_max=self._cheaper_cap(ctx, q), price_min=None)
        if (await ctx.services.search.search(capped)).items:
            return capped
        ctx.say("refine_cheapest_first")
        return replace(changed, sort_by="price_asc")

    @staticmethod
    def _shown_prices(ctx: TurnContext) -> list[Decimal]:
        return [d for d in (to_decimal(i.get("price")) for i in ctx.slot(LAST_RESULTS) or []) if d is not None]

    def _cheaper_cap(self, ctx: TurnContext, q: SearchQuery) -> Decimal:
        prices = self._shown_prices(ctx)
        if prices:  # strictly cheaper than anything shown
            return min(prices) - Decimal("0.01")
        return ((q.price_max or Decimal(100)) * Decimal("0.8")).quantize(Decimal(1))

    def _pricier_floor(self, ctx: TurnContext, q: SearchQuery) -> Decimal:
        prices = self._shown_prices(ctx)
        base = max(prices) if prices else (q.price_min or Decimal(0))
        return (base * Decimal("1.05")).quantize(Decimal(1))
