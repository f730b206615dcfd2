"""Turn each demo platform's JSON into our `Product`/`Offer`, validating on the way.

A platform's bad data never reaches the shopper as a wrong price: an item with a missing,
non-numeric, non-positive or absurd price is dropped; an original price below the price is
corrected to the price; a promotion that makes no sense (negative amount, rate outside (0, 1),
a reduction larger than its threshold) is dropped.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.money import fen_to_yuan, parse_yuan
from shop.catalog import GroupDeal, Offer, Product, Promotion, PromotionKind

log = logging.getLogger(__name__)

MAX_PRICE = Decimal(1000000)  # yuan; anything above is a platform bug, not a product
CENT = Decimal("0.01")
_OUTER_ID = re.compile(r"^p\d{3,}$")


class BadItem(ValueError):
    """One item of a platform's answer is unusable; it is dropped."""


def yuan(value: Any) -> Decimal:
    """A decimal-string price ("5999.00") as Decimal (the one money parser); BadItem when it is not one."""
    amount = parse_yuan(value, signed=True)  # the sign is judged by checked_prices / the promotion checks
    if amount is None:
        raise BadItem(f"bad price {value!r}")
    return amount


def from_fen(value: Any) -> Decimal:
    """A JSON integer amount of fen as yuan (the one money parser); BadItem when it is not one."""
    amount = fen_to_yuan(value, text_ok=False, signed=True)
    if amount is None:
        raise BadItem(f"bad fen amount {value!r}")
    return amount


def checked_prices(price: Decimal, original: Decimal | None) -> tuple[Decimal, Decimal]:
    """(price, original price) that can be shown; BadItem when the price cannot be trusted."""
    if price <= 0 or price > MAX_PRICE:
        raise BadItem(f"price out of range: {price}")
    if original is None or original < price or original > price * 100:
        original = price
    return price, original


def _promotion(kind: PromotionKind, label: str, amount: Decimal = Decimal(0),
               threshold: Decimal = Decimal(0), rate: Decimal = Decimal(1),
               min_quantity: int = 1, stackable: bool = False) -> Promotion | None:
    if amount < 0 or threshold < 0 or not label:
        return None
    if kind is PromotionKind.MULTI_ITEM and not (0 < rate < 1 and min_quantity >= 2):
        return None
    if kind is PromotionKind.FULL_REDUCTION and (threshold <= 0 or amount <= 0 or amount >= threshold):
        return None
    if kind in (PromotionKind.COUPON, PromotionKind.DIRECT_DISCOUNT) and amount <= 0:
        return None
    if kind is PromotionKind.COUPON and threshold and amount >= threshold:
        return None
    return Promotion(kind=kind, label=str(label)[:40], amount=amount, threshold=threshold, rate=rate,
                     min_quantity=min_quantity, stackable=stackable)


def _promotions(raw: Any, convert: Callable[[dict[str, Any]], Promotion | None]) -> tuple[Promotion, ...]:
    out: list[Promotion] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        try:
            promo = convert(item)
        except (BadItem, KeyError, ValueError, TypeError, InvalidOperation):
            promo = None
        if promo is not None:
            out.append(promo)
    return tuple(out)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _rating(value: Any) -> float:
    try:
        r = float(value)
    except (TypeError, ValueError):
        return 0.0
    return min(max(r, 0.0), 5.0) if math.isfinite(r) else 0.0


def _text_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _variants(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        return {}
    return {str(k): [str(x) for x in v] for k, v in value.items() if isinstance(v, list)}


def _edition(value: Any) -> tuple[str, str] | None:
    """An offer's edition ({"zh": "港版", "en": "Hong Kong version"}), None when it has none."""
    if not isinstance(value, dict) or not value.get("zh"):
        return None
    return str(value["zh"]), str(value.get("en") or value["zh"])


def _or_none(parse: Callable[[Any], Decimal], value: Any) -> Decimal | None:
    """An optional amount: None when absent or unreadable (the item stays, without it)."""
    if value is None:
        return None
    try:
        return parse(value)
    except BadItem:
        return None


def _group(price: Decimal, group_price: Decimal | None, size: Any, hours: Any) -> GroupDeal | None:
    """A group deal the offer carries; None unless its price is below the single price and its
    size (2 or more) and time limit (hours) are sensible."""
    if group_price is None or not Decimal(0) < group_price < price:
        return None
    if not isinstance(size, int) or not isinstance(hours, int) or not (2 <= size <= 100 and 1 <= hours <= 24 * 7):
        return None
    return GroupDeal(group_price, size, hours)


def _reviews(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        return {}
    return {str(k): [str(x) for x in v] for k, v in value.items() if k in ("zh", "en") and isinstance(v, list)}


def _english_variants(value: Any, variants: dict[str, list[str]]) -> dict[str, list[str]]:
    """English options only where they line up one for one with the Chinese ones."""
    return {k: v for k, v in _variants(value).items() if k in variants and len(v) == len(variants[k])}


def _product(platform: str, ppid: str, outer_id: Any, title: Any, title_en: Any, brand: Any,
             category: Any, offer: Offer, image: Any, specs: Any, variants: Any, keywords: Any,
             english: tuple[Any, Any, Any] = (None, None, None)) -> Product:
    if not ppid or not isinstance(title, str) or not title.strip():
        raise BadItem("missing id or title")
    pid = outer_id if isinstance(outer_id, str) and _OUTER_ID.match(outer_id) else f"{platform}:{ppid}"
    zh_variants = _variants(variants)
    return Product(id=pid, title=title.strip(), title_en=str(title_en or ""), brand=str(brand or ""),
                   category=str(category or ""), specs=_text_map(specs), variants=zh_variants,
                   specs_en=_text_map(english[0]), variants_en=_english_variants(english[1], zh_variants),
                   reviews=_reviews(english[2]),
                   image_url=str(image or ""),
                   keywords=tuple(str(k) for k in keywords) if isinstance(keywords, list) else (),
                   offers=[offer])


_TB_KIND = {"manjian": PromotionKind.FULL_REDUCTION, "coupon": PromotionKind.COUPON,
            "zhijiang": PromotionKind.DIRECT_DISCOUNT, "duojian": PromotionKind.MULTI_ITEM}


def taobao_product(d: dict[str, Any]) -> Product:
    """A taobao `item` (decimal-string prices)."""
    price, original = checked_prices(yuan(d.get("price")),
                                     yuan(d["reserve_price"]) if d.get("reserve_price") else None)
    promos = _promotions(d.get("promotions"), lambda p: _promotion(
        _TB_KIND[p["type"]], p.get("desc", ""), yuan(p.get("discount", "0")), yuan(p.get("threshold", "0")),
        Decimal(str(p.get("rate", "1"))), int(p.get("min_num", 1)), bool(p.get("per"))))
    ppid = str(d.get("num_iid") or "")
    offer = Offer(platform="taobao", platform_product_id=ppid, price=price, original_price=original,
                  promotions=promos, stock=_count(d.get("num")), sales=_count(d.get("volume")),
                  rating=_rating(d.get("score")), merchant=str(d.get("nick") or ""),
                  url=str(d.get("detail_url") or ""), edition=_edition(d.get("edition")),
                  group=_taobao_group(price, d.get("group_buy")))
    return _product("taobao", ppid, d.get("outer_id"), d.get("title"), d.get("title_en"), d.get("brand"),
                    d.get("cat_name"), offer, d.get("pic_url"), d.get("props"), d.get("skus"), d.get("keywords"),
                    (d.get("props_en"), d.get("skus_en"), d.get("rate_snippets")))


def _taobao_group(price: Decimal, value: Any) -> GroupDeal | None:
    if not isinstance(value, dict) or value.get("group_price") is None:
        return None
    return _group(price, _or_none(yuan, value.get("group_price")), value.get("group_num"), value.get("valid_hours"))


_JD_KIND = {1: PromotionKind.FULL_REDUCTION, 2: PromotionKind.COUPON, 3: PromotionKind.DIRECT_DISCOUNT,
            4: PromotionKind.MULTI_ITEM}


def jd_product(d: dict[str, Any]) -> Product:
    """A jd `sku` (prices in fen)."""
    price, original = checked_prices(from_fen(d.get("priceFen")),
                                     from_fen(d["marketPriceFen"]) if d.get("marketPriceFen") is not None else None)
    promos = _promotions(d.get("promotionList"), lambda p: _promotion(
        _JD_KIND[p["promoType"]], p.get("desc", ""), from_fen(p.get("discountFen", 0)),
        from_fen(p.get("quotaFen", 0)), Decimal(int(p.get("rebate", 100))) / 100, int(p.get("minNum", 1)),
        bool(p.get("repeat"))))
    ppid = str(d.get("skuId") or "")
    good_rate = d.get("goodRate")
    offer = Offer(platform="jd", platform_product_id=ppid, price=price, original_price=original,
                  promotions=promos, stock=_count(d.get("stockNum")), sales=_count(d.get("salesVolume")),
                  rating=_rating(good_rate / 20 if isinstance(good_rate, int | float) else None),
                  merchant=str(d.get("shopName") or ""), url=str(d.get("itemUrl") or ""),
                  edition=_edition(d.get("versionName")))
    return _product("jd", ppid, d.get("outerId"), d.get("skuName"), d.get("skuNameEn"), d.get("brandName"),
                    d.get("categoryName"), offer, d.get("imageUrl"), d.get("specs"), d.get("saleAttrs"),
                    d.get("keywords"), (d.get("specsEn"), d.get("saleAttrsEn"), d.get("commentSnippets")))


_PDD_KIND = {"full_reduction": PromotionKind.FULL_REDUCTION, "coupon": PromotionKind.COUPON,
             "subsidy": PromotionKind.DIRECT_DISCOUNT, "multi_discount": PromotionKind.MULTI_ITEM}
_SALES_TIP = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(万)?\+?\s*$")


def parse_sales_tip(tip: Any) -> int:
    """"10万+" -> 100000, "5.6万+" -> 56000, "999+" -> 999; 0 when unreadable."""
    m = _SALES_TIP.match(str(tip or ""))
    if not m:
        return 0
    return int(Decimal(m.group(1)) * (10_000 if m.group(2) else 1))


def pdd_product(d: dict[str, Any]) -> Product:
    """A pdd `goods` (fen prices, sales as a tip like "10万+")."""
    price, original = checked_prices(from_fen(d.get("min_group_price")),
                                     from_fen(d["market_price"]) if d.get("market_price") is not None else None)
    promos = _promotions(d.get("promotion_list"), lambda p: _promotion(
        _PDD_KIND[p["promotion_type"]], p.get("promotion_desc", ""), from_fen(p.get("amount", 0)),
        from_fen(p.get("min_amount", 0)), Decimal(int(p.get("discount", 100))) / 100,
        int(p.get("min_count", 1)), bool(p.get("repeat"))))
    ppid = str(d.get("goods_id") or "")
    offer = Offer(platform="pdd", platform_product_id=ppid, price=price, original_price=original,
                  promotions=promos, stock=_count(d.get("quantity")), sales=parse_sales_tip(d.get("sales_tip")),
                  rating=_rating(d.get("goods_eval_score")), merchant=str(d.get("mall_name") or ""),
                  url=str(d.get("goods_url") or ""), edition=_edition(d.get("goods_edition")),
                  group=_group(price, _or_none(from_fen, d.get("group_price")), d.get("customer_num"),
                               d.get("group_hours")))
    return _product("pdd", ppid, d.get("goods_sn"), d.get("goods_name"), d.get("goods_name_en"),
                    d.get("brand_name"), d.get("category_name"), offer, d.get("goods_image_url"),
                    d.get("goods_props"), d.get("sku_specs"), d.get("keywords"),
                    (d.get("goods_props_en"), d.get("sku_specs_en"), d.get("review_snippets")))


PARSERS: dict[str, Callable[[dict[str, Any]], Product]] = {
    "taobao": taobao_product, "jd": jd_product, "pdd": pdd_product}


def parse_items(platform: str, items: Any) -> list[Product]:
    """Every valid item of a platform's list; invalid ones are dropped and logged."""
    if not isinstance(items, list):
        return []
    out: list[Product] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        try:
            out.append(PARSERS[platform](item))
        except (BadItem, KeyError, ValueError, TypeError, InvalidOperation) as exc:
            log.warning("%s: dropped an item: %s", platform, exc)
    return out
