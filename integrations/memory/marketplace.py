"""In-memory twin of a marketplace connector, for tests of the services above the port.

Holds `Product`s (each with this platform's offer), answers searches by simple word
matching, and can be told to fail (`fail_with`) or to hang until released (`hang`).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

from integrations.text import jieba_words
from shop.catalog import Product, SearchQuery
from shop.ports import MarketplaceError
from shop.relevance import tokens
from shop.vocabulary import canonical_brand, fold


class InMemoryMarketplaceConnector:
    """A platform whose products live in a dict; implements MarketplaceConnector."""

    def __init__(self, platform: str, products: list[Product] | None = None) -> None:
        jieba_words.install()
        self.platform = platform
        self.products: dict[str, Product] = {}
        self.fail_with: MarketplaceError | None = None
        self.hang = False
        self.calls = 0
        self._release = asyncio.Event()
        for product in products or []:
            self.add(product)

    def add(self, product: Product) -> None:
        """Add a product; only its offers on this platform are kept."""
        offers = [o for o in product.offers if o.platform == self.platform]
        if offers:
            self.products[offers[0].platform_product_id] = replace(product, offers=offers)

    def release(self) -> None:
        self._release.set()

    async def _enter(self) -> None:
        self.calls += 1
        if self.hang:
            await self._release.wait()
        if self.fail_with is not None:
            raise self.fail_with

    def _find(self, any_id: str) -> Product | None:
        return self.products.get(any_id) or next((p for p in self.products.values() if p.id == any_id), None)

    async def search(self, query: SearchQuery, *, limit: int = 50) -> list[Product]:
        await self._enter()
        words = tokens(query.product or "")
        brand = canonical_brand(query.brand) if query.brand else None
        out = []
        for product in self.products.values():
            text = fold(" ".join([product.title, product.title_en, product.brand, *product.keywords]))
            if brand and product.brand != brand:
                continue
            if words and not any(w in text for w in words):
                continue
            out.append(replace(product, offers=list(product.offers)))
        return out[:limit]

    async def get_product(self, platform_product_id: str) -> Product | None:
        await self._enter()
        found = self._find(platform_product_id)
        return None if found is None else replace(found, offers=list(found.offers))

    async def get_prices(self, platform_product_ids: list[str]) -> dict[str, Decimal]:
        await self._enter()
        return {i: p.offers[0].price for i in platform_product_ids if (p := self._find(i)) is not None}
