"""Search results: one page of ranked hits, each with the quote of its cheapest offer.

Payloads are built from these in dialogue/presentation/products.py."""

from __future__ import annotations

from dataclasses import dataclass

from shop.catalog import Offer, Product, SearchQuery
from shop.pricing import PriceQuote


@dataclass(frozen=True)
class SearchHit:
    """One merged product of a search, with the offer that is cheapest after promotions."""

    product: Product
    offer: Offer
    price: PriceQuote  # for one item of `offer`
    score: float = 0.0


@dataclass(frozen=True)
class SearchResult:
    """One page of a search; `reason` is set when the search could not match anything.

    reason: unknown_platform, unknown_brand, unknown_category, invalid_price_range, no_match,
    no_such_kind (the kind named has no products at all; `nearby` lists kinds that have),
    platforms_unavailable (every platform failed or was late).
    notes: price_range_swapped, negative_price_min_ignored, query_truncated, unknown_sort_ignored.
    """

    query: SearchQuery
    items: list[SearchHit]
    total: int
    page: int
    page_size: int
    failed_platforms: tuple[str, ...] = ()
    late_platforms: tuple[str, ...] = ()
    reason: str | None = None
    message: str | None = None
    notes: tuple[str, ...] = ()
    from_cache: bool = False
    kinds: tuple[str, ...] = ()  # categories (taxonomy keys) the shopper's words named
    nearby: tuple[str, ...] = ()  # no_match of a named kind: nearby categories that have products

    @property
    def pages(self) -> int:
        return (self.total + self.page_size - 1) // self.page_size if self.total else 0

    @property
    def partial(self) -> bool:
        """True when some platform failed or was late: results may be missing."""
        return bool(self.failed_platforms or self.late_platforms)

    @classmethod
    def empty(cls, query: SearchQuery, reason: str, message: str) -> SearchResult:
        """No results, and why."""
        return cls(query=query, items=[], total=0, page=max(1, query.page),
                   page_size=max(1, query.page_size), reason=reason, message=message)

    @classmethod
    def page_of(cls, query: SearchQuery, hits: list[SearchHit], *, notes: tuple[str, ...] = (),
                failed: tuple[str, ...] = (), late: tuple[str, ...] = (),
                from_cache: bool = False) -> SearchResult:
        """The query's page of the ranked `hits`."""
        start = (query.page - 1) * query.page_size
        return cls(query=query, items=hits[start:start + query.page_size], total=len(hits),
                   page=query.page, page_size=query.page_size, failed_platforms=failed,
                   late_platforms=late, notes=notes, from_cache=from_cache)
