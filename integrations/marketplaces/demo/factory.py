"""Builds and runs the three demo platforms and their connectors (the embedded mode's marketplaces).

    demo = build_demo_marketplace(latency_ms=80, failure_rate=0.0, fulfil_delay_seconds=60)
    await demo.start()          # three uvicorn servers on 127.0.0.1, ephemeral ports
    demo.connectors             # {"taobao": ..., "jd": ..., "pdd": ...}: MarketplaceConnector + OrderingConnector
    await demo.set_price("jd", "p0123", Decimal("3999.00"))
    demo.walk_prices()          # one random-walk step (a scheduler job calls this)
    await demo.stop()
"""

from __future__ import annotations

import asyncio
import gc
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from integrations.marketplaces.demo.connector import DemoMarketplaceConnector
from integrations.marketplaces.demo.images import PictureCache, default_picture_dir
from integrations.marketplaces.demo.server import DemoPlatformServer, PlatformBehaviour
from integrations.marketplaces.demo.store import CATALOG_PATH, PlatformStore, load_catalog
from integrations.marketplaces.resilience import CircuitBreaker
from integrations.text import jieba_words
from shop.catalog import PLATFORMS
from shop.ports import MarketplaceError, PlatformUnavailable
from shop.relevance import warm_up
from shop.spot_checks import ListedProduct, NewListing

# A catalog this large is hundreds of thousands of containers that live as long as the process.
FREEZE_FROM_PRODUCTS = 5_000


def _freeze_long_lived() -> None:
    """Move everything alive now (the catalog, its index and listings) out of the garbage
    collector's reach: with the full catalog in them, each full collection walked ~800,000
    objects and stopped the event loop for seconds (3-4 s on the loaded 2-core machine), every
    turn in flight waiting behind it. Frozen objects are still freed by reference counting;
    only a cycle among them would be kept."""
    gc.collect()
    gc.freeze()


@dataclass
class DemoMarketplace:
    """The demo platforms' servers and the connectors that talk HTTP to them."""

    latency_ms: float = 80.0
    jitter_ms: float = 40.0
    failure_rate: float = 0.0
    fulfil_delay_seconds: float = 60.0
    timeout_seconds: float = 1.0
    platforms: tuple[str, ...] = PLATFORMS
    catalog_path: Path = CATALOG_PATH
    clock: Callable[[], float] = time.monotonic
    seed: int = 1
    public_base_url: str | None = None  # in_process mode: where the bot mounts the platform apps
    picture_dir: Path | None = None  # where the products' PNG pictures are kept (a temp dir when None)
    servers: dict[str, DemoPlatformServer] = field(default_factory=dict)
    connectors: dict[str, DemoMarketplaceConnector] = field(default_factory=dict)
    _in_process: bool = False

    def _build(self) -> None:
        jieba_words.install()  # the platforms' keyword search cuts Chinese as the shop's does
        catalog = load_catalog(self.catalog_path)
        pictures = PictureCache(self.picture_dir or default_picture_dir())  # one for the three platforms
        for n, platform in enumerate(self.platforms):
            store = PlatformStore(platform, catalog, fulfil_delay=self.fulfil_delay_seconds, clock=self.clock)
            behaviour = PlatformBehaviour(latency_ms=self.latency_ms, jitter_ms=self.jitter_ms,
                                          failure_rate=self.failure_rate, rng=random.Random(self.seed + n))
            public = f"{self.public_base_url.rstrip('/')}/demo/{platform}" if self.public_base_url else None
            self.servers[platform] = DemoPlatformServer(store, behaviour, public_base_url=public,
                                                        pictures=pictures)
        if len(catalog["products"]) >= FREEZE_FROM_PRODUCTS:
            _freeze_long_lived()


    def prepare(self, *, in_process: bool = False) -> dict[str, DemoMarketplaceConnector]:
        """Build the platforms and the connectors that will talk to them, without any I/O
        (the bootstrap hands the connectors to the search aggregator before anything starts).

        `in_process=True` (tests) serves each platform's app through `httpx.ASGITransport`
        instead of a socket: still HTTP requests and responses, no port, no uvicorn.
        """
        if not self.servers:
            self._build()
        self._in_process = in_process
        for platform, server in self.servers.items():
            transport = httpx.ASGITransport(app=server.app) if in_process else None
            base_url = f"http://{platform}.demo" if in_process else ""  # a socket's port is known at start
            self.connectors[platform] = DemoMarketplaceConnector(
                platform, base_url, timeout_seconds=self.timeout_seconds, breaker=CircuitBreaker(platform),
                transport=transport)
        return dict(self.connectors)

    async def start(self, *, in_process: bool | None = None) -> None:
        """Start the platform servers, then the connectors pointing at them (built by
        `prepare`, or here when it was not called)."""
        if not self.connectors or (in_process is not None and in_process != self._in_process):
            self.prepare(in_process=bool(in_process))
        await asyncio.to_thread(warm_up)  # the platforms' keyword search cuts Chinese with jieba
        for platform, server in self.servers.items():
            connector = self.connectors[platform]
            if not self._in_process:
                await server.start()
                connector.base_url = server.base_url
            await connector.start()

    def _admin_client(self, platform: str) -> httpx.AsyncClient:
        server = self.servers[platform]
        if self._in_process:
            return httpx.AsyncClient(base_url=f"http://{platform}.demo", transport=httpx.ASGITransport(app=server.app))
        return httpx.AsyncClient(base_url=server.base_url, timeout=5)

    def apps(self) -> dict[str, Any]:
        """Each platform's ASGI app, to mount at `/demo/{platform}` in the bot's app."""
        if not self.servers:
            self._build()
        return {platform: server.app for platform, server in self.servers.items()}

    async def stop(self) -> None:
        for connector in self.connectors.values():
            await connector.aclose()
        for server in self.servers.values():
            if self._in_process:
                server.behaviour.release()
            else:
                await server.stop()

    async def set_price(self, platform: str, product_id: str, price: Decimal) -> bool:
        """Set `platform`'s offer price of `product_id` (catalog id or the platform's id) now.

        False when that platform has no such product; KeyError for an unknown platform.
        Goes through the platform's own admin endpoint.
        """
        try:
            async with self._admin_client(platform) as client:
                response = await client.post(f"/admin/prices/{product_id}", json={"price": str(price)})
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(f"{platform}: admin endpoint unreachable") from exc
        if response.status_code == 404:
            return False
        if response.status_code != 200:
            raise MarketplaceError(f"{platform}: price not set (HTTP {response.status_code})")
        return True

    async def listed_products(self) -> list[ListedProduct]:
        """Every listing of every demo platform, with its merchant (what spot checks sample)."""
        return [ListedProduct(merchant=x.merchant, platform=platform, product_id=x.catalog_id,
                              platform_product_id=x.platform_product_id, title=str(x.product["title"]),
                              category=str(x.product["category"]), rating=x.rating)
                for platform, server in self.servers.items() for x in server.store.listings.values()]

    async def list_product(self, merchant: str, listing: NewListing) -> ListedProduct:
        """A merchant lists a new product on one demo platform; it is searchable at once."""
        server = self.servers.get(listing.platform)
        if server is None:
            raise KeyError(listing.platform)
        catalog_id = f"p9{secrets.randbelow(10**9):09d}"  # the demo platforms' outer-id shape
        platform_product_id = str(900_000_000_000 + secrets.randbelow(99_999_999_999))
        product = {"id": catalog_id, "title": listing.title, "title_en": listing.title_en or listing.title,
                   "brand": listing.brand, "category": listing.category, "specs": dict(listing.specs),
                   "variants": {}, "keywords": list(listing.keywords)}
        added = server.store.add_listing(product, platform_product_id, price=listing.price, stock=listing.stock,
                                         merchant=merchant)
        if listing.group is not None and listing.group.price < added.price:
            added.group_ratio = listing.group.price / added.price
            added.group_size, added.group_hours = listing.group.size, listing.group.hours
        return ListedProduct(merchant=merchant, platform=listing.platform, product_id=catalog_id,
                             platform_product_id=added.platform_product_id, title=listing.title,
                             category=listing.category)

    def walk_prices(self, rng: random.Random | None = None, *, step: float = 0.02,
                    flash_sale_chance: float = 0.01) -> dict[str, list[str]]:
        """One random-walk step over every platform's products; the changed ids per platform."""
        rng = rng or random.Random()
        return {platform: server.store.walk_prices(rng, step=step, flash_sale_chance=flash_sale_chance)
                for platform, server in self.servers.items()}


def build_demo_marketplace(*, latency_ms: float = 80.0, jitter_ms: float = 40.0, failure_rate: float = 0.0,
                           fulfil_delay_seconds: float = 60.0, timeout_seconds: float = 1.0,
                           platforms: tuple[str, ...] = PLATFORMS, catalog_path: Path | None = None,
                           clock: Callable[[], float] = time.monotonic,
                           public_base_url: str | None = None, picture_dir: Path | None = None) -> DemoMarketplace:
    """The demo platforms, not yet started (call `await demo.start()` in the app's lifespan).

    `public_base_url` (in-process mode): the bot's public URL; the bot then mounts each
    platform's app at `/demo/{platform}` (see `mount_apps`) so product images load in browsers.
    """
    return DemoMarketplace(latency_ms=latency_ms, jitter_ms=jitter_ms, failure_rate=failure_rate,
                           fulfil_delay_seconds=fulfil_delay_seconds, timeout_seconds=timeout_seconds,
                           platforms=platforms, catalog_path=catalog_path or CATALOG_PATH, clock=clock,
                           public_base_url=public_base_url, picture_dir=picture_dir)


def make_price_walk_job(demo: DemoMarketplace, *, step: float = 0.02, flash_sale_chance: float = 0.01,
                        after_change: Callable[[], Awaitable[None]] | None = None,
                        rng: random.Random | None = None) -> Callable[[], Awaitable[dict[str, int]]]:
    """A scheduler job: one random-walk step over every demo platform, then `after_change`
    (e.g. the search aggregator's `invalidate`). Returns how many prices changed per platform."""
    rng = rng or random.Random()

    async def walk_demo_prices() -> dict[str, int]:
        changed = demo.walk_prices(rng, step=step, flash_sale_chance=flash_sale_chance)
        if after_change is not None and any(changed.values()):
            await after_change()
        return {platform: len(ids) for platform, ids in changed.items()}

    return walk_demo_prices
