"""The `products` and `product` payloads of contracts/channels.md, built by dialogue/presentation."""

from __future__ import annotations

import json
from decimal import Decimal

from dialogue.presentation.products import product_payload, products_payload
from integrations.memory.marketplace import InMemoryMarketplaceConnector
from shop.catalog import Offer, Product, Promotion, PromotionKind, SearchQuery
from shop.ports import PlatformUnavailable
from shop.search import SearchAggregator

D = Decimal
PHONE = Product(
    id="p0001", title="华为 Mate 60 Pro 手机", title_en="Huawei Mate 60 Pro phone", brand="Huawei",
    category="phones", specs={"存储": "512GB"}, variants={"colour": ["黑色", "白色"]},
    image_url="http://jd.demo/images/1.svg", keywords=("手机",),
    offers=[Offer("jd", "1001", D("6499.00"), D("6999.00"), stock=5, sales=300, rating=4.9, merchant="华为京东自营旗舰店",
                  url="https://item.jd.com/1001.html",
                  promotions=(Promotion(PromotionKind.FULL_REDUCTION, "满3000减300", amount=D("300"),
                                        threshold=D("3000")),
                              Promotion(PromotionKind.COUPON, "10元券", amount=D("10")))),
            Offer("pdd", "2002", D("6299.00"), D("6999.00"), stock=5, sales=900, rating=4.7, merchant="百亿补贴官方店",
                  url="https://mobile.yangkeduo.com/goods.html?goods_id=2002")])

ITEM_FIELDS = {"id", "title", "brand", "platform", "price", "currency", "original_price", "promotion", "sales",
               "rating", "url", "image_url"}


async def test_products_payload_follows_the_contract():
    agg = SearchAggregator({p: InMemoryMarketplaceConnector(p, [PHONE]) for p in ("jd", "pdd")})
    result = await agg.search(SearchQuery(product="手机", brand="华为", price_max=D("7000"), platforms=("京东", "pdd")))
    payload = products_payload(result, "zh")
    json.dumps(payload, ensure_ascii=False)  # JSON-ready: no Decimal, no dataclass
    assert payload["type"] == "products" and payload["total"] == 1
    assert payload["query"] == {"product": "手机", "brand": "Huawei", "price_min": None, "price_max": "7000",
                                "platform": ["jd", "pdd"], "sort_by": None}
    item = payload["items"][0]
    assert ITEM_FIELDS <= set(item)
    # jd: 6499 - 300 - 10 = 6189 beats pdd's 6299
    assert item["platform"] == "jd" and item["price"] == "6189.00" and item["list_price"] == "6499.00"
    assert item["promotion"] == "满3000减300 + 10元券" and item["original_price"] == "6999.00"
    assert item["currency"] == "CNY" and item["id"] == "p0001" and item["title"] == "华为 Mate 60 Pro 手机"
    assert item["price_breakdown"] == [{"label": "满3000减300", "amount": "-300.00"}, {"label": "10元券", "amount": "-10.00"}]
    english = products_payload(result, "en")["items"][0]
    assert english["title"] == "Huawei Mate 60 Pro phone" and english["platform_name"] == "JD"
    assert english["promotion"] == "¥300.00 off over ¥3,000.00 + coupon: ¥10.00 off"
    assert [row["amount"] for row in english["price_breakdown"]] == ["-300.00", "-10.00"]


async def test_a_failing_platform_is_named_in_the_payload():
    failing = InMemoryMarketplaceConnector("pdd", [PHONE])
    failing.fail_with = PlatformUnavailable("pdd: HTTP 500")
    agg = SearchAggregator({"jd": InMemoryMarketplaceConnector("jd", [PHONE]), "pdd": failing})
    payload = products_payload(await agg.search(SearchQuery(product="手机")), "zh")
    assert payload["unavailable_platforms"] == ["pdd"] and payload["items"][0]["platform"] == "jd"


def test_product_payload_has_specs_variants_and_every_offer_with_effective_price():
    payload = product_payload(PHONE, "zh", quantity=2)
    item = payload["item"]
    assert payload["type"] == "product" and ITEM_FIELDS <= set(item)
    assert item["specs"] == {"存储": "512GB"} and item["variants"] == {"colour": ["黑色", "白色"]}
    offers = item["offers"]
    # for two items pdd (2 x 6299 = 12598) beats jd (12998 - 300 - 10 = 12688): cheapest first
    assert [o["platform"] for o in offers] == ["pdd", "jd"]
    assert offers[0]["total"] == "12598.00" and offers[0]["promotion"] is None
    assert offers[1]["total"] == "12688.00" and offers[1]["price"] == "6344.00"
    assert offers[1]["merchant"] == "华为京东自营旗舰店" and offers[1]["savings"] == "310.00"
    # the headline item is the best offer for the quantity asked
    assert item["platform"] == "pdd" and item["price"] == "6299.00"
    single = product_payload(PHONE, "en")["item"]
    assert single["platform"] == "jd" and single["price"] == "6189.00" and single["promotion"] == "¥300.00 off over ¥3,000.00 + coupon: ¥10.00 off"
