"""Each demo platform's own JSON shape for a listing, as real platforms differ:

- taobao: prices as decimal strings ("5999.00"), `items_search_response` envelope, `num_iid`;
- jd: prices in fen as integers (`priceFen`), camelCase, `{"code": 0, "result": ...}`;
- pdd: fen integers, `goods_search_response.goods_list`, `sales_tip` like "10万+".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from integrations.marketplaces.demo.store import Listing


def fen(value: Decimal | str) -> int:
    return int((Decimal(value) * 100).to_integral_value())


def sales_tip(sales: int) -> str:
    """PDD-style sales figure: 1234 -> "1234", 56789 -> "5.6万+", 120000 -> "12万+"."""
    if sales < 10_000:
        return str(sales)
    wan = sales / 10_000
    return f"{int(wan)}万+" if wan >= 10 else f"{int(wan * 10) / 10}万+"


_TAOBAO_TYPES = {"full_reduction": "manjian", "coupon": "coupon", "direct_discount": "zhijiang",
                 "multi_item": "duojian"}
_JD_TYPES = {"full_reduction": 1, "coupon": 2, "direct_discount": 3, "multi_item": 4}
_PDD_TYPES = {"full_reduction": "full_reduction", "coupon": "coupon", "direct_discount": "subsidy",
              "multi_item": "multi_discount"}


def _rate_percent(promo: dict[str, Any]) -> int:
    return int(Decimal(promo.get("rate", "1")) * 100)


def _english(p: dict[str, Any], specs: str, variants: str, reviews: str) -> dict[str, Any]:
    """The record's English specs and variants and its review snippets, under this platform's names."""
    out: dict[str, Any] = {}
    if p.get("specs_en"):
        out[specs] = p["specs_en"]
    if p.get("variants_en"):
        out[variants] = p["variants_en"]
    if p.get("reviews"):
        out[reviews] = p["reviews"]
    return out


def taobao_item(listing: Listing, base_url: str, *, summary: bool = False) -> dict[str, Any]:
    p = listing.product
    item = {
        "num_iid": listing.platform_product_id,
        "outer_id": listing.catalog_id,
        "title": p["title"], "title_en": p["title_en"], "brand": p["brand"], "cat_name": p["category"],
        "price": str(listing.price), "reserve_price": str(listing.original_price),
        "promotions": [{"type": _TAOBAO_TYPES[x["kind"]], "desc": x["label"],
                        "threshold": x.get("threshold", "0"), "discount": x.get("amount", "0"),
                        "rate": x.get("rate", "1"), "min_num": x.get("min_quantity", 1),
                        "per": bool(x.get("stackable", False))} for x in listing.promotions],
        "num": listing.stock, "volume": listing.sales, "score": f"{listing.rating:.1f}",
        "nick": listing.merchant,
        "detail_url": f"https://detail.tmall.com/item.htm?id={listing.platform_product_id}",
        "pic_url": f"{base_url}/images/{listing.platform_product_id}.png",
        "keywords": p["keywords"],
    }
    if listing.edition:
        item["edition"] = listing.edition
    if listing.group_price is not None:  # taobao's 拼团 (淘宝特价版): yuan strings like its prices
        item["group_buy"] = {"group_price": str(listing.group_price), "group_num": listing.group_size,
                             "valid_hours": listing.group_hours}
    if not summary:  # search lists carry a summary; the item detail has specs and variants
        item.update({"props": p["specs"], "skus": p["variants"], **_english(p, "props_en", "skus_en", "rate_snippets")})
    return item


def jd_sku(listing: Listing, base_url: str, *, summary: bool = False) -> dict[str, Any]:
    p = listing.product
    item = {
        "skuId": int(listing.platform_product_id),
        "outerId": listing.catalog_id,
        "skuName": p["title"], "skuNameEn": p["title_en"], "brandName": p["brand"],
        "categoryName": p["category"],
        "priceFen": fen(listing.price), "marketPriceFen": fen(listing.original_price),
        "promotionList": [{"promoType": _JD_TYPES[x["kind"]], "desc": x["label"],
                           "quotaFen": fen(x.get("threshold", "0")), "discountFen": fen(x.get("amount", "0")),
                           "rebate": _rate_percent(x), "minNum": x.get("min_quantity", 1),
                           "repeat": bool(x.get("stackable", False))} for x in listing.promotions],
        "stockNum": listing.stock, "salesVolume": listing.sales,
        "goodRate": round(listing.rating * 20),
        "shopName": listing.merchant,
        "itemUrl": f"https://item.jd.com/{listing.platform_product_id}.html",
        "imageUrl": f"{base_url}/images/{listing.platform_product_id}.png",
        "keywords": p["keywords"],
    }
    if listing.edition:
        item["versionName"] = listing.edition
    if not summary:
        item.update({"specs": p["specs"], "saleAttrs": p["variants"], **_english(p, "specsEn", "saleAttrsEn", "commentSnippets")})
    return item


def pdd_goods(listing: Listing, base_url: str, *, summary: bool = False) -> dict[str, Any]:
    p = listing.product
    item = {
        "goods_id": int(listing.platform_product_id),
        "goods_sn": listing.catalog_id,
        "goods_name": p["title"], "goods_name_en": p["title_en"], "brand_name": p["brand"],
        "category_name": p["category"],
        "min_group_price": fen(listing.price), "market_price": fen(listing.original_price),
        "promotion_list": [{"promotion_type": _PDD_TYPES[x["kind"]], "promotion_desc": x["label"],
                            "min_amount": fen(x.get("threshold", "0")), "amount": fen(x.get("amount", "0")),
                            "discount": _rate_percent(x), "min_count": x.get("min_quantity", 1),
                            "repeat": bool(x.get("stackable", False))} for x in listing.promotions],
        "quantity": listing.stock, "sales_tip": sales_tip(listing.sales),
        "goods_eval_score": listing.rating, "mall_name": listing.merchant,
        "goods_url": f"https://mobile.yangkeduo.com/goods.html?goods_id={listing.platform_product_id}",
        "goods_image_url": f"{base_url}/images/{listing.platform_product_id}.png",
        "keywords": p["keywords"],
    }
    if listing.edition:
        item["goods_edition"] = listing.edition
    if listing.group_price is not None:  # pdd's 拼团: the group price in fen, the group's size and time limit
        item["group_price"] = fen(listing.group_price)
        item["customer_num"] = listing.group_size
        item["group_hours"] = listing.group_hours
    if not summary:
        item.update({"goods_props": p["specs"], "sku_specs": p["variants"],
                     **_english(p, "goods_props_en", "sku_specs_en", "review_snippets")})
    return item
