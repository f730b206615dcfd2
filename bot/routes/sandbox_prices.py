"""Sandbox route for the demo platforms' prices (embedded mode, `SANDBOX` on).

`POST /sandbox/platforms/{platform}/products/{product_id}/price` with `{"price": "3999.00"}`
sets that platform's offer price of the product now (`product_id` as in the `products` and
`product` payloads, e.g. "p0123"; the platform's own id works too). Answers 200 with the new
price, 404 for an unknown platform or product, 422 for a missing or invalid price (not a
positive decimal number of yuan with at most two decimals, or above 1,000,000).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException

from integrations.marketplaces.demo.factory import DemoMarketplace
from shop.ports import MarketplaceError

MAX_PRICE = Decimal(1000000)


def parse_price(raw: Any) -> Decimal:
    """A positive yuan amount from a decimal string (or an integer); ValueError otherwise."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise ValueError('price must be a decimal string such as "3999.00"')  # noqa: TRY004 (a 422)
    try:
        price = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise ValueError(f"price {raw!r} is not a number") from exc
    if not price.is_finite() or price <= 0:
        raise ValueError("price must be above zero")
    if price > MAX_PRICE:
        raise ValueError("price is too large")
    if price != price.quantize(Decimal("0.01")):
        raise ValueError("price has more than two decimals")
    return price.quantize(Decimal("0.01"))


def build_sandbox_price_router(demo: DemoMarketplace,
                               after_change: Callable[[], Awaitable[None]] | None = None) -> APIRouter:
    """The sandbox price route over the running demo platforms.

    `after_change` runs after a price is set (e.g. the search aggregator's `invalidate`, so the
    next search shows the new price instead of a cached one).
    """
    router = APIRouter(prefix="/sandbox", tags=["sandbox"])

    @router.post("/platforms/{platform}/products/{product_id}/price")
    async def set_price(platform: str, product_id: str, body: Annotated[Any, Body()]) -> dict[str, str]:
        if platform not in demo.servers:
            raise HTTPException(404, f"unknown platform {platform!r}; known: {', '.join(demo.servers)}")
        if not isinstance(body, dict) or "price" not in body:
            raise HTTPException(422, 'body must be {"price": "3999.00"}')
        try:
            price = parse_price(body["price"])
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        try:
            found = await demo.set_price(platform, product_id, price)
        except MarketplaceError as exc:
            raise HTTPException(503, f"{platform} is not reachable: {exc}") from exc
        if not found:
            raise HTTPException(404, f"{platform} has no product {product_id!r}")
        if after_change is not None:
            await after_change()
        return {"platform": platform, "product_id": product_id, "price": str(price)}

    return router
