"""Pinduoduo DDK adapter against a local PDD router that checks signatures like PDD does."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from integrations.marketplaces.pdd_ddk import PddDdkConfig, PddDdkConnector
from shop.catalog import PromotionKind, SearchQuery
from shop.ports import MarketplaceError, PlatformUnavailable

CLIENT_ID, SECRET, PID = "pdd-client", "pdd-secret", "1234567_890"

GOODS = [
    {
        "goods_sign": "E9H2-sign-1",
        "goods_id": 123456,
        "goods_name": "农夫山泉 饮用天然水 550ml*24瓶",
        "goods_image_url": "https://img.pddpic.com/water.jpg",
        "min_group_price": 2990,
        "min_normal_price": 3590,
        "has_coupon": True,
        "coupon_discount": 300,
        "coupon_min_order_amount": 2900,
        "mall_name": "农夫山泉官方旗舰店",
        "sales_tip": "10万+",
        "promotion_rate": 200,
        "brand_name": "农夫山泉",
    },
    {"goods_sign": "sign-2", "goods_name": "农夫山泉 17.5° 橙", "min_group_price": 6990, "min_normal_price": 5990,
     "has_coupon": False, "coupon_discount": 0, "mall_name": "果园"},
    {"goods_sign": "sign-3", "goods_name": "农夫山泉 负价", "min_group_price": -100},
    {"goods_sign": "sign-4", "goods_name": "农夫山泉 无价"},
    {"goods_sign": "sign-5", "goods_name": "农夫山泉 小数价", "min_group_price": 12.5},
]  # fmt: skip


def pdd_sign(params: dict[str, str], secret: str) -> str:
    body = "".join(k + params[k] for k in sorted(params) if k != "sign")
    return hashlib.md5(f"{secret}{body}{secret}".encode()).hexdigest().upper()


def make_router(calls: list[dict[str, str]]) -> FastAPI:
    app = FastAPI()

    @app.post("/api/router")
    async def router(request: Request):
        form = {k: str(v) for k, v in (await request.form()).items()}
        calls.append(form)
        if form.get("client_id") != CLIENT_ID or form.get("sign") != pdd_sign(form, SECRET):
            return {
                "error_response": {"error_code": 10019, "error_msg": "签名错误", "sub_msg": "sign invalid"}
            }
        if form.get("type") != "pdd.ddk.goods.search" or form.get("data_type") != "JSON":
            return {"error_response": {"error_code": 10000, "error_msg": "参数错误"}}
        keyword = form.get("keyword", "")
        if keyword == "系统错误":
            return {"error_response": {"error_code": 50000, "error_msg": "系统内部错误"}}
        if keyword == "维护":
            return PlainTextResponse("bad gateway", status_code=502)
        if "goods_sign_list" in form:
            signs = json.loads(form["goods_sign_list"])
            goods = [g for g in GOODS if g["goods_sign"] in signs]
        else:
            goods = [g for g in GOODS if keyword in g["goods_name"]]
            if "range_list" in form:
                (rng,) = json.loads(form["range_list"])
                goods = [g for g in goods if rng.get("range_to", 10**12) >= g.get("min_group_price", 0)]
        return {"goods_search_response": {"goods_list": goods, "total_count": len(goods), "search_id": "s"}}

    return app


def connector(calls, secret=SECRET) -> PddDdkConnector:
    config = PddDdkConfig(CLIENT_ID, secret, PID, api_url="http://pdd.local/api/router", retry_backoff=0)
    return PddDdkConnector(config, transport=httpx.ASGITransport(app=make_router(calls)))


async def test_search_converts_fen_to_decimal_yuan_and_coupons():
    calls: list[dict[str, str]] = []
    async with connector(calls) as pdd:
        products = await pdd.search(SearchQuery(product="农夫山泉", sort_by="price_asc"))
    assert calls[0]["sort_type"] == "3" and calls[0]["pid"] == PID
    offers = {p.offers[0].platform_product_id: p.offers[0] for p in products}
    assert set(offers) == {"E9H2-sign-1", "sign-2"}  # negative, missing and float prices dropped
    water = offers["E9H2-sign-1"]
    assert (water.price, water.original_price) == (Decimal("29.90"), Decimal("35.90"))
    (coupon,) = water.promotions
    assert coupon.kind is PromotionKind.COUPON
    assert (coupon.amount, coupon.threshold) == (Decimal("3.00"), Decimal("29.00"))
    assert water.sales == 100000 and water.url.endswith("goods_id=123456")
    orange = offers["sign-2"]
    assert orange.promotions == () and orange.original_price == Decimal("69.90")


async def test_price_range_is_sent_in_fen_and_enforced():
    calls: list[dict[str, str]] = []
    async with connector(calls) as pdd:
        products = await pdd.search(
            SearchQuery(product="农夫山泉", price_min=Decimal(30), price_max=Decimal(80))
        )
    assert json.loads(calls[0]["range_list"]) == [{"range_id": 0, "range_from": 3000, "range_to": 8000}]
    assert [p.offers[0].price for p in products] == [Decimal("69.90")]


async def test_wrong_secret_rejected_and_vendor_errors_mapped():
    calls: list[dict[str, str]] = []
    async with connector(calls, secret="bad") as pdd:
        with pytest.raises(MarketplaceError, match="10019") as info:
            await pdd.search(SearchQuery(product="农夫山泉"))
    assert not isinstance(info.value, PlatformUnavailable)
    async with connector(calls) as pdd:
        with pytest.raises(PlatformUnavailable, match="50000"):
            await pdd.search(SearchQuery(product="系统错误"))
        calls.clear()
        with pytest.raises(PlatformUnavailable):
            await pdd.search(SearchQuery(product="维护"))
    assert len(calls) == 3  # the read was retried


async def test_get_prices_by_goods_sign():
    async with connector([]) as pdd:
        prices = await pdd.get_prices(["E9H2-sign-1", "sign-3", "nope"])
        product = await pdd.get_product("sign-2")
    assert prices == {"E9H2-sign-1": Decimal("29.90")}
    assert product is not None and product.offers[0].price == Decimal("69.90")
