"""JD Union (京东联盟) connector over the JD open platform router gateway.

Implements the documented method ``jd.union.open.goods.query`` (关键词商品查询接口, union.jd.com
openplatform api 628; same shape in the public SDKs fujianbang/union-jd-sdk,
zwx-zsy/unionsdk):

* request: form POST to ``https://api.jd.com/routerjson`` with the system parameters
  ``method``, ``app_key``, ``timestamp`` (``yyyy-MM-dd HH:mm:ss``, GMT+8), ``format=json``,
  ``v=1.0``, ``sign_method=md5``, ``360buy_param_json`` (the business JSON,
  ``{"goodsReqDTO": {keyword, pageIndex, pageSize, pricefrom, priceto, sortName, sort, skuIds}}``)
  and ``sign = MD5(app_secret + sorted k/v concatenation + app_secret)`` upper-case;
* response: ``{"jd_union_open_goods_query_responce": {"code": "0", "queryResult": "<JSON>"}}``
  (JD's own spelling "responce"); ``queryResult`` holds ``{"code": 200, "data": [...]}`` where
  each item has ``skuId``, ``skuName``, ``priceInfo.price`` / ``lowestPrice`` /
  ``lowestPriceType`` (2 = 拼购, needs a group, not used as our price), ``couponInfo.couponList``
  (``discount``, ``quota`` → a COUPON promotion), ``imageInfo.imageList[].url``,
  ``shopInfo.shopName``, ``brandName``, ``categoryInfo.cid3Name``, ``inOrderCount30Days``,
  ``goodCommentsShare`` (percent) and ``materialUrl``. ``commissionInfo`` is ignored.
* gateway errors: ``{"error_response": {"code", "zh_desc", "en_desc"}}``.

``get_product``/``get_prices`` use the same method with ``skuIds``. The affiliate API cannot
place orders: the shopper buys on JD through the item link, so the ordering methods raise
``OrderingNotSupported``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from integrations.marketplaces.affiliate import (
    AffiliateConnector,
    VendorErrorResponse,
    parse_count,
    parse_yuan,
    product_id,
    query_keyword,
)
from integrations.marketplaces.signing import md5_wrapped_sign
from shop.catalog import Offer, Product, Promotion, PromotionKind, SearchQuery
from shop.ports import (
    MarketplaceError,
    PlatformDataError,
    PlatformUnavailable,
)

log = logging.getLogger(__name__)

CHINA_TZ = timezone(timedelta(hours=8))
METHOD_GOODS_QUERY = "jd.union.open.goods.query"
_SORT = {
    "price_asc": ("price", "asc"),
    "price_desc": ("price", "desc"),
    "sales": ("inOrderCount30Days", "desc"),
    "rating": ("goodComments", "desc"),
}
_PAGE_MAX = 30  # goodsReqDTO.pageSize upper bound


@dataclass(frozen=True)
class JdUnionConfig:
    """Credentials and endpoint (settings JD_UNION_APP_KEY / _APP_SECRET / _API_URL)."""

    app_key: str
    app_secret: str
    api_url: str = "https://api.jd.com/routerjson"
    timeout: float = 5.0
    retries: int = 2  # extra attempts for reads
    retry_backoff: float = 0.2


class JdUnionConnector(AffiliateConnector):
    """``MarketplaceConnector`` for JD through the JD Union affiliate API (search and prices only)."""

    platform = "jd"

    ordering_note = (
        "JD Union is an affiliate (推广) API: it cannot place orders. Send the shopper the item link to buy on JD."
    )

    # -- MarketplaceConnector ------------------------------------------------------------

    async def search(self, query: SearchQuery, *, limit: int = 50) -> list[Product]:
        """Products matching the query, each with JD's offer; items without a valid price are dropped."""
        request: dict[str, Any] = {
            "keyword": query_keyword(query),
            "pageIndex": max(1, query.page),
            "pageSize": max(1, min(limit, _PAGE_MAX)),
        }
        if query.price_min is not None:
            request["pricefrom"] = int(query.price_min)  # coarse filter; exact filter below
        if query.price_max is not None:
            request["priceto"] = int(query.price_max) + 1
        if query.sort_by in _SORT:
            request["sortName"], request["sort"] = _SORT[query.sort_by]
        products = self._map_items(await self._goods_query(request))
        return [p for p in products if _in_range(p.offers[0].price, query)][:limit]

    async def get_product(self, platform_product_id: str) -> Product | None:
        """The JD item with this SKU id, or None when JD does not know it."""
        if not platform_product_id.isdigit():
            return None
        items = await self._goods_query({"skuIds": [int(platform_product_id)], "pageIndex": 1, "pageSize": 1})
        products = self._map_items(items)
        return products[0] if products else None

    async def get_prices(self, platform_product_ids: list[str]) -> dict[str, Decimal]:
        """Current prices by SKU id; unknown ids (and items without a valid price) are left out."""
        ids = [int(i) for i in dict.fromkeys(platform_product_ids) if i.isdigit()]
        prices: dict[str, Decimal] = {}
        for start in range(0, len(ids), _PAGE_MAX):
            chunk = ids[start : start + _PAGE_MAX]
            items = await self._goods_query({"skuIds": chunk, "pageIndex": 1, "pageSize": len(chunk)})
            for product in self._map_items(items):
                offer = product.offers[0]
                prices[offer.platform_product_id] = offer.price
        return prices

    # -- OrderingConnector ---------------------------------------------------------------

    # -- protocol ------------------------------------------------------------------------

    def signed_params(
        self, method: str, business: dict[str, Any], now: datetime | None = None
    ) -> dict[str, str]:
        """The full, signed form of one gateway call (public so the wire format can be checked)."""
        moment = (now or datetime.now(CHINA_TZ)).astimezone(CHINA_TZ)
        params = {
            "method": method,
            "app_key": self._config.app_key,
            "timestamp": moment.strftime("%Y-%m-%d %H:%M:%S"),
            "format": "json",
            "v": "1.0",
            "sign_method": "md5",
            "360buy_param_json": json.dumps(business, ensure_ascii=False, separators=(",", ":")),
        }
        params["sign"] = md5_wrapped_sign(params, self._config.app_secret)
        return params

    async def _goods_query(self, goods_req: dict[str, Any]) -> list[Any]:
        params = self.signed_params(METHOD_GOODS_QUERY, {"goodsReqDTO": goods_req})
        return await self._gateway.call(params, _goods_query_result, idempotent=True)

    def _map_items(self, items: list[Any]) -> list[Product]:
        products = []
        for item in items:
            product = _map_item(item) if isinstance(item, dict) else None
            if product is None:
                log.warning("jd: dropped an item without a valid id/title/price: %.200r", item)
                continue
            products.append(product)
        return products


def _goods_query_result(payload: Any) -> list[Any]:
    """The item list of a goods.query answer; vendor errors become ours."""
    if not isinstance(payload, dict):
        raise PlatformDataError("jd: response is not a JSON object")
    if "error_response" in payload:
        err = payload["error_response"] or {}
        vendor = VendorErrorResponse(
            str(err.get("code", "")), str(err.get("zh_desc") or err.get("en_desc", ""))
        )
        raise MarketplaceError(f"jd: gateway refused the call: {vendor}") from vendor
    body = payload.get("jd_union_open_goods_query_responce") or payload.get(
        "jd_union_open_goods_query_response"
    )
    if not isinstance(body, dict):
        raise PlatformDataError("jd: response lacks jd_union_open_goods_query_responce")
    raw = body.get("queryResult")
    try:
        result = json.loads(raw, parse_float=Decimal) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise PlatformDataError("jd: queryResult is not JSON") from exc
    if not isinstance(result, dict):
        raise PlatformDataError("jd: queryResult missing")
    try:
        code = int(result.get("code") or 0)
    except (TypeError, ValueError) as exc:
        raise PlatformDataError("jd: queryResult.code is not a number") from exc
    if code != 200:
        vendor = VendorErrorResponse(str(code), str(result.get("message", "")))
        error = PlatformUnavailable if code >= 500 or code == 429 else MarketplaceError
        raise error(f"jd: goods query failed: {vendor}") from vendor
    data = result.get("data") or []
    if not isinstance(data, list):
        raise PlatformDataError("jd: queryResult.data is not a list")
    return data


def _in_range(price: Decimal, query: SearchQuery) -> bool:
    return (query.price_min is None or price >= query.price_min) and (
        query.price_max is None or price <= query.price_max
    )


def _map_item(item: dict[str, Any]) -> Product | None:
    sku = str(item.get("skuId") or "").strip()
    title = str(item.get("skuName") or "").strip()
    price_info = item.get("priceInfo") or {}
    list_price = parse_yuan(price_info.get("price"))
    if not sku or not title or list_price is None or list_price == 0:
        return None
    price = list_price
    lowest = parse_yuan(price_info.get("lowestPrice"))
    if lowest is not None and 0 < lowest < list_price and str(price_info.get("lowestPriceType")) != "2":
        price = lowest
    promotions = []
    for coupon in (item.get("couponInfo") or {}).get("couponList") or []:
        discount = parse_yuan(coupon.get("discount"))
        quota = parse_yuan(coupon.get("quota")) or Decimal(0)
        if discount is None or discount == 0:
            continue
        label = (
            f"满{quota.normalize():f}减{discount.normalize():f}" if quota else f"立减{discount.normalize():f}"
        )
        promotions.append(Promotion(kind=PromotionKind.COUPON, label=label, amount=discount, threshold=quota))
    images = (item.get("imageInfo") or {}).get("imageList") or []
    image_url = str(images[0].get("url", "")) if images and isinstance(images[0], dict) else ""
    share = parse_yuan(item.get("goodCommentsShare"))
    rating = float(min(share, Decimal(100)) / 20) if share is not None else 0.0
    url = str(item.get("materialUrl") or f"item.jd.com/{sku}.html")
    if not url.startswith("http"):
        url = "https://" + url
    category = item.get("categoryInfo") or {}
    offer = Offer(
        platform="jd",
        platform_product_id=sku,
        price=price,
        original_price=max(list_price, price),
        promotions=tuple(promotions),
        sales=parse_count(item.get("inOrderCount30Days")),
        rating=rating,
        merchant=str((item.get("shopInfo") or {}).get("shopName") or ""),
        url=url,
    )
    return Product(
        id=product_id("jd", sku),
        title=title,
        title_en="",
        brand=str(item.get("brandName") or ""),
        category=str(category.get("cid3Name") or category.get("cid1Name") or ""),
        image_url=image_url,
        offers=[offer],
    )
