"""Taobao (淘宝联盟 TBK) connector over the Taobao Open Platform (TOP) REST gateway.

Implements, per the TOP protocol (open.taobao.com "API调用方法详解"; same shape in the public
models of bububa/opentaobao and the official ``top.api`` Python SDK):

* request: form POST to ``https://eco.taobao.com/router/rest`` with the system parameters
  ``method``, ``app_key``, ``timestamp`` (``yyyy-MM-dd HH:mm:ss``, GMT+8), ``format=json``,
  ``v=2.0``, ``sign_method`` (``md5``, ``hmac`` or ``hmac-sha256``) and ``sign``: over every
  parameter sorted by name and concatenated ``k1v1k2v2...``; ``md5`` =
  ``MD5(secret + concat + secret)``, ``hmac`` = ``HMAC-MD5(secret, concat)``, upper-case hex.
* ``taobao.tbk.dg.material.optional`` (物料搜索): ``adzone_id``, ``q``, ``page_no``,
  ``page_size``, ``sort`` (``price_asc``/``price_des``/``total_sales_des``), ``start_price``,
  ``end_price``; answer ``tbk_dg_material_optional_response.result_list.map_data[]`` with
  ``item_id``, ``title``, ``zk_final_price`` (折扣价 → our price), ``reserve_price`` (一口价 →
  original price), ``coupon_info`` ("满300元减40元" / "20元无条件券"), ``coupon_amount``,
  ``coupon_start_fee`` (→ a COUPON promotion), ``volume``, ``shop_title``, ``pict_url``,
  ``url``/``coupon_share_url``, ``category_name``. Commission fields are ignored.
* ``taobao.tbk.item.info.get`` (``num_iids``, comma separated, ≤ 40) for get_product/get_prices:
  ``tbk_item_info_get_response.results.n_tbk_item[]`` with the same price fields.
* errors: ``{"error_response": {"code", "msg", "sub_code", "sub_msg"}}``; ``isp.*`` sub codes
  (platform side) and code 7 (call limit) mean the platform is unavailable.
"""

from __future__ import annotations

import logging
import re
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
from integrations.marketplaces.signing import hmac_sign, md5_wrapped_sign
from shop.catalog import Offer, Product, Promotion, PromotionKind, SearchQuery
from shop.ports import (
    MarketplaceError,
    PlatformDataError,
    PlatformUnavailable,
)

log = logging.getLogger(__name__)

CHINA_TZ = timezone(timedelta(hours=8))
METHOD_SEARCH = "taobao.tbk.dg.material.optional"
METHOD_ITEM_INFO = "taobao.tbk.item.info.get"
_SORT = {"price_asc": "price_asc", "price_desc": "price_des", "sales": "total_sales_des"}
_PAGE_MAX = 100
_ITEM_INFO_MAX = 40
_FULL_COUPON = re.compile(r"满\s*(\d+(?:\.\d+)?)\s*元?\s*减\s*(\d+(?:\.\d+)?)\s*元?")
_FREE_COUPON = re.compile(r"(\d+(?:\.\d+)?)\s*元\s*(?:无条件|无门槛)")


@dataclass(frozen=True)
class TaobaoTbkConfig:
    """Settings TAOBAO_APP_KEY / _APP_SECRET / _ADZONE_ID / _API_URL / _SIGN_METHOD."""

    app_key: str
    app_secret: str
    adzone_id: str
    api_url: str = "https://eco.taobao.com/router/rest"
    sign_method: str = "md5"  # md5, hmac, hmac-sha256
    timeout: float = 5.0
    retries: int = 2  # extra attempts for reads
    retry_backoff: float = 0.2


def parse_coupon(info: str, amount: Any = None, start_fee: Any = None) -> Promotion | None:
    """A TBK coupon as our COUPON promotion; None when there is no usable coupon.

    ``coupon_amount``/``coupon_start_fee`` win when present; otherwise the text
    ``coupon_info`` ("满300元减40元", "20元无条件券") is parsed.
    """
    value, threshold = parse_yuan(amount), parse_yuan(start_fee)
    if value is None:
        if match := _FULL_COUPON.search(info or ""):
            threshold, value = parse_yuan(match.group(1)), parse_yuan(match.group(2))
        elif match := _FREE_COUPON.search(info or ""):
            threshold, value = Decimal("0.00"), parse_yuan(match.group(1))
    if value is None or value == 0:
        return None
    threshold = threshold or Decimal("0.00")
    label = info or (
        f"满{threshold.normalize():f}减{value.normalize():f}" if threshold else f"{value}元无门槛券"
    )
    return Promotion(kind=PromotionKind.COUPON, label=label, amount=value, threshold=threshold)


class TaobaoTbkConnector(AffiliateConnector):
    """``MarketplaceConnector`` for Taobao/Tmall through TBK (search and prices; no ordering)."""

    platform = "taobao"

    ordering_note = (
        "Taobao TBK is an affiliate (淘宝客) API: it cannot place orders. Send the shopper the item link to buy on Taobao."
    )

    async def search(self, query: SearchQuery, *, limit: int = 50) -> list[Product]:
        """Products matching the query; items without a valid price are dropped."""
        params: dict[str, str] = {
            "adzone_id": self._config.adzone_id,
            "q": query_keyword(query),
            "page_no": str(max(1, query.page)),
            "page_size": str(max(1, min(limit, _PAGE_MAX))),
        }
        if query.price_min is not None:
            params["start_price"] = str(int(query.price_min))
        if query.price_max is not None:
            params["end_price"] = str(int(query.price_max) + 1)
        if query.sort_by in _SORT:
            params["sort"] = _SORT[query.sort_by]
        body = await self._call(METHOD_SEARCH, params)
        items = ((body.get("result_list") or {}).get("map_data")) or []
        products = self._map_items(items)
        in_range = [
            p
            for p in products
            if (query.price_min is None or p.offers[0].price >= query.price_min)
            and (query.price_max is None or p.offers[0].price <= query.price_max)
        ]
        return in_range[:limit]

    async def get_product(self, platform_product_id: str) -> Product | None:
        """The item with this id, or None when TBK does not know it."""
        products = await self._item_info([platform_product_id])
        return products[0] if products else None

    async def get_prices(self, platform_product_ids: list[str]) -> dict[str, Decimal]:
        """Current prices (折扣价) by item id; unknown ids are left out."""
        prices: dict[str, Decimal] = {}
        ids = list(dict.fromkeys(platform_product_ids))
        for start in range(0, len(ids), _ITEM_INFO_MAX):
            for product in await self._item_info(ids[start : start + _ITEM_INFO_MAX]):
                prices[product.offers[0].platform_product_id] = product.offers[0].price
        return prices

    # -- protocol ------------------------------------------------------------------------

    def signed_params(
        self, method: str, business: dict[str, str], now: datetime | None = None
    ) -> dict[str, str]:
        """The full, signed form of one TOP call."""
        moment = (now or datetime.now(CHINA_TZ)).astimezone(CHINA_TZ)
        params = {
            "method": method,
            "app_key": self._config.app_key,
            "timestamp": moment.strftime("%Y-%m-%d %H:%M:%S"),
            "format": "json",
            "v": "2.0",
            "sign_method": self._config.sign_method,
            **business,
        }
        if self._config.sign_method == "md5":
            params["sign"] = md5_wrapped_sign(params, self._config.app_secret)
        else:
            digest = "md5" if self._config.sign_method == "hmac" else "sha256"
            params["sign"] = hmac_sign(params, self._config.app_secret, digest)
        return params

    async def _call(self, method: str, business: dict[str, str]) -> dict[str, Any]:
        def interpret(payload: Any) -> dict[str, Any]:
            return _response_body(method, payload)

        return await self._gateway.call(self.signed_params(method, business), interpret, idempotent=True)

    async def _item_info(self, ids: list[str]) -> list[Product]:
        ids = [i for i in ids if i and "," not in i]
        if not ids:
            return []
        body = await self._call(METHOD_ITEM_INFO, {"num_iids": ",".join(ids)})
        items = ((body.get("results") or {}).get("n_tbk_item")) or []
        return self._map_items(items)

    def _map_items(self, items: Any) -> list[Product]:
        if not isinstance(items, list):
            raise PlatformDataError("taobao: item list is not a list")
        products = []
        for item in items:
            product = _map_item(item) if isinstance(item, dict) else None
            if product is None:
                log.warning("taobao: dropped an item without a valid id/title/price: %.200r", item)
                continue
            products.append(product)
        return products


def _https(url: Any) -> str:
    text = str(url or "")
    return "https:" + text if text.startswith("//") else text


def _map_item(item: dict[str, Any]) -> Product | None:
    item_id = str(item.get("item_id") or item.get("num_iid") or "").strip()
    title = str(item.get("title") or "").strip()
    price = parse_yuan(item.get("zk_final_price"))
    if not item_id or not title or price is None or price == 0:
        return None
    original = parse_yuan(item.get("reserve_price"))
    coupon = parse_coupon(
        str(item.get("coupon_info") or ""), item.get("coupon_amount"), item.get("coupon_start_fee")
    )
    offer = Offer(
        platform="taobao",
        platform_product_id=item_id,
        price=price,
        original_price=max(original or price, price),
        promotions=(coupon,) if coupon else (),
        sales=parse_count(item.get("volume")),
        merchant=str(item.get("shop_title") or item.get("nick") or ""),
        url=_https(item.get("coupon_share_url") or item.get("url") or item.get("item_url")),
    )
    return Product(
        id=product_id("taobao", item_id),
        title=title,
        title_en="",
        brand=str(item.get("brand_name") or ""),
        category=str(item.get("category_name") or item.get("cat_name") or ""),
        image_url=_https(item.get("pict_url")),
        offers=[offer],
    )


def _response_body(method: str, payload: Any) -> dict[str, Any]:
    """The ``<method>_response`` node of a TOP answer; ``error_response`` becomes our error."""
    if not isinstance(payload, dict):
        raise PlatformDataError("taobao: response is not a JSON object")
    if "error_response" in payload:
        err = payload["error_response"] or {}
        vendor = VendorErrorResponse(
            str(err.get("code", "")),
            str(err.get("sub_msg") or err.get("msg", "")),
            str(err.get("sub_code", "")),
        )
        unavailable = vendor.sub_code.startswith("isp.") or vendor.code == "7"
        error = PlatformUnavailable if unavailable else MarketplaceError
        raise error(f"taobao: {method} failed: {vendor}") from vendor
    body = payload.get(method.removeprefix("taobao.").replace(".", "_") + "_response")
    if not isinstance(body, dict):
        raise PlatformDataError(f"taobao: {method} answer has no response node")
    return body
