"""Taobao TBK adapter against a local TOP gateway that checks md5/hmac signatures like TOP does."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI, Request

from integrations.marketplaces.taobao_tbk import TaobaoTbkConfig, TaobaoTbkConnector, parse_coupon
from shop.catalog import PromotionKind, SearchQuery
from shop.ports import MarketplaceError, OrderingNotSupported, PlatformUnavailable

APP_KEY, SECRET, ADZONE = "12345678", "top-secret", "109876543210"

MAP_DATA = [
    {
        "item_id": "abcD-656398478905",
        "title": "小米 Redmi K70 16GB+512GB",
        "zk_final_price": "2499.00",
        "reserve_price": "2999.00",
        "coupon_info": "满2000元减100元",
        "coupon_amount": "",
        "volume": 12000,
        "shop_title": "小米官方旗舰店",
        "pict_url": "//img.alicdn.com/k70.jpg",
        "coupon_share_url": "//uland.taobao.com/coupon/edetail?e=abc",
        "category_name": "手机",
        "commission_rate": "300",
    },
    {
        "item_id": "abcD-2",
        "title": "小米 手环 8",
        "zk_final_price": "199",
        "reserve_price": "249",
        "coupon_info": "20元无条件券",
        "volume": "3万+",
        "shop_title": "小米之家",
        "url": "//s.click.taobao.com/t?e=m",
    },
    {"item_id": "abcD-3", "title": "小米 坏价格", "zk_final_price": "-5", "reserve_price": "10"},
    {"item_id": "abcD-4", "title": "小米 无价格"},
    {"item_id": "", "title": "小米 无编号", "zk_final_price": "10"},
]


def top_sign(params: dict[str, str], secret: str) -> str:
    body = "".join(k + params[k] for k in sorted(params) if k != "sign")
    if params["sign_method"] == "md5":
        return hashlib.md5(f"{secret}{body}{secret}".encode()).hexdigest().upper()
    digest = hashlib.md5 if params["sign_method"] == "hmac" else hashlib.sha256
    return hmac.new(secret.encode(), body.encode(), digest).hexdigest().upper()


def make_gateway(calls: list[dict[str, str]]) -> FastAPI:
    app = FastAPI()

    @app.post("/router/rest")
    async def rest(request: Request):
        form = {k: str(v) for k, v in (await request.form()).items()}
        calls.append(form)
        if form.get("v") != "2.0" or form.get("format") != "json":
            return {"error_response": {"code": 40, "msg": "Missing required arguments:v"}}
        if form.get("app_key") != APP_KEY:
            return {"error_response": {"code": 29, "msg": "Invalid app Key"}}
        if form.get("sign") != top_sign(form, SECRET):
            return {"error_response": {"code": 25, "msg": "Invalid signature", "request_id": "r1"}}
        if form["method"] == "taobao.tbk.dg.material.optional":
            if form.get("adzone_id") != ADZONE:
                return {
                    "error_response": {
                        "code": 15,
                        "msg": "Remote service error",
                        "sub_code": "isv.adzone-invalid",
                    }
                }
            if form["q"] == "限流":
                return {
                    "error_response": {
                        "code": 7,
                        "msg": "App Call Limited",
                        "sub_code": "accesscontrol.limited-by-app-access-count",
                    }
                }
            if form["q"] == "后端超时":
                return {
                    "error_response": {
                        "code": 15,
                        "msg": "Remote service error",
                        "sub_code": "isp.top-remote-connection-timeout",
                    }
                }
            data = [d for d in MAP_DATA if form["q"].split()[-1] in d["title"]]
            return {
                "tbk_dg_material_optional_response": {
                    "result_list": {"map_data": data},
                    "total_results": len(data),
                    "request_id": "r2",
                }
            }
        if form["method"] == "taobao.tbk.item.info.get":
            ids = form["num_iids"].split(",")
            items = [
                {"num_iid": d["item_id"], "title": d["title"], "zk_final_price": d.get("zk_final_price"),
                 "reserve_price": d.get("reserve_price"), "nick": d.get("shop_title", "")}
                for d in MAP_DATA if d["item_id"] in ids
            ]  # fmt: skip
            return {"tbk_item_info_get_response": {"results": {"n_tbk_item": items}, "request_id": "r3"}}
        return {"error_response": {"code": 22, "msg": "Invalid method"}}

    return app


def connector(calls, *, secret=SECRET, sign_method="md5") -> TaobaoTbkConnector:
    config = TaobaoTbkConfig(APP_KEY, secret, ADZONE, api_url="http://top.local/router/rest",
                             sign_method=sign_method, retry_backoff=0)  # fmt: skip
    return TaobaoTbkConnector(config, transport=httpx.ASGITransport(app=make_gateway(calls)))


@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
async def test_search_is_signed_and_maps_prices_and_coupons(sign_method):
    calls: list[dict[str, str]] = []
    async with connector(calls, sign_method=sign_method) as tb:
        products = await tb.search(SearchQuery(product="小米", sort_by="price_asc"))
    assert calls[0]["sort"] == "price_asc" and calls[0]["adzone_id"] == ADZONE
    offers = {p.offers[0].platform_product_id: p.offers[0] for p in products}
    assert set(offers) == {"abcD-656398478905", "abcD-2"}  # bad prices and ids dropped
    k70 = offers["abcD-656398478905"]
    assert (k70.price, k70.original_price) == (Decimal("2499.00"), Decimal("2999.00"))
    (coupon,) = k70.promotions
    assert coupon.kind is PromotionKind.COUPON
    assert (coupon.threshold, coupon.amount, coupon.label) == (
        Decimal("2000.00"),
        Decimal("100.00"),
        "满2000元减100元",
    )
    assert k70.url.startswith("https://uland.taobao.com/") and k70.sales == 12000
    band = offers["abcD-2"]
    assert band.promotions[0].threshold == 0 and band.promotions[0].amount == Decimal("20.00")
    assert band.sales == 30000 and band.price == Decimal("199.00")


async def test_wrong_secret_is_rejected_and_not_retried():
    calls: list[dict[str, str]] = []
    async with connector(calls, secret="wrong") as tb:
        with pytest.raises(MarketplaceError, match="Invalid signature") as info:
            await tb.search(SearchQuery(product="小米"))
    assert not isinstance(info.value, PlatformUnavailable) and len(calls) == 1


async def test_platform_side_errors_mean_unavailable():
    async with connector([]) as tb:
        with pytest.raises(PlatformUnavailable):
            await tb.search(SearchQuery(product="后端超时"))
        with pytest.raises(PlatformUnavailable):
            await tb.search(SearchQuery(product="限流"))


async def test_get_prices_and_get_product_use_item_info():
    calls: list[dict[str, str]] = []
    async with connector(calls) as tb:
        prices = await tb.get_prices(["abcD-2", "abcD-3", "unknown"])
        product = await tb.get_product("abcD-656398478905")
    assert prices == {"abcD-2": Decimal("199.00")}
    assert product is not None and product.offers[0].price == Decimal("2499.00")
    assert (
        calls[0]["method"] == "taobao.tbk.item.info.get" and calls[0]["num_iids"] == "abcD-2,abcD-3,unknown"
    )


def test_coupon_text_parsing():
    full = parse_coupon("满300元减40元")
    assert full is not None and (full.threshold, full.amount) == (Decimal("300.00"), Decimal("40.00"))
    assert parse_coupon("") is None and parse_coupon("满300元减0元") is None
    explicit = parse_coupon("", amount="15", start_fee="99")
    assert explicit is not None and (explicit.threshold, explicit.amount) == (
        Decimal("99.00"),
        Decimal("15.00"),
    )


async def test_ordering_is_not_supported():
    with pytest.raises(OrderingNotSupported):
        await connector([]).get_order_status("x")
