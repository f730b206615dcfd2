"""The search aggregator: fan out to the platforms, merge, rank, filter, sort, paginate, cache.

Pure Python over the ports: `MarketplaceConnector` per platform and a `Cache`.
Bad input never raises: an unknown platform or brand, or an impossible price range, gives an
empty `SearchResult` whose `reason` says why; a failing or late platform is named in
`failed_platforms` / `late_platforms` while the others' results are shown.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from shop.cache import Cache, product_from_dict, product_to_dict
from shop.catalog import PLATFORMS, Offer, Product, SearchQuery
from shop.fanout import fan_out
from shop.ports import MarketplaceConnector, PlatformUnavailable
from shop.price_history import PricePoint, PriceRecorder
from shop.pricing import PriceQuote, best_quote, quote
from shop.relevance import MAX_QUERY_CHARS, UnderstoodQuery, score, understand, warm_up
from shop.reviews import ranking_factor
from shop.search_result import SearchHit, SearchResult
from shop.taxonomy import ancestors, nearest, related
from shop.vocabulary import CATEGORIES, PLATFORM_NAMES, canonical_brand, category_words, fold

log = logging.getLogger(__name__)
SORTS = ("price_asc", "price_desc", "sales", "rating")
RELEVANCE_FLOOR = 0.75  # keep hits scoring at least this share of the best hit's score
MAX_PAGE_SIZE = 50
GENERATION_REFRESH = 1.0  # seconds between re-reads of the shared cache generation
_PLATFORM_ALIASES = {fold(alias): key for key, (zh, en) in PLATFORM_NAMES.items()
                     for alias in (key, zh, en)} | {"天猫": "taobao", "tmall": "taobao",
                                                   "京东商城": "jd", "pinduoduo": "pdd"}
_CATEGORY_WORDS = category_words()


def canonical_platform(text: str) -> str | None:
    """"京东" / "JD" / "jd" -> "jd"; None when it is not a platform we know."""
    return _PLATFORM_ALIASES.get(fold(text))


def _cache_key(q: SearchQuery) -> str:
    # no sort_by: one cached ranking serves every order of the same results ("sort by sales")
    raw = json.dumps([q.product, q.brand, q.category, str(q.price_min), str(q.price_max),
                      sorted(q.platforms)], ensure_ascii=False)
    return hashlib.sha1(raw.encode()).hexdigest()


SortKeys = tuple[float, Decimal, int, float]  # relevance, effective price, sales, best rating


def _sort_keys(h: SearchHit) -> SortKeys:
    return (h.score, h.price.total.amount, sum(o.sales for o in h.product.offers),
            max((o.rating for o in h.product.offers), default=0.0))


def _order(sort_by: str | None) -> Callable[[SortKeys], tuple[object, ...]]:
    """The ordering of one sort choice over (relevance, price, sales, rating)."""
    if sort_by == "price_asc":
        return lambda k: (k[1], -k[0], -k[2])
    if sort_by == "price_desc":
        return lambda k: (-k[1], -k[0], -k[2])
    if sort_by == "sales":
        return lambda k: (-k[2], -k[0])
    if sort_by == "rating":
        return lambda k: (-k[3], -k[2])
    return lambda k: (-k[0], -k[2], k[1])


class OfferFilter(Protocol):
    """Offers search must leave out (delisted products, suspended merchants: shop/spot_checks.py)."""

    async def refresh(self, force: bool = False) -> None: ...

    def hides(self, platform: str, platform_product_id: str, merchant: str) -> bool: ...


class MerchantScoreSource(Protocol):
    """Merchants' scores (shop/reviews.py MerchantScores): poor merchants rank lower."""

    async def refresh(self, force: bool = False) -> None: ...

    def score(self, merchant: str) -> int | None: ...


@dataclass(frozen=True)
class _Normalised:
    query: SearchQuery
    understood: UnderstoodQuery
    brands: frozenset[str]
    notes: tuple[str, ...]


class SearchAggregator:
    """Searches every connected platform at once and answers within one deadline."""

    def __init__(self, connectors: Mapping[str, MarketplaceConnector], cache: Cache | None = None,
                 *, deadline_seconds: float = 1.5, cache_ttl_seconds: float = 60.0,
                 candidate_limit: int = 50, cache_prefix: str = "search:",
                 clock: Callable[[], float] = time.monotonic, price_recorder: PriceRecorder | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.connectors = dict(connectors)
        self.cache = cache
        self.deadline_seconds = deadline_seconds
        self.cache_ttl_seconds = cache_ttl_seconds
        self.candidate_limit = candidate_limit
        self.cache_prefix = cache_prefix
        self._clock = clock
        self._locations: dict[str, dict[str, str]] = {}  # product id -> platform -> platform id
        self.price_recorder = price_recorder
        self._now = now
        self._background: set[asyncio.Task[None]] = set()
        self._generation: tuple[str, float] | None = None  # (cache generation, read at)
        self.offer_filter: OfferFilter | None = None  # set by the bootstrap when merchants are vetted
        self.merchant_scores: MerchantScoreSource | None = None

    async def start(self) -> None:
        """Load the Chinese word segmenter now (about a second) instead of in the first search."""
        await asyncio.to_thread(warm_up)

    # ---- query normalisation -------------------------------------------------------------

    def _normalise(self, query: SearchQuery) -> _Normalised | SearchResult:
        notes: list[str] = []
        platforms: list[str] = []
        for name in query.platforms:
            key = canonical_platform(name)
            if key is None or key not in self.connectors:
                known = ", ".join(p for p in PLATFORMS if p in self.connectors)
                return SearchResult.empty(query, "unknown_platform",
                                          f"Unknown platform {name!r}; searchable: {known}.")
            if key not in platforms:
                platforms.append(key)
        brand = None
        if query.brand:
            brand = canonical_brand(query.brand)
            if brand is None:
                return SearchResult.empty(query, "unknown_brand", f"Unknown brand {query.brand!r}.")
        category = None
        if query.category:
            category = query.category if query.category in CATEGORIES else _CATEGORY_WORDS.get(fold(query.category))
            if category is None:
                return SearchResult.empty(query, "unknown_category", f"Unknown category {query.category!r}.")
        lo, hi = query.price_min, query.price_max
        if lo is not None and lo < 0:
            lo = None
            notes.append("negative_price_min_ignored")
        if hi is not None and hi <= 0:
            return SearchResult.empty(query, "invalid_price_range",
                                      f"The highest price must be above zero (got {hi}).")
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
            notes.append("price_range_swapped")
        product = query.product.strip() if query.product else None
        if product and len(product) > MAX_QUERY_CHARS:
            product = product[:MAX_QUERY_CHARS]
            notes.append("query_truncated")
        sort_by = query.sort_by if query.sort_by in SORTS else None
        if query.sort_by and sort_by is None:
            notes.append("unknown_sort_ignored")
        normal = replace(query, product=product or None, brand=brand, category=category,
                         price_min=lo, price_max=hi, platforms=tuple(platforms), sort_by=sort_by,
                         page=max(1, query.page), page_size=min(max(1, query.page_size), MAX_PAGE_SIZE))
        understood = understand(product)
        brands = frozenset({brand}) if brand else understood.brands_in_text
        if category:
            wanted = frozenset(c if category in ancestors(c) else category
                               for c in understood.categories if related(c, category)) \
                if understood.categories else frozenset({category})
            if not wanted:
                return SearchResult.empty(normal, "no_match", "The product words name another category.")
            understood = replace(understood, categories=wanted)
        return _Normalised(normal, understood, brands, tuple(notes))

    # ---- search ---------------------------------------------------------------------------

    async def search(self, query: SearchQuery, *, suggest: bool = True) -> SearchResult:
        """Ranked, filtered, sorted products of every selected platform, one page of them.

        A search naming a kind the catalog has nothing of answers `no_such_kind` with nearby
        kinds that have products (`suggest=False`: don't look for them)."""
        norm = self._normalise(query)
        if isinstance(norm, SearchResult):
            return norm
        q = norm.query
        if self.offer_filter is not None:
            await self.offer_filter.refresh()
        if self.merchant_scores is not None:
            await self.merchant_scores.refresh()
        key = await self._key(q)
        if self.cache is not None:
            cached = await self.cache.get(key)
            if cached is not None:
                return self._from_cache(q, cached, norm.notes)
        platforms = list(q.platforms) or [p for p in PLATFORMS if p in self.connectors]
        platforms += [p for p in self.connectors if p not in platforms and not q.platforms]
        keywords = _platform_keywords(q.product, norm.understood)
        if not keywords and q.category in CATEGORIES:
            keywords = CATEGORIES[q.category][0]  # a kind alone ("recommend a phone"): its name
        ask = replace(q, product=keywords, platforms=(), page=1,
                      page_size=self.candidate_limit,
                      category=next(iter(norm.understood.categories)) if len(norm.understood.categories) == 1
                      else q.category)
        calls = {p: self.connectors[p].search(ask, limit=self.candidate_limit) for p in platforms}
        got = await fan_out(calls, self.deadline_seconds)
        merged = self._merge(got.results)
        self._record(merged)
        hits = self._rank(merged, norm)
        if self.cache is not None and hits and not got.failed and not got.late:
            await self.cache.set(key, self._encode(hits), self.cache_ttl_seconds)
        if q.sort_by:
            order = _order(q.sort_by)
            hits = sorted(hits, key=lambda h: order(_sort_keys(h)))
        result = SearchResult.page_of(q, hits, notes=norm.notes,
                                      failed=tuple(sorted(got.failed)), late=tuple(got.late))
        if not hits and not got.results:
            names = ", ".join(sorted({*got.failed, *got.late}))
            result = replace(result, reason="platforms_unavailable", message=f"No platform answered in time: {names}.")
        elif not hits:
            result = replace(result, reason="no_match", message="No product matches the search.")
            if suggest and norm.understood.categories and not got.failed and not got.late:
                result = await self._no_such_kind(result, norm)
        return replace(result, kinds=tuple(sorted(norm.understood.categories)))

    async def _no_such_kind(self, result: SearchResult, norm: _Normalised) -> SearchResult:
        """Nothing matched a search naming a kind: when that kind has no products at all (any brand,
        any price), say so and name up to three nearby kinds that have some."""
        kinds = sorted(norm.understood.categories)
        if (norm.brands or norm.query.price_min is not None or norm.query.price_max is not None
                or norm.query.platforms or norm.understood.words):
            plain = await self.search(SearchQuery(category=kinds[0], page_size=1), suggest=False)
            if plain.items:
                return result  # the kind exists: the brand, budget or words ruled it out
        candidates = [c for kind in kinds for c in nearest(kind, limit=6)]
        found = await asyncio.gather(*(self.search(SearchQuery(category=c, page_size=1), suggest=False)
                                       for c in candidates))
        nearby = tuple(dict.fromkeys(c for c, r in zip(candidates, found, strict=True) if r.items))[:3]
        return replace(result, reason="no_such_kind", nearby=nearby,
                       message=f"No products of the kind {', '.join(kinds)}.")

    def _merge(self, per_platform: Mapping[str, list[Product]]) -> list[Product]:
        merged: dict[str, Product] = {}
        for platform in sorted(per_platform, key=lambda p: PLATFORMS.index(p) if p in PLATFORMS else 99):
            for product in per_platform[platform]:
                offers = [o for o in product.offers if o.platform == platform and not self._hidden(o)]
                if not offers:
                    continue
                self._locations.setdefault(product.id, {})[platform] = offers[0].platform_product_id
                if product.id not in merged:
                    merged[product.id] = _with_offers(product, offers)
                else:
                    existing = merged[product.id]
                    if all(o.platform != platform for o in existing.offers):
                        existing.offers.extend(offers)
        if len(self._locations) > 50_000:
            self._locations.clear()
        return list(merged.values())

    def _hidden(self, offer: Offer) -> bool:
        return self.offer_filter is not None and self.offer_filter.hides(
            offer.platform, offer.platform_product_id, offer.merchant)

    def _rank(self, products: list[Product], norm: _Normalised) -> list[SearchHit]:
        q = norm.query
        relevant: list[tuple[float, Product]] = []
        for product in products:
            if norm.brands and product.brand not in norm.brands:
                continue
            relevance = score(product, norm.understood)
            if relevance > 0:
                relevant.append((relevance, product))
        # Best first (stable: equal scores keep the platforms' order), so that only the products
        # that can pass the relevance floor are priced: the best one with an offer in the price
        # range sets the floor, and everything under it is dropped unpriced.
        relevant.sort(key=lambda rp: -rp[0])
        scored: list[SearchHit] = []
        top: float | None = None
        for relevance, product in relevant:
            if top is not None and relevance < top * RELEVANCE_FLOOR:
                break
            priced = [(o, quote(o)) for o in product.offers]
            in_range = [(o, p) for o, p in priced if _in_range(p, q)]
            if not in_range:
                continue
            if top is None:
                top = relevance
            pool = [(o, p) for o, p in in_range if o.stock > 0] or in_range
            offer, price = min(pool, key=lambda op: (op[1].total.amount, -op[0].sales))
            scored.append(SearchHit(product=product, offer=offer, price=price, score=relevance))
        if self.merchant_scores is not None:  # a poor merchant's offer ranks lower (not out)
            scores = self.merchant_scores
            scored = [replace(h, score=h.score * ranking_factor(scores.score(h.offer.merchant))) for h in scored]
        by_relevance = _order(None)
        scored.sort(key=lambda h: by_relevance(_sort_keys(h)))
        return scored  # by relevance; `search` applies the query's sort

    # ---- price history ------------------------------------------------------------------------

    def _record(self, products: list[Product]) -> None:
        """Hand every offer price seen to the price recorder, in the background."""
        if self.price_recorder is None or not products:
            return
        at = self._now()
        points = [PricePoint(product_id=p.id, platform=o.platform, price=quote(o).unit_price.amount, seen_at=at,
                             platform_product_id=o.platform_product_id) for p in products for o in p.offers]
        task = asyncio.ensure_future(self.price_recorder.record_many(points))
        self._background.add(task)
        task.add_done_callback(self._recorded)

    def _recorded(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("recording prices failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait for background price recording (tests, shutdown)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    # ---- cache ----------------------------------------------------------------------------

    async def _key(self, q: SearchQuery) -> str:
        """The cache key: the query under the current cache generation.

        The generation is re-read from the shared cache at most every `GENERATION_REFRESH`
        seconds, so another worker's `invalidate` shows within that time (this one's at once).
        """
        if self.cache is None:
            return _cache_key(q)
        now = self._clock()
        if self._generation is None or now - self._generation[1] >= GENERATION_REFRESH:
            value = await self.cache.get(self.cache_prefix + "generation") or "0"
            self._generation = (value, now)
        return f"{self.cache_prefix}{self._generation[0]}:{_cache_key(q)}"

    def can_order(self, platform: str) -> bool:
        """Whether orders can be placed on this platform through its connector (affiliate APIs
        only link to the item); an unknown platform cannot."""
        connector = self.connectors.get(platform)
        return connector is not None and bool(getattr(connector, "can_order", True))

    async def invalidate(self) -> None:
        """Forget every cached search (after a price change): bump the cache generation."""
        if self.cache is None:
            return
        key = self.cache_prefix + "generation"
        current = await self.cache.get(key) or "0"
        bumped = str(int(current) + 1)
        await self.cache.set(key, bumped, 30 * 24 * 3600)
        self._generation = (bumped, self._clock())

    @staticmethod
    def _encode(hits: list[SearchHit]) -> str:
        # each row: its sort keys, then the hit as its own JSON string, so that a cache hit sorts
        # on the keys and decodes only the rows of its page
        return json.dumps([[h.score, str(k[1]), k[2], k[3],
                            json.dumps([product_to_dict(h.product), h.offer.platform, h.score], ensure_ascii=False)]
                           for h, k in ((h, _sort_keys(h)) for h in hits)], ensure_ascii=False)

    @staticmethod
    def _from_cache(q: SearchQuery, text: str, notes: tuple[str, ...]) -> SearchResult:
        """The page of a cached ranking; only the page's products are decoded."""
        rows = json.loads(text)
        if q.sort_by:
            order = _order(q.sort_by)
            rows.sort(key=lambda r: order((r[0], Decimal(r[1]), r[2], r[3])))
        start = (q.page - 1) * q.page_size
        hits = []
        for row in rows[start:start + q.page_size]:
            product_data, platform, relevance = json.loads(row[4])
            product = product_from_dict(product_data)
            offer = next(o for o in product.offers if o.platform == platform)
            hits.append(SearchHit(product=product, offer=offer, price=quote(offer), score=relevance))
        return SearchResult(query=q, items=hits, total=len(rows), page=q.page, page_size=q.page_size,
                            notes=notes, from_cache=True)

    # ---- one product, prices ---------------------------------------------------------------

    def _where(self, product_id: str) -> dict[str, str]:
        known = self._locations.get(product_id)
        if known:
            return dict(known)
        platform, _, rest = product_id.partition(":")
        if rest and platform in self.connectors:
            return {platform: rest}
        return {p: product_id for p in self.connectors}  # the demo platforms know our ids

    async def get_product(self, product_id: str) -> Product | None:
        """The product with every platform's current offer; None when no platform has it.

        Raises PlatformUnavailable when no platform could answer at all.
        """
        where = self._where(product_id)
        if self.offer_filter is not None:
            await self.offer_filter.refresh()
        got = await fan_out({p: self.connectors[p].get_product(ppid) for p, ppid in where.items()},
                            self.deadline_seconds)
        found = {p: [prod] for p, prod in got.results.items() if prod is not None}
        if not found:
            if not got.results:
                raise PlatformUnavailable(f"no platform answered for {product_id}")
            return None
        merged = self._merge(found)
        if not merged:
            return None  # every offer of it is delisted
        self._record(merged)
        product = next((m for m in merged if m.id == product_id), merged[0])
        for other in merged:
            if other is not product:
                product.offers.extend(o for o in other.offers
                                      if all(o.platform != x.platform for x in product.offers))
        return product

    async def get_prices(self, product_ids: list[str]) -> dict[str, dict[str, Decimal]]:
        """Current listed price per platform of each product (unknown ones left out)."""
        asks: dict[str, dict[str, str]] = {}  # platform -> platform id -> product id
        for pid in product_ids:
            for platform, ppid in self._where(pid).items():
                asks.setdefault(platform, {})[ppid] = pid
        got = await fan_out({p: self.connectors[p].get_prices(list(ids)) for p, ids in asks.items()},
                            self.deadline_seconds)
        prices: dict[str, dict[str, Decimal]] = {}
        for platform, answer in got.results.items():
            for ppid, price in answer.items():
                asked = asks[platform].get(ppid)
                if asked is not None:
                    prices.setdefault(asked, {})[platform] = price
        return prices

    async def best_offer(self, product_id: str, quantity: int = 1) -> tuple[Offer, PriceQuote] | None:
        """The offer the shopper pays least for (`quantity` items), promotions included."""
        product = await self.get_product(product_id)
        return None if product is None else best_quote(product.offers, quantity)


def _platform_keywords(text: str | None, understood: UnderstoodQuery) -> str | None:
    """The shopper's words plus the Chinese name of each category they named ("smartphone" ->
    "smartphone 手机"), so a platform's keyword search finds the category under its own name."""
    if not text:
        return text
    extra = [CATEGORIES[c][0] for c in sorted(understood.categories) if CATEGORIES[c][0] not in text]
    return " ".join([text, *extra])


def _with_offers(p: Product, offers: list[Offer]) -> Product:
    """A copy of `p` holding `offers` (the connector's product stays as it was; cheaper than
    `dataclasses.replace`, which a search calls for each of its ~150 candidates)."""
    return Product(id=p.id, title=p.title, title_en=p.title_en, brand=p.brand, category=p.category,
                   specs=p.specs, variants=p.variants, specs_en=p.specs_en, variants_en=p.variants_en,
                   reviews=p.reviews, image_url=p.image_url, keywords=p.keywords, offers=offers)


def _in_range(price: PriceQuote, q: SearchQuery) -> bool:
    if q.price_min is not None and price.total.amount < q.price_min:
        return False
    return q.price_max is None or price.total.amount <= q.price_max


def build_aggregator(connectors: Mapping[str, MarketplaceConnector], cache: Cache | None = None, *,
                     deadline_seconds: float = 1.5, cache_ttl_seconds: float = 60.0,
                     price_recorder: PriceRecorder | None = None) -> SearchAggregator:
    """The search service over the given platform connectors, cache and price history."""
    return SearchAggregator(connectors, cache, deadline_seconds=deadline_seconds,
                            cache_ttl_seconds=cache_ttl_seconds, price_recorder=price_recorder)
