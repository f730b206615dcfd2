"""Ports the shop services need; adapters live in integrations/, wired in bot/bootstrap.py."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from shop.catalog import Product, SearchQuery


class MarketplaceConnector(Protocol):
    """One e-commerce platform (demo or real)."""

    platform: str

    async def search(self, query: SearchQuery, *, limit: int = 50) -> list[Product]:
        """Products matching the query, each carrying this platform's offer only."""
        ...

    async def get_product(self, platform_product_id: str) -> Product | None: ...

    async def get_prices(self, platform_product_ids: list[str]) -> dict[str, Decimal]:
        """Current prices of many products in one call; unknown ids are left out."""
        ...


class MarketplaceError(Exception):
    """Base of the marketplace errors: adapters raise these `from` the vendor's error."""


class PlatformUnavailable(MarketplaceError):
    """The platform timed out, answered 5xx, or its circuit breaker is open."""


class PlatformDataError(MarketplaceError):
    """The platform answered, but with data we cannot trust (malformed JSON, bad prices)."""


class OrderRefused(MarketplaceError):
    """The platform refused the order at placement (`reason`: out_of_stock, price_moved): placing
    it again will not help; the order is refunded and the shopper asked (shop/refusals.py)."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason = reason


class OrderingNotSupported(MarketplaceError):
    """This connector cannot place orders (e.g. affiliate APIs: the shopper buys on the platform)."""


@dataclass(frozen=True)
class PlatformOrderLine:
    platform_product_id: str
    quantity: int
    unit_price: Decimal
    variant: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlatformOrderRequest:
    order_id: str  # ours; also the idempotency key: placing the same order_id twice returns the first
    lines: tuple[PlatformOrderLine, ...]
    total: Decimal
    receiver_name: str
    phone: str
    address: str


@dataclass(frozen=True)
class PlatformOrder:
    platform: str
    platform_order_id: str
    order_id: str
    status: str  # submitted, shipped, delivered, cancelled
    carrier_code: str | None = None
    tracking_number: str | None = None


class OrderingConnector(Protocol):
    """The ordering half of a marketplace connector (demo platforms; real ones where allowed)."""

    platform: str

    async def place_order(self, request: PlatformOrderRequest) -> PlatformOrder: ...

    async def get_order_status(self, platform_order_id: str) -> PlatformOrder: ...


class UnitOfWork(Protocol):
    """One transaction around several repository calls: `async with uow(): ...` — all of them
    happen or none does (SQL: integrations/db/uow.py)."""

    def __call__(self) -> contextlib.AbstractAsyncContextManager[None]: ...


class NoUnitOfWork:
    """For repositories that are each their own transaction (the in-memory twins)."""

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        yield
