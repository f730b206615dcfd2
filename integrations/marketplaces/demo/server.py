"""A demo platform as a local HTTP service: its own JSON API, latency, failures, hangs.

`create_platform_app(store, behaviour)` builds the FastAPI app of one platform (taobao, jd or
pdd, each with its own paths and payload shapes, see wire.py); `DemoPlatformServer` runs it
with uvicorn on 127.0.0.1 and an ephemeral port inside the current event loop.
Admin endpoints (`/admin/...`) set prices and behaviour and are never slowed down or failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from integrations.marketplaces.demo import wire
from integrations.marketplaces.demo.images import PictureCache, default_picture_dir, product_svg
from integrations.marketplaces.demo.store import Listing, PlatformStore


@dataclass
class PlatformBehaviour:
    """How the platform misbehaves: latency (ms, plus jitter), failure rate, hang, bad JSON."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    failure_rate: float = 0.0  # share of API calls answered 500
    hang: bool = False  # API calls never answer (until the server stops)
    malformed_rate: float = 0.0  # share of API calls answered with broken JSON
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    released: asyncio.Event | None = None
    calls: int = 0  # API calls received (what a test or the operator can count)

    def release(self) -> None:
        """Let every hung request answer (503)."""
        if self.released is not None:
            self.released.set()
            self.released = None

    async def apply(self) -> Response | None:
        """Wait out the latency, then maybe answer badly: the response to send instead, or None."""
        self.calls += 1
        delay = self.latency_ms + (self.rng.uniform(0, self.jitter_ms) if self.jitter_ms else 0.0)
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        if self.hang:
            if self.released is None:
                self.released = asyncio.Event()
            await self.released.wait()
            return JSONResponse({"error": "server stopping"}, status_code=503)
        if self.failure_rate and self.rng.random() < self.failure_rate:
            return JSONResponse({"error": "internal error"}, status_code=500)
        if self.malformed_rate and self.rng.random() < self.malformed_rate:
            return Response('{"result": [{"priceFen": 1', media_type="application/json")
        return None


class _Misbehave:
    """ASGI middleware: API calls (not `/admin`, not `/images`) go through `behaviour.apply`
    (a plain ASGI wrapper: Starlette's `BaseHTTPMiddleware` costs a task group per request)."""

    def __init__(self, app: ASGIApp, behaviour: PlatformBehaviour) -> None:
        self.app = app
        self.behaviour = behaviour

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"].removeprefix(scope.get("root_path", ""))
            if not path.startswith(("/admin", "/images")):
                response = await self.behaviour.apply()
                if response is not None:
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _decimal(value: Any) -> Decimal | None:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def create_platform_app(store: PlatformStore, behaviour: PlatformBehaviour | None = None,
                        *, public_base_url: str | None = None, pictures: PictureCache | None = None) -> FastAPI:
    """The FastAPI app of one demo platform.

    Image URLs in its answers start with `public_base_url` when given (e.g. the bot's own URL
    plus the path the app is mounted at), else with the URL the request came to.
    """
    behaviour = behaviour or PlatformBehaviour()
    pictures = pictures or PictureCache(default_picture_dir())
    app = FastAPI(title=f"demo {store.platform}", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.store = store
    app.state.behaviour = behaviour
    app.state.public_base_url = public_base_url.rstrip("/") if public_base_url else None

    app.add_middleware(_Misbehave, behaviour=behaviour)

    @app.get("/images/{platform_product_id}.svg")
    async def image(platform_product_id: str) -> Response:
        listing = store.get(platform_product_id)
        if listing is None:
            raise HTTPException(404, "no such image")
        return Response(product_svg(listing.product, store.platform), media_type="image/svg+xml")

    @app.get("/images/{platform_product_id}.png")
    async def picture(platform_product_id: str) -> Response:
        listing = store.get(platform_product_id)
        if listing is None:
            raise HTTPException(404, "no such image")
        data = await asyncio.to_thread(pictures.png, listing.product)  # drawn once, then read from disk
        return Response(data, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})

    @app.post("/admin/prices/{any_id}")
    async def admin_set_price(any_id: str, body: dict[str, Any]) -> dict[str, Any]:
        price = _decimal(body.get("price"))
        if price is None or price <= 0:
            raise HTTPException(422, "price must be a positive decimal")
        listing = store.set_price(any_id, price)
        if listing is None:
            raise HTTPException(404, "no such product")
        return {"platform_product_id": listing.platform_product_id, "price": str(listing.price)}

    @app.post("/admin/behaviour")
    async def admin_behaviour(body: dict[str, Any]) -> dict[str, Any]:
        for name in ("latency_ms", "jitter_ms", "failure_rate", "malformed_rate"):
            if name in body:
                setattr(behaviour, name, float(body[name]))
        if "hang" in body:
            behaviour.hang = bool(body["hang"])
            if not behaviour.hang:
                behaviour.release()
        return {"latency_ms": behaviour.latency_ms, "failure_rate": behaviour.failure_rate,
                "hang": behaviour.hang}

    routes = {"taobao": _taobao_routes, "jd": _jd_routes, "pdd": _pdd_routes}[store.platform]
    routes(app, store)
    return app


def _page(listings: list[Listing], page: int, size: int) -> list[Listing]:
    page, size = max(1, page), min(max(1, size), 100)
    return listings[(page - 1) * size: page * size]


def _base(request: Request) -> str:
    public: str | None = request.app.state.public_base_url
    return public or str(request.base_url).rstrip("/")


def _receiver(body: dict[str, Any]) -> dict[str, str]:
    return {k: str(body.get(k, "")) for k in ("receiver_name", "phone", "address")}


def _taobao_routes(app: FastAPI, store: PlatformStore) -> None:
    def error(code: int, sub: str, msg: str, status: int = 200) -> JSONResponse:
        return JSONResponse({"error_response": {"code": code, "sub_code": sub, "msg": msg}}, status)

    @app.get("/taobao/items/search")
    async def search(request: Request, q: str = "", brand: str | None = None, start_price: str | None = None,
                     page_no: int = 1, page_size: int = 40, cat: str | None = None) -> JSONResponse:
        found = store.search(q, brand=brand, price_min=_decimal(start_price) if start_price else None,
                             category=cat)
        items = [wire.taobao_item(x, _base(request), summary=True) for x in _page(found, page_no, page_size)]
        return JSONResponse({"items_search_response": {"total_results": len(found), "items": {"item": items}}})

    @app.get("/taobao/items/prices")
    async def prices(num_iids: str = "") -> dict[str, Any]:
        rows = [{"num_iid": i, "price": str(x.price)} for i in num_iids.split(",")
                if i and (x := store.get(i)) is not None]
        return {"items_price_response": {"prices": {"price": rows}}}

    @app.get("/taobao/items/{num_iid}", response_model=None)
    async def item(request: Request, num_iid: str) -> dict[str, Any] | JSONResponse:
        listing = store.get(num_iid)
        if listing is None:
            return error(15, "isv.item-not-exist", "商品不存在")
        return {"item_get_response": {"item": wire.taobao_item(listing, _base(request))}}

    @app.post("/taobao/trades", response_model=None)
    async def place(body: dict[str, Any]) -> dict[str, Any] | JSONResponse:
        lines = [{"id": o.get("num_iid"), "quantity": o.get("num", 1), "variant": o.get("sku_props")}
                 for o in body.get("orders", [])]
        try:
            order = store.place_order(str(body["out_trade_no"]), lines, _receiver(body))
        except (KeyError, ValueError, TypeError):
            return error(40, "isv.invalid-parameter", "订单参数错误")
        return {"trade_create_response": {"tid": order.platform_order_id, "out_trade_no": order.order_id,
                                          "payment": str(order.total)}}

    @app.get("/taobao/trades/{tid}", response_model=None)
    async def trade(tid: str) -> dict[str, Any] | JSONResponse:
        order = store.orders.get(tid)
        if order is None:
            return error(15, "isv.trade-not-exist", "交易不存在")
        status, carrier, tracking = store.order_status(order)
        taobao_status = {"submitted": "WAIT_SELLER_SEND_GOODS", "shipped": "WAIT_BUYER_CONFIRM_GOODS"}[status]
        return {"trade_get_response": {"trade": {"tid": tid, "out_trade_no": order.order_id,
                                                 "status": taobao_status, "company_code": carrier,
                                                 "out_sid": tracking}}}


def _jd_routes(app: FastAPI, store: PlatformStore) -> None:
    @app.get("/jd/api/search")
    async def search(request: Request, keyword: str = "", brand: str | None = None,
                     priceFrom: int | None = None, pageIndex: int = 1, pageSize: int = 40,
                     catId: str | None = None) -> JSONResponse:
        floor = Decimal(priceFrom) / 100 if priceFrom is not None else None
        found = store.search(keyword, brand=brand, price_min=floor, category=catId)
        skus = [wire.jd_sku(x, _base(request), summary=True) for x in _page(found, pageIndex, pageSize)]
        return JSONResponse({"code": 0, "message": "success", "result": {"totalCount": len(found), "skuList": skus}})

    @app.post("/jd/api/prices")
    async def prices(body: dict[str, Any]) -> dict[str, Any]:
        rows = [{"skuId": str(i), "priceFen": wire.fen(x.price)} for i in body.get("skuIds", [])
                if (x := store.get(str(i))) is not None]
        return {"code": 0, "message": "success", "result": rows}

    @app.get("/jd/api/sku/{sku_id}")
    async def sku(request: Request, sku_id: str) -> dict[str, Any]:
        listing = store.get(sku_id)
        if listing is None:
            return {"code": 404, "message": "sku not found", "result": None}
        return {"code": 0, "message": "success", "result": wire.jd_sku(listing, _base(request))}

    @app.post("/jd/api/orders")
    async def place(body: dict[str, Any]) -> dict[str, Any]:
        lines = [{"id": s.get("skuId"), "quantity": s.get("num", 1), "variant": s.get("attrs")}
                 for s in body.get("skus", [])]
        try:
            order = store.place_order(str(body["thirdOrderId"]), lines, _receiver(body))
        except (KeyError, ValueError, TypeError):
            return {"code": 400, "message": "invalid order", "result": None}
        return {"code": 0, "message": "success",
                "result": {"jdOrderId": int(order.platform_order_id), "thirdOrderId": order.order_id,
                           "orderPriceFen": wire.fen(order.total)}}

    @app.get("/jd/api/orders/{jd_order_id}")
    async def order(jd_order_id: str) -> dict[str, Any]:
        found = store.orders.get(jd_order_id)
        if found is None:
            return {"code": 404, "message": "order not found", "result": None}
        status, carrier, tracking = store.order_status(found)
        return {"code": 0, "message": "success",
                "result": {"jdOrderId": int(jd_order_id), "thirdOrderId": found.order_id,
                           "orderState": {"submitted": 1, "shipped": 2}[status],
                           "carrier": carrier, "waybillCode": tracking}}


def _pdd_routes(app: FastAPI, store: PlatformStore) -> None:
    def error(code: int, msg: str) -> dict[str, Any]:
        return {"error_response": {"error_code": code, "error_msg": msg}}

    @app.post("/pdd/api/router")
    async def router(request: Request, body: dict[str, Any]) -> JSONResponse:
        return JSONResponse(_answer(request, body))

    def _answer(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type")
        base = _base(request)
        if kind == "pdd.goods.search":
            found = store.search(str(body.get("keyword") or ""), brand=body.get("brand"),
                                 category=str(body["cat_id"]) if body.get("cat_id") else None)
            goods = [wire.pdd_goods(x, base, summary=True) for x in
                     _page(found, int(body.get("page", 1)), int(body.get("page_size", 40)))]
            return {"goods_search_response": {"total_count": len(found), "goods_list": goods}}
        if kind == "pdd.goods.detail":
            listing = store.get(str(body.get("goods_id")))
            if listing is None:
                return error(20002, "商品不存在")
            return {"goods_detail_response": {"goods_details": [wire.pdd_goods(listing, base)]}}
        if kind == "pdd.goods.prices":
            rows = [{"goods_id": str(i), "min_group_price": wire.fen(x.price)}
                    for i in body.get("goods_id_list", []) if (x := store.get(str(i))) is not None]
            return {"goods_price_response": {"list": rows}}
        if kind == "pdd.order.create":
            lines = [{"id": g.get("goods_id"), "quantity": g.get("goods_count", 1), "variant": g.get("spec")}
                     for g in body.get("goods", [])]
            try:
                created = store.place_order(str(body["out_order_sn"]), lines, _receiver(body))
            except (KeyError, ValueError, TypeError):
                return error(10001, "订单参数错误")
            return {"order_create_response": {"order_sn": created.platform_order_id,
                                              "out_order_sn": created.order_id,
                                              "pay_amount": wire.fen(created.total)}}
        if kind == "pdd.order.get":
            held = store.orders.get(str(body.get("order_sn")))
            if held is None:
                return error(20003, "订单不存在")
            status, carrier, tracking = store.order_status(held)
            return {"order_get_response": {"order_sn": held.platform_order_id,
                                           "out_order_sn": held.order_id,
                                           "order_status": {"submitted": 1, "shipped": 2}[status],
                                           "logistics_company": carrier, "tracking_number": tracking}}
        return error(10000, f"unknown type {kind!r}")


class DemoPlatformServer:
    """Runs one demo platform with uvicorn on 127.0.0.1 (ephemeral port) in this event loop."""

    def __init__(self, store: PlatformStore, behaviour: PlatformBehaviour | None = None,
                 *, host: str = "127.0.0.1", port: int = 0, public_base_url: str | None = None,
                 pictures: PictureCache | None = None) -> None:
        self.platform = store.platform
        self.store = store
        self.behaviour = behaviour or PlatformBehaviour()
        self.app = create_platform_app(store, self.behaviour, public_base_url=public_base_url, pictures=pictures)
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Bind and serve; returns once the server accepts connections (at most 10 s)."""
        config = uvicorn.Config(self.app, host=self.host, port=self.port, log_level="warning",
                                lifespan="off", access_log=False, timeout_graceful_shutdown=1)
        server = uvicorn.Server(config)
        # the app's own server handles SIGINT/SIGTERM; an embedded platform must not take them
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
        self._server = server
        self._task = asyncio.create_task(server.serve(), name=f"demo-{self.platform}")
        for _ in range(1000):
            if server.started or self._task.done():
                break
            await asyncio.sleep(0.01)
        if not server.started:
            await self.stop()
            raise RuntimeError(f"demo platform {self.platform} did not start")
        self.port = server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Release hung requests and shut the server down."""
        self.behaviour.release()
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._server = None
        self._task = None
