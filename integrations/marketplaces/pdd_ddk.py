"""Pinduoduo (多多进宝 DDK) connector over the Pinduoduo open platform router.

Implements ``pdd.ddk.goods.search`` (多多进宝商品查询, open.pinduoduo.com; same shape in the
public SDKs lywzx/pdd-node-sdk, niltor/open-pdd-net-sdk, liu8534584/mall-sdk):

* request: form POST to ``https://gw-api.pinduoduo.com/api/router`` with ``type`` (the method),
  ``client_id``, ``timestamp`` (Unix seconds), ``data_type=JSON``, ``version=V1``, the business
  parameters (``keyword``, ``page``, ``page_size``, ``sort_type``, ``pid``, ``range_list``,
  ``goods_sign_list`` — lists as JSON text) and
  ``sign = MD5(client_secret + sorted k/v concatenation + client_secret)`` upper-case;
* response: ``{"goods_search_response": {"goods_list": [...], "total_count": n}}``; each item has
  ``goods_sign`` (the item id; ``goods_id`` is deprecated), ``goods_name``, ``goods_image_url``,
  ``min_group_price`` (拼团价, fen → our price), ``min_normal_price`` (单买价, fen → original
  price), ``has_coupon``, ``coupon_discount`` / ``coupon_min_order_amount`` (fen → a COUPON
  promotion), ``mall_name``, ``sales_tip`` ("10万+"), ``brand_name``, ``category_name``.
  ``promotion_rate`` (commission) is ignored.
* errors: ``{"error_response": {"error_code", "error_msg", "sub_code", "sub_msg"}}``; system
  errors (5xxxx) and call-rate limiting (70031) mean the platform is unavailable.

get_product/get_prices query the same method by ``goods_sign_list``. Ordering is not possible
through DDK (affiliate API).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from integrations.marketplaces.affiliate import (
    AffiliateConnector,
    VendorErrorResponse,
    fen_to_yuan,
    parse_count,
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

METHOD_SEARCH = "pdd.ddk.goods.search"
_SORT = {"price_asc": 3, "price_desc": 4, "sales": 6}
_PAGE_MAX = 100
_RANGE_MIN_GROUP_PRICE = 0  # range_list range_id for 最小成团价, bounds in fen


@dataclass(frozen=True)
class PddDdkConfig:
    """Settings PDD_CLIENT_ID / PDD_CLIENT_SECRET / PDD_PID / PDD_API_URL."""

    client_id: str
    client_secret: str
    pid: str
    api_url: str = "https://gw-api.pinduoduo.com/api/router"
    timeout: float = 5.0
    retries: int = 2  # extra attempts for reads
    retry_backoff: float = 0.2


class PddDdkConnector(AffiliateConnector):
    """``MarketplaceConnector`` for Pinduoduo through DDK (search and prices; no ordering)."""

    platform = "pdd"

    ordering_note = (
        "Pinduoduo DDK is an affiliate (多多进宝) API: it cannot place orders. Send the shopper the item link to buy on Pinduoduo."
    )

    async def search(self, query: SearchQuery, *, limit: int = 50) -> list[Product]:
        """Products matching the query; items without a valid price are dropped."""
        params: dict[str, str] = {
            "keyword": query_keyword(query),
            "page": str(max(1, query.page)),
            "page_size": str(max(1, min(limit, _PAGE_MAX))),
            "pid": self._config.pid,
        }
        if query.price_min is not None or query.price_max is not None:
            bounds: dict[str, int] = {"range_id": _RANGE_MIN_GROUP_PRICE}
            if query.price_min is not None:
                bounds["range_from"] = int(query.price_min * 100)
            if query.price_max is not None:
                bounds["range_to"] = int(query.price_max * 100)
            params["range_list"] = json.dumps([bounds], separators=(",", ":"))
        if query.sort_by in _SORT:
            params["sort_type"] = str(_SORT[query.sort_by])
        products = await self._search(params)
        return [
            p
            for p in products
            if (query.price_min is None or p.offers[0].price >= query.price_min)
            and (query.price_max is None or p.offers[0].price <= query.price_max)
        ][:limit]

    async def get_product(self, platform_product_id: str) -> Product | None:
        """The item with this goods_sign, or None when DDK does not know it."""
        products = await self._by_signs([platform_product_id])
        return products[0] if products else None

    async def get_prices(self, platform_product_ids: list[str]) -> dict[str, Decimal]:
        """Current 拼团 prices by goods_sign; unknown ids are left out."""
        ids = list(dict.fromkeys(i for i in platform_product_ids if i))
        prices: dict[str, Decimal] = {}
        for start in range(0, len(ids), _PAGE_MAX):
            for product in await self._by_signs(ids[start : start + _PAGE_MAX]):
                prices[product.offers[0].platform_product_id] = product.offers[0].price
        return prices

    # -- protocol ------------------------------------------------------------------------

    def signed_params(
        self, method: str, business: dict[str, str], now: float | None = None
    ) -> dict[str, str]:
        """The full, signed form of one router call."""
        params = {
            "type": method,
            "client_id": self._config.client_id,
            "timestamp": str(int(now if now is not None else time.time())),
            "data_type": "JSON",
            "version": "V1",
            **business,
        }
        params["sign"] = md5_wrapped_sign(params, self._config.client_secret)
        return params

    async def _by_signs(self, signs: list[str]) -> list[Product]:
        if not signs:
            return []
        wanted = set(signs)
        products = await self._search(
            {
                "goods_sign_list": json.dumps(signs, separators=(",", ":")),
                "page_size": str(len(signs)),
                "pid": self._config.pid,
            }
        )
        return [p for p in products if p.offers[0].platform_product_id in wanted]

    async def _search(self, business: dict[str, str]) -> list[Product]:
        params = self.signed_params(METHOD_SEARCH, business)
        return await self._gateway.call(params, _search_result, idempotent=True)


def _search_result(payload: Any) -> list[Product]:
    """The mapped goods of a goods.search answer; ``error_response`` becomes our error."""
    if not isinstance(payload, dict):
        raise PlatformDataError("pdd: response is not a JSON object")
    if "error_response" in payload:
        err = payload["error_response"] or {}
        code = str(err.get("error_code", ""))
        vendor = VendorErrorResponse(
            code, str(err.get("sub_msg") or err.get("error_msg", "")), str(err.get("sub_code", ""))
        )
        unavailable = (code.isdigit() and 50000 <= int(code) < 60000) or code == "70031"
        error = PlatformUnavailable if unavailable else MarketplaceError
        raise error(f"pdd: {METHOD_SEARCH} failed: {vendor}") from vendor
    body = payload.get("goods_search_response")
    if not isinstance(body, dict):
        raise PlatformDataError("pdd: answer has no goods_search_response")
    items = body.get("goods_list") or []
    if not isinstance(items, list):
        raise PlatformDataError("pdd: goods_list is not a list")
    products = []
    for item in items:
        product = _map_item(item) if isinstance(item, dict) else None
        if product is None:
            log.warning("pdd: dropped an item without a valid id/title/price: %.200r", item)
            continue
        products.append(product)
    return products


def _map_item(item: dict[str, Any]) -> Product | None:
    sign = str(item.get("goods_sign") or "").strip()
    title = str(item.get("goods_name") or "").strip()
    price = fen_to_yuan(item.get("min_group_price"))
    if not sign or not title or price is None or price == 0:
        return None
    original = fen_to_yuan(item.get("min_normal_price"))
    promotions = []
    discount = fen_to_yuan(item.get("coupon_discount"))
    if item.get("has_coupon", True) and discount:
        threshold = fen_to_yuan(item.get("coupon_min_order_amount")) or Decimal("0.00")
        label = f"满{threshold.normalize():f}减{discount.normalize():f}" if threshold else f"{discount}元券"
        promotions.append(
            Promotion(kind=PromotionKind.COUPON, label=label, amount=discount, threshold=threshold)
        )
    goods_id = item.get("goods_id")
    offer = Offer(
        platform="pdd",
        platform_product_id=sign,
        price=price,
        original_price=max(original or price, price),
        promotions=tuple(promotions),
        sales=parse_count(item.get("sales_tip")),
        merchant=str(item.get("mall_name") or ""),
        url=f"https://mobile.yangkeduo.com/goods.html?goods_id={goods_id}" if goods_id else "",
    )
    return Product(
        id=product_id("pdd", sign),
        title=title,
        title_en="",
        brand=str(item.get("brand_name") or ""),
        category=str(item.get("opt_name") or item.get("category_name") or ""),
        image_url=str(item.get("goods_image_url") or item.get("goods_thumbnail_url") or ""),
        offers=[offer],
    )
