"""The demo platforms' own data: one `PlatformStore` per platform over data/catalog/products.json.

Each store keeps its platform's offers (mutable prices), its orders and a keyword search.
Prices move with `walk_prices` (random walk plus occasional flash sales) and `set_price`.
Orders fulfil themselves: submitted -> shipped after `fulfil_delay` seconds of `clock`.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import json
import random
import re
import time
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from shop.relevance import STOPWORDS, tokens
from shop.taxonomy import NODES as TAXONOMY
from shop.taxonomy import ancestors, related
from shop.vocabulary import BRANDS, fold

CATALOG_PATH = Path(__file__).resolve().parents[3] / "data" / "catalog" / "products.json"
CENT = Decimal("0.01")


@dataclass(slots=True)
class Listing:
    """One product as this platform lists it."""

    product: dict[str, Any]  # the catalog record (id, titles, brand, category, specs, ...)
    platform_product_id: str
    price: Decimal
    original_price: Decimal
    base_price: Decimal  # the price the random walk gravitates around
    promotions: list[dict[str, Any]]
    stock: int
    sales: int
    rating: float
    merchant: str
    haystack: str = ""
    edition: dict[str, str] | None = None  # {"zh": "港版", "en": "Hong Kong version"}: differs from the usual
    # the group buy (拼团): the group price as a share of the price (it follows the price), size, hours
    group_ratio: Decimal | None = None
    group_size: int = 0
    group_hours: int = 0

    @property
    def group_price(self) -> Decimal | None:
        """The group price now (the catalog's share of the price as it is now), below the price."""
        if self.group_ratio is None:
            return None
        group = (self.price * self.group_ratio).quantize(CENT, ROUND_HALF_UP)
        return group if Decimal(0) < group < self.price else None

    @property
    def catalog_id(self) -> str:
        return str(self.product["id"])


@dataclass
class DemoOrder:
    platform_order_id: str
    order_id: str
    lines: list[dict[str, Any]]
    total: Decimal
    created_at: float
    receiver: dict[str, str] = field(default_factory=dict)
    ship_now: bool = False  # the sandbox asked the merchant to ship without waiting


@functools.lru_cache(maxsize=4)
def load_catalog(path: Path = CATALOG_PATH) -> dict[str, Any]:
    """The generated catalog (read at start, never at import; shared, so treat it as read-only).

    Equal strings and numbers are made one object as the JSON is read (`_Sharing`): a
    41,400-product catalog repeats its brands, kinds, spec values, variant options, labels,
    merchants and prices thousands of times; sharing them takes about a third off its memory."""
    return json.loads(path.read_text(encoding="utf-8"), object_hook=_Sharing())


class _Sharing:
    """A JSON object hook that replaces each string or number value (also in lists) by the first
    equal one it has seen."""

    def __init__(self) -> None:
        self.seen: dict[tuple[type, Any], Any] = {}

    def __call__(self, obj: dict[str, Any]) -> dict[str, Any]:
        seen = self.seen
        for key, value in obj.items():
            kind = type(value)
            if kind is str or kind is int or kind is float:
                obj[key] = seen.setdefault((kind, value), value)
            elif kind is list:
                for n, item in enumerate(value):
                    kind = type(item)
                    if kind is str or kind is int or kind is float:
                        value[n] = seen.setdefault((kind, item), item)
        return obj


def full_catalog_path(var_dir: Path, per_leaf: int | None = None) -> Path:
    """The full generated catalog (data/catalog/full.py) under `var_dir`, built now when missing
    (a few seconds; the build time is logged and printed)."""
    import importlib.util
    import logging

    source = CATALOG_PATH.parent / "full.py"
    spec = importlib.util.spec_from_file_location("shopbot_catalog_full", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    per_leaf = per_leaf or module.PER_LEAF
    digest = hashlib.sha1(source.read_bytes() + str(per_leaf).encode()).hexdigest()[:10]
    path = var_dir / "catalog" / f"full-{per_leaf}-{digest}.json"
    if path.exists():
        return path
    started = time.perf_counter()
    catalog = module.build_full_catalog(per_leaf=per_leaf)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(catalog, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    tmp.replace(path)
    message = (f"built the demo catalog: {len(catalog['products'])} products in "
               f"{time.perf_counter() - started:.1f} s -> {path}")
    logging.getLogger(__name__).info(message)
    print(message, flush=True)
    return path


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_ASCII_WORD = re.compile(r"[a-z0-9][a-z0-9.+'\-]*")


def _grams(text: str) -> set[str]:
    """Index keys of a folded text: each Chinese character and character pair, each Latin word."""
    keys: set[str] = set()
    for run in _CJK_RUN.findall(text):
        keys.update(run)
        keys.update(run[i:i + 2] for i in range(len(run) - 1))
    keys.update(w.strip(".-'") for w in _ASCII_WORD.findall(text))
    return keys


class CatalogIndex:
    """One keyword index over a catalog's products, shared by the platforms that list them: index
    keys (`_grams`) -> product positions, and each product's folded text to confirm a match."""

    def __init__(self, catalog: dict[str, Any]) -> None:
        self.haystacks: list[str] = []
        postings: dict[str, list[int]] = {}
        for n, product in enumerate(catalog["products"]):
            # the kind and every group above it, in both languages ("充电宝 手机配件 手机通讯 power banks …")
            kinds = [name for key in ancestors(product["category"])
                     for name in (TAXONOMY[key].zh, TAXONOMY[key].en)]
            haystack = fold(" ".join([product["title"], product["title_en"], product["brand"],
                                      BRANDS.get(product["brand"], ""), *kinds, *product["keywords"]]))
            self.haystacks.append(haystack)
            for gram in _grams(haystack):
                postings.setdefault(gram, []).append(n)
        self.postings = {k: array("I", v) for k, v in postings.items()}

    def matching(self, word: str) -> list[int] | None:
        """Positions of the products whose text contains `word` (Latin words as whole words);
        None when the word has no index key (then the caller scans)."""
        keys = _grams(word)
        if not keys:
            return None
        rarest = min((self.postings.get(k, array("I")) for k in keys), key=len)
        return [n for n in rarest if word in self.haystacks[n]]


_INDEXES: dict[int, CatalogIndex] = {}


def catalog_index(catalog: dict[str, Any]) -> CatalogIndex:
    """The catalog's shared index (built once per loaded catalog)."""
    index = _INDEXES.get(id(catalog))
    if index is None:
        index = _INDEXES[id(catalog)] = CatalogIndex(catalog)
    return index


class PlatformStore:
    """One demo platform's listings and orders."""

    def __init__(self, platform: str, catalog: dict[str, Any], *, fulfil_delay: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.platform = platform
        self.fulfil_delay = fulfil_delay
        self.clock = clock
        self.listings: dict[str, Listing] = {}
        self.by_catalog_id: dict[str, Listing] = {}
        self.orders: dict[str, DemoOrder] = {}
        self.orders_by_our_id: dict[str, DemoOrder] = {}
        self.index = catalog_index(catalog)
        self.by_position: dict[int, Listing] = {}
        self._position: dict[str, int] = {}
        self._kind_positions: dict[str, frozenset[int]] = {}
        for position, product in enumerate(catalog["products"]):
            offer = product["offers"].get(platform)
            if offer is None:
                continue
            price = Decimal(offer["price"])  # one object for the price and the base price (immutable)
            original = price if offer["original_price"] == offer["price"] else Decimal(offer["original_price"])
            listing = Listing(
                product=product, platform_product_id=offer["platform_product_id"],
                price=price, original_price=original,
                base_price=price, promotions=list(offer["promotions"]),
                stock=int(offer["stock"]), sales=int(offer["sales"]), rating=float(offer["rating"]),
                merchant=offer["merchant"], haystack=self.index.haystacks[position],
                edition=offer.get("edition"))
            group = offer.get("group")
            if group and price > 0:
                listing.group_ratio = Decimal(group["price"]) / price
                listing.group_size, listing.group_hours = int(group["size"]), int(group["hours"])
            self.listings[listing.platform_product_id] = listing
            self.by_catalog_id[listing.catalog_id] = listing
            self.by_position[position] = listing
            self._position[listing.catalog_id] = position
        self.by_sales = sorted(self.listings.values(), key=lambda x: -x.sales)
        self.by_category: dict[str, list[Listing]] = {}  # each in sales order
        for listing in self.by_sales:
            self.by_category.setdefault(listing.product["category"], []).append(listing)

    def add_listing(self, product: dict[str, Any], platform_product_id: str, *, price: Decimal, stock: int,
                    merchant: str) -> Listing:
        """A merchant lists a new product here (kept in memory, like the platform's prices): it
        joins the shared keyword index at a new position only this platform lists."""
        index = self.index
        position = len(index.haystacks)
        kinds = [name for key in ancestors(product["category"]) for name in (TAXONOMY[key].zh, TAXONOMY[key].en)]
        haystack = fold(" ".join([product["title"], product["title_en"], product["brand"],
                                  BRANDS.get(product["brand"], ""), *kinds, *product["keywords"]]))
        index.haystacks.append(haystack)
        for gram in _grams(haystack):
            index.postings.setdefault(gram, array("I")).append(position)
        price = price.quantize(CENT, ROUND_HALF_UP)
        listing = Listing(product=product, platform_product_id=platform_product_id, price=price,
                          original_price=price, base_price=price, promotions=[], stock=stock, sales=0,
                          rating=0.0, merchant=merchant, haystack=haystack)
        self.listings[platform_product_id] = listing
        self.by_catalog_id[listing.catalog_id] = listing
        self.by_position[position] = listing
        self._position[listing.catalog_id] = position
        self.by_sales.append(listing)
        self.by_category.setdefault(product["category"], []).append(listing)
        self._kind_positions.clear()
        return listing

    def _positions_of(self, category: str) -> frozenset[int]:
        """Catalog positions of this platform's listings of a kind (or filed coarsely above it)."""
        found = self._kind_positions.get(category)
        if found is None:
            found = self._kind_positions[category] = frozenset(
                n for key, lst in self.by_category.items() if related(key, category)
                for n in (self._position[x.catalog_id] for x in lst))
        return found

    def get(self, any_id: str) -> Listing | None:
        """A listing by this platform's id or by the merchant's outer id (the catalog id)."""
        return self.listings.get(any_id) or self.by_catalog_id.get(any_id)

    def search(self, keyword: str, *, brand: str | None = None, price_min: Decimal | None = None,
               price_max: Decimal | None = None, category: str | None = None) -> list[Listing]:
        """Keyword search as a platform does it: any word matches, more words rank higher;
        `category` (a taxonomy node) keeps the listings filed under it, or under a coarser node
        that holds it."""
        words = [w for w in tokens(keyword) if w not in STOPWORDS and (len(w) >= 2 or not w.isascii())] if keyword else []
        brand_key = fold(brand) if brand else None
        scored: list[tuple[int, Listing]] = []
        candidates: Iterable[Listing] = self.by_sales
        if category and not words:
            lists = [lst for key, lst in self.by_category.items() if related(key, category)]
            candidates = lists[0] if len(lists) == 1 else heapq.merge(*lists, key=lambda x: -x.sales)
        if words:
            matched: set[int] = set()
            for word in dict.fromkeys(words):
                found = self.index.matching(word)
                if found is None:
                    found = [n for n, text in enumerate(self.index.haystacks) if word in text]
                matched.update(found)
            if category:
                matched &= self._positions_of(category)
            candidates = [x for x in (self.by_position.get(n) for n in matched) if x is not None]
        for listing in candidates:
            if brand_key and brand_key not in (fold(listing.product["brand"]),
                                               fold(BRANDS.get(listing.product["brand"], ""))):
                continue
            if price_min is not None and listing.price < price_min:
                continue
            if price_max is not None and listing.price > price_max:
                continue
            hits = sum(1 for w in words if w in listing.haystack)
            if words and hits == 0:
                continue
            scored.append((hits, listing))
        scored.sort(key=lambda hl: (-hl[0], -hl[1].sales))
        return [listing for _, listing in scored]

    # ---- prices ------------------------------------------------------------------------------

    def set_price(self, any_id: str, price: Decimal) -> Listing | None:
        """Set the listed price now; the original price rises with it if needed."""
        listing = self.get(any_id)
        if listing is None:
            return None
        listing.price = price.quantize(CENT, ROUND_HALF_UP)
        listing.original_price = max(listing.original_price, listing.price)
        return listing

    def walk_prices(self, rng: random.Random, *, step: float = 0.02, flash_sale_chance: float = 0.01,
                    flash_sale_depth: tuple[float, float] = (0.15, 0.3)) -> list[str]:
        """One random-walk step over every listing; returns the ids whose price changed.

        Each price moves by up to `step` (a fraction), drifting back toward its base price and
        staying between 60 % of it and the original price; with `flash_sale_chance` a listing
        drops by 15-30 % at once (a flash sale) and then walks back up.
        """
        changed: list[str] = []
        for listing in self.listings.values():
            old = listing.price
            if rng.random() < flash_sale_chance:
                new = old * Decimal(str(1 - rng.uniform(*flash_sale_depth)))
            else:
                drift = float((listing.base_price - old) / listing.base_price) * 0.2
                new = old * Decimal(str(1 + rng.uniform(-step, step) + drift))
            low = listing.base_price * Decimal("0.6")
            new = min(max(new, low), listing.original_price).quantize(CENT, ROUND_HALF_UP)
            if new != old:
                listing.price = new
                changed.append(listing.platform_product_id)
        return changed

    # ---- orders ------------------------------------------------------------------------------

    def place_order(self, order_id: str, lines: list[dict[str, Any]], receiver: dict[str, str]) -> DemoOrder:
        """Create the order, or return the one already placed under `order_id` (idempotent)."""
        existing = self.orders_by_our_id.get(order_id)
        if existing is not None:
            return existing
        priced: list[dict[str, Any]] = []
        total = Decimal(0)
        for line in lines:
            listing = self.get(str(line["id"]))
            quantity = int(line["quantity"])
            if listing is None or quantity < 1:
                raise KeyError(str(line["id"]))
            priced.append({"id": listing.platform_product_id, "quantity": quantity,
                           "unit_price": listing.price, "variant": dict(line.get("variant") or {})})
            total += listing.price * quantity
        digest = hashlib.sha1(f"{self.platform}:{order_id}".encode()).hexdigest()
        platform_order_id = str(int(digest[:15], 16))[:16]
        order = DemoOrder(platform_order_id=platform_order_id, order_id=order_id, lines=priced,
                          total=total, created_at=self.clock(), receiver=dict(receiver))
        self.orders[platform_order_id] = order
        self.orders_by_our_id[order_id] = order
        return order

    def fulfil_now(self, order_id: str) -> DemoOrder | None:
        """The merchant accepts and ships our order `order_id` now; None when it is not here."""
        order = self.orders_by_our_id.get(order_id)
        if order is not None:
            order.ship_now = True
        return order

    def order_status(self, order: DemoOrder) -> tuple[str, str | None, str | None]:
        """(status, carrier_code, tracking_number): shipped once `fulfil_delay` has passed."""
        if order.ship_now or self.clock() - order.created_at >= self.fulfil_delay:
            tracking = "SIM" + str(int(hashlib.sha1(order.platform_order_id.encode()).hexdigest()[:12], 16))[:12]
            return "shipped", "sim", tracking
        return "submitted", None, None
