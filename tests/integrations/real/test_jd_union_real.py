"""JD Union adapter against a local JD router gateway that checks signatures like JD does."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from integrations.marketplaces.jd_union import JdUnionConfig, JdUnionConnector
from shop.catalog import PromotionKind, SearchQuery
from shop.ports import (
    MarketplaceError,
    OrderingNotSupported,
    PlatformDataError,
    PlatformOrderLine,
    PlatformOrderRequest,
    PlatformUnavailable,
)

APP_KEY, SECRET = "jd-app-key", "jd-app-secret"

ITEMS = [
    {
        "skuId": 100012043978,
        "skuName": "Apple iPhone 15 128GB 黑色",
        "brandName": "Apple",
        "priceInfo": {
            "price": 5999.0,
            "lowestPrice": 5799.0,
            "lowestPriceType": 1,
            "lowestCouponPrice": 5699.0,
        },
        "couponInfo": {"couponList": [{"bindType": 1, "discount": 100.0, "quota": 5000.0, "isBest": 1}]},
        "imageInfo": {"imageList": [{"url": "https://img14.360buyimg.com/a.jpg"}]},
        "shopInfo": {"shopName": "Apple产品京东自营旗舰店", "shopId": 1000000127},
        "categoryInfo": {"cid1Name": "手机通讯", "cid3Name": "手机"},
        "commissionInfo": {"commission": 59.99, "commissionShare": 1.0},
        "inOrderCount30Days": 52000,
        "goodCommentsShare": 98,
        "materialUrl": "item.jd.com/100012043978.html",
    },
    {  # 拼购 lowest price must not become our price
        "skuId": 200000000001,
        "skuName": "Apple AirPods Pro 2",
        "brandName": "Apple",
        "priceInfo": {"price": "1899.00", "lowestPrice": "1500.00", "lowestPriceType": 2},
        "shopInfo": {"shopName": "自营"},
        "inOrderCount30Days": 100,
        "materialUrl": "item.jd.com/200000000001.html",
    },
    {"skuId": 300000000001, "skuName": "无价格的 Apple 手机壳", "priceInfo": {}},
    {"skuId": 300000000002, "skuName": "负价格的 Apple 充电器", "priceInfo": {"price": -1}},
    {"skuId": 300000000003, "skuName": "价格乱码的 Apple 线", "priceInfo": {"price": "abc"}},
]


def jd_sign(params: dict[str, str], secret: str) -> str:
    body = "".join(k + params[k] for k in sorted(params) if k != "sign")
    return hashlib.md5(f"{secret}{body}{secret}".encode()).hexdigest().upper()


def make_gateway(calls: list[dict[str, str]]) -> FastAPI:
    app = FastAPI()

    @app.post("/routerjson")
    async def router(request: Request):
        form = {k: str(v) for k, v in (await request.form()).items()}
        calls.append(form)
        for name in ("method", "app_key", "timestamp", "v", "sign_method", "360buy_param_json", "sign"):
            if name not in form:
                return {"error_response": {"code": "15", "zh_desc": f"缺少参数{name}", "en_desc": "missing"}}
        if form["app_key"] != APP_KEY or form["sign"] != jd_sign(form, SECRET):
            return {"error_response": {"code": "19", "zh_desc": "签名无效", "en_desc": "Invalid signature"}}
        dto = json.loads(form["360buy_param_json"])["goodsReqDTO"]
        keyword = dto.get("keyword", "")
        if keyword == "gateway-down":
            return PlainTextResponse("busy", status_code=503)
        if keyword == "garbage":
            return PlainTextResponse("<html>oops</html>", status_code=200)
        if keyword == "inner-busy":
            result = {"code": 500, "message": "服务繁忙"}
        else:
            if "skuIds" in dto:
                data = [i for i in ITEMS if i["skuId"] in dto["skuIds"]]
            else:
                data = [i for i in ITEMS if keyword.split()[-1].lower() in i["skuName"].lower()]
            result = {"code": 200, "message": "success", "data": data, "totalCount": len(data)}
        return JSONResponse(
            {
                "jd_union_open_goods_query_responce": {
                    "code": "0",
                    "queryResult": json.dumps(result, ensure_ascii=False),
                }
            }
        )

    return app


def connector(calls: list[dict[str, str]], secret: str = SECRET) -> JdUnionConnector:
    config = JdUnionConfig(APP_KEY, secret, api_url="http://jd.local/routerjson", retry_backoff=0)
    return JdUnionConnector(config, transport=httpx.ASGITransport(app=make_gateway(calls)))


async def test_search_maps_items_to_offers_with_decimal_prices_and_coupons():
    calls: list[dict[str, str]] = []
    async with connector(calls) as jd:
        products = await jd.search(
            SearchQuery(product="iphone", brand="Apple", sort_by="price_asc"), limit=10
        )
    assert calls[0]["method"] == "jd.union.open.goods.query"
    assert json.loads(calls[0]["360buy_param_json"])["goodsReqDTO"]["sortName"] == "price"
    assert [p.title for p in products] == ["Apple iPhone 15 128GB 黑色"]
    offer = products[0].offers[0]
    assert offer.price == Decimal("5799.00") and isinstance(offer.price, Decimal)
    assert offer.original_price == Decimal("5999.00")
    assert offer.promotions[0].kind is PromotionKind.COUPON
    assert (offer.promotions[0].amount, offer.promotions[0].threshold) == (
        Decimal("100.00"),
        Decimal("5000.00"),
    )
    assert offer.url == "https://item.jd.com/100012043978.html"
    assert offer.merchant == "Apple产品京东自营旗舰店" and offer.sales == 52000
    assert products[0].id == "jd:100012043978" and products[0].brand == "Apple"


async def test_items_with_missing_or_negative_prices_are_dropped_and_group_price_ignored():
    async with connector([]) as jd:
        products = await jd.search(SearchQuery(product="apple"))
    by_id = {p.offers[0].platform_product_id: p.offers[0] for p in products}
    assert set(by_id) == {"100012043978", "200000000001"}
    assert by_id["200000000001"].price == Decimal("1899.00")  # 拼购 1500 is not what a single buyer pays


async def test_price_range_is_enforced_on_results():
    async with connector([]) as jd:
        products = await jd.search(SearchQuery(product="apple", price_max=Decimal(2000)))
    assert [p.offers[0].price for p in products] == [Decimal("1899.00")]


async def test_wrong_secret_is_rejected_by_the_gateway():
    calls: list[dict[str, str]] = []
    async with connector(calls, secret="not-the-secret") as jd:
        with pytest.raises(MarketplaceError) as info:
            await jd.search(SearchQuery(product="iphone"))
    assert not isinstance(info.value, PlatformUnavailable)
    assert "19" in str(info.value) and info.value.__cause__ is not None
    assert len(calls) == 1  # a refused signature is not retried


async def test_get_prices_and_get_product_by_sku_ids():
    async with connector([]) as jd:
        prices = await jd.get_prices(["100012043978", "200000000001", "999", "not-a-sku", "300000000002"])
        product = await jd.get_product("100012043978")
        missing = await jd.get_product("424242")
    assert prices == {"100012043978": Decimal("5799.00"), "200000000001": Decimal("1899.00")}
    assert product is not None and product.offers[0].price == Decimal("5799.00")
    assert missing is None


async def test_http_5xx_is_retried_then_reported_unavailable():
    calls: list[dict[str, str]] = []
    async with connector(calls) as jd:
        with pytest.raises(PlatformUnavailable):
            await jd.search(SearchQuery(product="gateway-down"))
    assert len(calls) == 3


async def test_inner_error_code_and_malformed_body_map_to_our_errors():
    async with connector([]) as jd:
        with pytest.raises(PlatformUnavailable):
            await jd.search(SearchQuery(product="inner-busy"))
        with pytest.raises(PlatformDataError):
            await jd.search(SearchQuery(product="garbage"))


async def test_ordering_is_not_supported_with_a_clear_message():
    request = PlatformOrderRequest(
        order_id="o1",
        lines=(PlatformOrderLine("100012043978", 1, Decimal(5799)),),
        total=Decimal(5799),
        receiver_name="张三",
        phone="13800000000",
        address="北京",
    )
    with pytest.raises(OrderingNotSupported, match="affiliate"):
        await connector([]).place_order(request)


async def test_circuit_opens_after_repeated_outages_and_skips_the_gateway():
    calls: list[dict[str, str]] = []
    async with connector(calls) as jd:
        for _ in range(3):
            with pytest.raises(PlatformUnavailable):
                await jd.search(SearchQuery(product="gateway-down"))
        seen = len(calls)
        with pytest.raises(PlatformUnavailable, match="circuit open"):
            await jd.search(SearchQuery(product="iphone"))
    assert seen == 9 and len(calls) == 9  # the open circuit kept the healthy-looking call off the wire
