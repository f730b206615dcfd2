"""HTTP connector to one demo platform: implements MarketplaceConnector and OrderingConnector.

Talks to the platform's own JSON API over the HTTP adapter base (integrations/http.py) exactly
as it would to a real platform: per-call timeout, retries for idempotent calls only (search,
lookups, prices; placing an order is tried once), a circuit breaker that skips the platform
after repeated failures, and validation of every item (see parse.py).

What differs between the platforms — paths, request shapes, where the answer keeps its items,
error payloads, status codes — lives in one dialect object per platform (:class:`TaobaoDialect`,
:class:`JdDialect`, :class:`PddDialect`); the connector itself has no per-platform branches.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, Self

import httpx

from integrations.http import ErrorKinds, HttpAdapter
from integrations.marketplaces.demo.parse import BadItem, from_fen, parse_items, yuan
from integrations.marketplaces.resilience import CircuitBreaker, PlatformTimeout
from shop.catalog import Product, SearchQuery
from shop.ports import (
    MarketplaceError,
    PlatformDataError,
    PlatformOrder,
    PlatformOrderRequest,
    PlatformUnavailable,
)

Json = dict[str, Any]
MAX_PRICE = Decimal(1000000)


@dataclass(frozen=True)
class Call:
    """One HTTP request of a dialect: method, path and (optionally) query params or a JSON body."""

    method: str
    path: str
    params: Json | None = None
    json: Any = None

    def kwargs(self) -> Json:
        out: Json = {}
        if self.params is not None:
            out["params"] = self.params
        if self.json is not None:
            out["json"] = self.json
        return out


def dig(platform: str, data: Any, *keys: str) -> Any:
    """``data[k1][k2]...``; PlatformDataError naming the missing key."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            raise PlatformDataError(f"{platform}: answer without {key!r}")
        data = data[key]
    return data


def _rows(platform: str, rows: Any) -> list[Json]:
    if not isinstance(rows, list):
        raise PlatformDataError(f"{platform}: prices are not a list")
    return [r for r in rows if isinstance(r, dict)]


class Dialect(ABC):
    """How one platform's API is spoken. Each method pair: the request to make, and the reading
    of its answer (``None`` from a ``*_found`` reading means "no such item"). A dialect that misses one
    cannot be built (abstract methods)."""

    platform = ""

    @abstractmethod
    def search(self, keyword: str, brand: str | None, limit: int, category: str | None = None) -> Call:
        """The platform's keyword search; `category` (a taxonomy node) narrows it to that kind."""
        ...

    @abstractmethod
    def search_items(self, data: Json) -> Any:
        ...

    @abstractmethod
    def product(self, ppid: str) -> Call:
        ...

    @abstractmethod
    def product_items(self, data: Json) -> Any | None:
        ...

    @abstractmethod
    def prices(self, ppids: list[str]) -> Call:
        ...

    @abstractmethod
    def price_pairs(self, data: Json) -> list[tuple[Any, Callable[[], Decimal]]]:
        ...

    @abstractmethod
    def order(self, request: PlatformOrderRequest, receiver: Json) -> Call:
        ...

    @abstractmethod
    def order_id(self, data: Json) -> str:
        ...

    @abstractmethod
    def order_status(self, platform_order_id: str) -> Call:
        ...

    @abstractmethod
    def order_state(self, data: Json, platform_order_id: str) -> tuple[str | None, Any, Any, Any]:
        """(status, our order id, carrier, tracking number) of an order answer."""
        ...

    def check(self, data: Json) -> None:
        """Raise the platform's error payload as MarketplaceError/PlatformDataError."""

    def _error_response(self, data: Json, code: str, message: str) -> None:
        err = data.get("error_response")
        if isinstance(err, dict):
            raise MarketplaceError(f"{self.platform}: {err.get(code)} {err.get(message)}")


class TaobaoDialect(Dialect):
    platform = "taobao"

    def check(self, data: Json) -> None:
        self._error_response(data, "sub_code", "msg")

    def search(self, keyword: str, brand: str | None, limit: int, category: str | None = None) -> Call:
        params: Json = {"q": keyword, "page_size": limit}
        if brand:
            params["brand"] = brand
        if category:
            params["cat"] = category
        return Call("GET", "/taobao/items/search", params=params)

    def search_items(self, data: Json) -> Any:
        self.check(data)
        return dig(self.platform, data, "items_search_response", "items", "item")

    def product(self, ppid: str) -> Call:
        return Call("GET", f"/taobao/items/{ppid}")

    def product_items(self, data: Json) -> Any | None:
        if "error_response" in data:
            return None
        return [dig(self.platform, data, "item_get_response", "item")]

    def prices(self, ppids: list[str]) -> Call:
        return Call("GET", "/taobao/items/prices", params={"num_iids": ",".join(ppids)})

    def price_pairs(self, data: Json) -> list[tuple[Any, Callable[[], Decimal]]]:
        rows = _rows(self.platform, dig(self.platform, data, "items_price_response", "prices", "price"))
        return [(r.get("num_iid"), partial(yuan, r.get("price"))) for r in rows]

    def order(self, request: PlatformOrderRequest, receiver: Json) -> Call:
        return Call("POST", "/taobao/trades", json={
            "out_trade_no": request.order_id, **receiver,
            "orders": [{"num_iid": x.platform_product_id, "num": x.quantity, "sku_props": x.variant}
                       for x in request.lines]})  # fmt: skip

    def order_id(self, data: Json) -> str:
        self.check(data)
        return str(dig(self.platform, data, "trade_create_response", "tid"))

    def order_status(self, platform_order_id: str) -> Call:
        return Call("GET", f"/taobao/trades/{platform_order_id}")

    def order_state(self, data: Json, platform_order_id: str) -> tuple[str | None, Any, Any, Any]:
        self.check(data)
        t = dig(self.platform, data, "trade_get_response", "trade")
        status = {"WAIT_SELLER_SEND_GOODS": "submitted", "WAIT_BUYER_CONFIRM_GOODS": "shipped"}.get(t.get("status"))
        return status, t.get("out_trade_no"), t.get("company_code"), t.get("out_sid")


class JdDialect(Dialect):
    platform = "jd"

    def check(self, data: Json) -> None:
        if data.get("code") not in (0, 404):
            raise PlatformDataError(f"jd: {data.get('message')}")

    def search(self, keyword: str, brand: str | None, limit: int, category: str | None = None) -> Call:
        params: Json = {"keyword": keyword, "pageSize": limit}
        if brand:
            params["brand"] = brand
        if category:
            params["catId"] = category
        return Call("GET", "/jd/api/search", params=params)

    def search_items(self, data: Json) -> Any:
        self.check(data)
        return dig(self.platform, data, "result", "skuList")

    def product(self, ppid: str) -> Call:
        return Call("GET", f"/jd/api/sku/{ppid}")

    def product_items(self, data: Json) -> Any | None:
        if data.get("code") == 404:
            return None
        self.check(data)
        return [dig(self.platform, data, "result")]

    def prices(self, ppids: list[str]) -> Call:
        return Call("POST", "/jd/api/prices", json={"skuIds": ppids})

    def price_pairs(self, data: Json) -> list[tuple[Any, Callable[[], Decimal]]]:
        self.check(data)
        rows = _rows(self.platform, dig(self.platform, data, "result"))
        return [(r.get("skuId"), partial(from_fen, r.get("priceFen"))) for r in rows]

    def order(self, request: PlatformOrderRequest, receiver: Json) -> Call:
        return Call("POST", "/jd/api/orders", json={
            "thirdOrderId": request.order_id, **receiver,
            "skus": [{"skuId": x.platform_product_id, "num": x.quantity, "attrs": x.variant} for x in request.lines]})  # fmt: skip

    def order_id(self, data: Json) -> str:
        self.check(data)
        return str(dig(self.platform, data, "result", "jdOrderId"))

    def order_status(self, platform_order_id: str) -> Call:
        return Call("GET", f"/jd/api/orders/{platform_order_id}")

    def order_state(self, data: Json, platform_order_id: str) -> tuple[str | None, Any, Any, Any]:
        self.check(data)
        r = dig(self.platform, data, "result")
        if r is None:
            raise MarketplaceError(f"jd: no order {platform_order_id}")
        return {1: "submitted", 2: "shipped"}.get(r.get("orderState")), r.get("thirdOrderId"), r.get("carrier"), \
            r.get("waybillCode")  # fmt: skip


class PddDialect(Dialect):
    platform = "pdd"
    ROUTER = "/pdd/api/router"

    def check(self, data: Json) -> None:
        self._error_response(data, "error_code", "error_msg")

    def search(self, keyword: str, brand: str | None, limit: int, category: str | None = None) -> Call:
        body: Json = {"type": "pdd.goods.search", "keyword": keyword, "page_size": limit}
        if brand:
            body["brand"] = brand
        if category:
            body["cat_id"] = category
        return Call("POST", self.ROUTER, json=body)

    def search_items(self, data: Json) -> Any:
        self.check(data)
        return dig(self.platform, data, "goods_search_response", "goods_list")

    def product(self, ppid: str) -> Call:
        return Call("POST", self.ROUTER, json={"type": "pdd.goods.detail", "goods_id": ppid})

    def product_items(self, data: Json) -> Any | None:
        if "error_response" in data:
            return None
        return dig(self.platform, data, "goods_detail_response", "goods_details")

    def prices(self, ppids: list[str]) -> Call:
        return Call("POST", self.ROUTER, json={"type": "pdd.goods.prices", "goods_id_list": ppids})

    def price_pairs(self, data: Json) -> list[tuple[Any, Callable[[], Decimal]]]:
        rows = _rows(self.platform, dig(self.platform, data, "goods_price_response", "list"))
        return [(r.get("goods_id"), partial(from_fen, r.get("min_group_price"))) for r in rows]

    def order(self, request: PlatformOrderRequest, receiver: Json) -> Call:
        return Call("POST", self.ROUTER, json={
            "type": "pdd.order.create", "out_order_sn": request.order_id, **receiver,
            "goods": [{"goods_id": x.platform_product_id, "goods_count": x.quantity, "spec": x.variant}
                      for x in request.lines]})  # fmt: skip

    def order_id(self, data: Json) -> str:
        self.check(data)
        return str(dig(self.platform, data, "order_create_response", "order_sn"))

    def order_status(self, platform_order_id: str) -> Call:
        return Call("POST", self.ROUTER, json={"type": "pdd.order.get", "order_sn": platform_order_id})

    def order_state(self, data: Json, platform_order_id: str) -> tuple[str | None, Any, Any, Any]:
        self.check(data)
        r = dig(self.platform, data, "order_get_response")
        return {1: "submitted", 2: "shipped"}.get(r.get("order_status")), r.get("out_order_sn"), \
            r.get("logistics_company"), r.get("tracking_number")  # fmt: skip


DIALECTS: dict[str, Dialect] = {d.platform: d for d in (TaobaoDialect(), JdDialect(), PddDialect())}


def _json_object(platform: str) -> Callable[[httpx.Response], Json]:
    def read(response: httpx.Response) -> Json:
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PlatformDataError(f"{platform}: malformed JSON") from exc
        if not isinstance(data, dict):
            raise PlatformDataError(f"{platform}: unexpected answer")
        return data

    return read


class DemoMarketplaceConnector:
    """One demo platform (taobao, jd or pdd) over HTTP, spoken in that platform's dialect."""

    def __init__(self, platform: str, base_url: str, *, timeout_seconds: float = 1.0, retries: int = 1,
                 breaker: CircuitBreaker | None = None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if platform not in DIALECTS:
            raise ValueError(f"no demo platform {platform!r}")
        self.platform = platform
        self.dialect = DIALECTS[platform]
        self.timeout_seconds = timeout_seconds
        self.retries = retries
        self.breaker = breaker or CircuitBreaker(platform)
        errors = ErrorKinds(unavailable=PlatformUnavailable, rejected=PlatformDataError,
                            retryable=(PlatformUnavailable,), timeout=PlatformTimeout,
                            never_retried=(PlatformTimeout,))  # fmt: skip
        self._http = HttpAdapter(errors, base_url=base_url, timeout=timeout_seconds, retries=retries,
                                 backoff=0.05, breaker=self.breaker, transport=transport)  # fmt: skip
        self._http.name = platform
        self._read = _json_object(platform)

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @base_url.setter
    def base_url(self, url: str) -> None:  # the factory learns a local server's port after building this
        self._http.base_url = url

    async def start(self) -> None:
        """Open the HTTP connection pool."""
        await self._http.start()

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _call(self, call: Call, *, idempotent: bool) -> Json:
        return await self._http.exchange(call.method, call.path, self._read, idempotent=idempotent, **call.kwargs())

    # ---- MarketplaceConnector --------------------------------------------------------------

    async def search(self, query: SearchQuery, *, limit: int = 50) -> list[Product]:
        """This platform's products for the query's words (and brand), its own offer only."""
        keyword = " ".join(x for x in (query.product, query.brand if not query.product else None) if x)
        data = await self._call(self.dialect.search(keyword, query.brand, limit, query.category), idempotent=True)
        return parse_items(self.platform, self.dialect.search_items(data))[:limit]

    async def get_product(self, platform_product_id: str) -> Product | None:
        """The product with this platform's current offer; None when the platform has no such item."""
        data = await self._call(self.dialect.product(platform_product_id), idempotent=True)
        items = self.dialect.product_items(data)
        if items is None:
            return None
        products = parse_items(self.platform, items)
        return products[0] if products else None

    async def get_prices(self, platform_product_ids: list[str]) -> dict[str, Decimal]:
        """Current listed prices, keyed by the ids asked for; unknown or invalid ones left out."""
        if not platform_product_ids:
            return {}
        data = await self._call(self.dialect.prices(platform_product_ids), idempotent=True)
        wanted = set(platform_product_ids)
        prices: dict[str, Decimal] = {}
        for raw_id, read in self.dialect.price_pairs(data):
            try:
                price = read()
            except BadItem:
                continue
            if str(raw_id) in wanted and Decimal(0) < price <= MAX_PRICE:
                prices[str(raw_id)] = price
        return prices

    # ---- OrderingConnector -----------------------------------------------------------------

    async def place_order(self, request: PlatformOrderRequest) -> PlatformOrder:
        """Place the order (the platform dedups on our order_id); tried once, never retried."""
        receiver = {"receiver_name": request.receiver_name, "phone": request.phone, "address": request.address}
        data = await self._call(self.dialect.order(request, receiver), idempotent=False)
        return PlatformOrder(platform=self.platform, platform_order_id=self.dialect.order_id(data),
                             order_id=request.order_id, status="submitted")  # fmt: skip

    async def get_order_status(self, platform_order_id: str) -> PlatformOrder:
        """The order's status on the platform: submitted, or shipped with carrier and tracking number."""
        data = await self._call(self.dialect.order_status(platform_order_id), idempotent=True)
        status, ours, carrier, tracking = self.dialect.order_state(data, platform_order_id)
        if status is None:
            raise PlatformDataError(f"{self.platform}: unknown order status")
        return PlatformOrder(platform=self.platform, platform_order_id=platform_order_id, order_id=str(ours),
                             status=status, carrier_code=carrier, tracking_number=tracking)
