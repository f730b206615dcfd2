"""HTTP connector to one demo platform: implements MarketplaceConnector and OrderingConnector.

Talks to the platform's own JSON API over httpx exactly as it would to a real platform:
per-call timeout, retries for idempotent calls only (search, lookups, prices; placing an
order is tried once), a circuit breaker that skips the platform after repeated failures,
and validation of every item (see parse.py).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, Self

import httpx

from integrations.marketplaces.demo.parse import BadItem, from_fen, parse_items, yuan
from integrations.marketplaces.resilience import CircuitBreaker, PlatformTimeout, call_with_retries
from shop.catalog import Product, SearchQuery
from shop.ports import (
    MarketplaceError,
    PlatformDataError,
    PlatformOrder,
    PlatformOrderRequest,
    PlatformUnavailable,
)


class DemoMarketplaceConnector:
    """One demo platform (taobao, jd or pdd) over HTTP."""

    def __init__(self, platform: str, base_url: str, *, timeout_seconds: float = 1.0, retries: int = 1,
                 breaker: CircuitBreaker | None = None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if platform not in ("taobao", "jd", "pdd"):
            raise ValueError(f"no demo platform {platform!r}")
        self.platform = platform
        self.base_url = base_url
        self.timeout_seconds = timeout_seconds
        self.retries = retries
        self.breaker = breaker or CircuitBreaker(platform)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout_seconds,
                                             transport=self._transport)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- HTTP ------------------------------------------------------------------------------

    async def _call(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> dict[str, Any]:
        await self.start()
        assert self._client is not None
        client = self._client

        async def attempt() -> dict[str, Any]:
            try:
                response = await client.request(method, path, **kwargs)
            except httpx.TimeoutException as exc:
                raise PlatformTimeout(f"{self.platform}: timed out") from exc
            except httpx.TransportError as exc:
                raise PlatformUnavailable(f"{self.platform}: {type(exc).__name__}") from exc
            if response.status_code >= 500:
                raise PlatformUnavailable(f"{self.platform}: HTTP {response.status_code}")
            if response.status_code >= 400:
                raise PlatformDataError(f"{self.platform}: HTTP {response.status_code}")
            try:
                data = response.json()
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise PlatformDataError(f"{self.platform}: malformed JSON") from exc
            if not isinstance(data, dict):
                raise PlatformDataError(f"{self.platform}: unexpected answer")
            return data

        run: Callable[[], Awaitable[dict[str, Any]]] = lambda: call_with_retries(
            attempt, idempotent=idempotent, retries=self.retries)
        return await self.breaker.call(run)

    def _dig(self, data: dict[str, Any], *keys: str) -> Any:
        for key in keys:
            if not isinstance(data, dict) or key not in data:
                raise PlatformDataError(f"{self.platform}: answer without {key!r}")
            data = data[key]
        return data

    def _check_jd(self, data: dict[str, Any]) -> None:
        if data.get("code") not in (0, 404):
            raise PlatformDataError(f"jd: {data.get('message')}")

    # ---- MarketplaceConnector --------------------------------------------------------------

    async def search(self, query: SearchQuery, *, limit: int = 50) -> list[Product]:
        """This platform's products for the query's words (and brand), its own offer only."""
        keyword = " ".join(x for x in (query.product, query.brand if not query.product else None) if x)
        if self.platform == "taobao":
            params: dict[str, Any] = {"q": keyword, "page_size": limit}
            if query.brand:
                params["brand"] = query.brand
            data = await self._call("GET", "/taobao/items/search", idempotent=True, params=params)
            self._raise_taobao_error(data)
            items = self._dig(data, "items_search_response", "items", "item")
        elif self.platform == "jd":
            params = {"keyword": keyword, "pageSize": limit}
            if query.brand:
                params["brand"] = query.brand
            data = await self._call("GET", "/jd/api/search", idempotent=True, params=params)
            self._check_jd(data)
            items = self._dig(data, "result", "skuList")
        else:
            body: dict[str, Any] = {"type": "pdd.goods.search", "keyword": keyword, "page_size": limit}
            if query.brand:
                body["brand"] = query.brand
            data = await self._call("POST", "/pdd/api/router", idempotent=True, json=body)
            self._raise_pdd_error(data)
            items = self._dig(data, "goods_search_response", "goods_list")
        return parse_items(self.platform, items)[:limit]

    async def get_product(self, platform_product_id: str) -> Product | None:
        """The product with this platform's current offer; None when the platform has no such item."""
        if self.platform == "taobao":
            data = await self._call("GET", f"/taobao/items/{platform_product_id}", idempotent=True)
            if "error_response" in data:
                return None
            items = [self._dig(data, "item_get_response", "item")]
        elif self.platform == "jd":
            data = await self._call("GET", f"/jd/api/sku/{platform_product_id}", idempotent=True)
            if data.get("code") == 404:
                return None
            self._check_jd(data)
            items = [self._dig(data, "result")]
        else:
            data = await self._call("POST", "/pdd/api/router", idempotent=True,
                                    json={"type": "pdd.goods.detail", "goods_id": platform_product_id})
            if "error_response" in data:
                return None
            items = self._dig(data, "goods_detail_response", "goods_details")
        products = parse_items(self.platform, items)
        return products[0] if products else None

    async def get_prices(self, platform_product_ids: list[str]) -> dict[str, Decimal]:
        """Current listed prices, keyed by the ids asked for; unknown or invalid ones left out."""
        if not platform_product_ids:
            return {}
        if self.platform == "taobao":
            data = await self._call("GET", "/taobao/items/prices", idempotent=True,
                                    params={"num_iids": ",".join(platform_product_ids)})
            rows = self._dig(data, "items_price_response", "prices", "price")
            rows = rows if isinstance(rows, list) else None
            pairs = [(r.get("num_iid"), lambda r=r: yuan(r.get("price"))) for r in rows or [] if isinstance(r, dict)]
        elif self.platform == "jd":
            data = await self._call("POST", "/jd/api/prices", idempotent=True,
                                    json={"skuIds": platform_product_ids})
            self._check_jd(data)
            rows = self._dig(data, "result")
            rows = rows if isinstance(rows, list) else None
            pairs = [(r.get("skuId"), lambda r=r: from_fen(r.get("priceFen"))) for r in rows or [] if isinstance(r, dict)]
        else:
            data = await self._call("POST", "/pdd/api/router", idempotent=True,
                                    json={"type": "pdd.goods.prices", "goods_id_list": platform_product_ids})
            rows = self._dig(data, "goods_price_response", "list")
            rows = rows if isinstance(rows, list) else None
            pairs = [(r.get("goods_id"), lambda r=r: from_fen(r.get("min_group_price")))
                     for r in rows or [] if isinstance(r, dict)]
        if not isinstance(rows, list):
            raise PlatformDataError(f"{self.platform}: prices are not a list")
        wanted = set(platform_product_ids)
        prices: dict[str, Decimal] = {}
        for raw_id, read in pairs:
            try:
                price = read()
            except BadItem:
                continue
            if str(raw_id) in wanted and Decimal(0) < price <= Decimal(1000000):
                prices[str(raw_id)] = price
        return prices

    # ---- OrderingConnector -----------------------------------------------------------------

    async def place_order(self, request: PlatformOrderRequest) -> PlatformOrder:
        """Place the order (the platform dedups on our order_id); tried once, never retried."""
        receiver = {"receiver_name": request.receiver_name, "phone": request.phone, "address": request.address}
        if self.platform == "taobao":
            body = {"out_trade_no": request.order_id, **receiver,
                    "orders": [{"num_iid": x.platform_product_id, "num": x.quantity, "sku_props": x.variant}
                               for x in request.lines]}
            data = await self._call("POST", "/taobao/trades", idempotent=False, json=body)
            self._raise_taobao_error(data)
            ppoid = str(self._dig(data, "trade_create_response", "tid"))
        elif self.platform == "jd":
            body = {"thirdOrderId": request.order_id, **receiver,
                    "skus": [{"skuId": x.platform_product_id, "num": x.quantity, "attrs": x.variant}
                             for x in request.lines]}
            data = await self._call("POST", "/jd/api/orders", idempotent=False, json=body)
            self._check_jd(data)
            ppoid = str(self._dig(data, "result", "jdOrderId"))
        else:
            body = {"type": "pdd.order.create", "out_order_sn": request.order_id, **receiver,
                    "goods": [{"goods_id": x.platform_product_id, "goods_count": x.quantity, "spec": x.variant}
                              for x in request.lines]}
            data = await self._call("POST", "/pdd/api/router", idempotent=False, json=body)
            self._raise_pdd_error(data)
            ppoid = str(self._dig(data, "order_create_response", "order_sn"))
        return PlatformOrder(platform=self.platform, platform_order_id=ppoid, order_id=request.order_id,
                             status="submitted")

    async def get_order_status(self, platform_order_id: str) -> PlatformOrder:
        """The order's status on the platform: submitted, or shipped with carrier and tracking number."""
        if self.platform == "taobao":
            data = await self._call("GET", f"/taobao/trades/{platform_order_id}", idempotent=True)
            self._raise_taobao_error(data)
            t = self._dig(data, "trade_get_response", "trade")
            status = {"WAIT_SELLER_SEND_GOODS": "submitted", "WAIT_BUYER_CONFIRM_GOODS": "shipped"}.get(t.get("status"))
            ours, carrier, tracking = t.get("out_trade_no"), t.get("company_code"), t.get("out_sid")
        elif self.platform == "jd":
            data = await self._call("GET", f"/jd/api/orders/{platform_order_id}", idempotent=True)
            self._check_jd(data)
            r = self._dig(data, "result")
            if r is None:
                raise MarketplaceError(f"jd: no order {platform_order_id}")
            status = {1: "submitted", 2: "shipped"}.get(r.get("orderState"))
            ours, carrier, tracking = r.get("thirdOrderId"), r.get("carrier"), r.get("waybillCode")
        else:
            data = await self._call("POST", "/pdd/api/router", idempotent=True,
                                    json={"type": "pdd.order.get", "order_sn": platform_order_id})
            self._raise_pdd_error(data)
            r = self._dig(data, "order_get_response")
            status = {1: "submitted", 2: "shipped"}.get(r.get("order_status"))
            ours, carrier, tracking = r.get("out_order_sn"), r.get("logistics_company"), r.get("tracking_number")
        if status is None:
            raise PlatformDataError(f"{self.platform}: unknown order status")
        return PlatformOrder(platform=self.platform, platform_order_id=platform_order_id, order_id=str(ours),
                             status=status, carrier_code=carrier, tracking_number=tracking)

    def _raise_taobao_error(self, data: dict[str, Any]) -> None:
        err = data.get("error_response")
        if isinstance(err, dict):
            raise MarketplaceError(f"taobao: {err.get('sub_code')} {err.get('msg')}")

    def _raise_pdd_error(self, data: dict[str, Any]) -> None:
        err = data.get("error_response")
        if isinstance(err, dict):
            raise MarketplaceError(f"pdd: {err.get('error_code')} {err.get('error_msg')}")
