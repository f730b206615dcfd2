"""One price: for random (product, platform, quantity) every screen shows the same figure.

The search card, the details card, the buy summary, the order card, the pay page and the
price-alert evaluation all read the price of one offer. For one item they must show the same
string (¥1,359.90); for `quantity` items the details card's offer total, the summary, the
order card and the pay page must show the same total. Built through the services and the
presentation functions the flows and routes use (search aggregator over in-memory platforms,
`products_payload` / `product_payload`, the order payload and text lines, `render_pay_page`,
`AlertService` over the in-memory price history); test_alert_conversations.py drives the same
promise through the REST channel.

ONE_PRICE_EXAMPLES sets the number of examples (200 by default; 1000 when asked).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.routes.payments import render_pay_page
from dialogue.presentation.money import format_money
from dialogue.presentation.orders import order_lines, order_payload
from dialogue.presentation.prices import promotion_text
from dialogue.presentation.products import product_payload, products_payload
from integrations.memory.alerts import InMemoryAlertRepository
from integrations.memory.clock import FakeClock
from integrations.memory.marketplace import InMemoryMarketplaceConnector
from integrations.memory.price_history import InMemoryPriceHistory
from shop.alerts import AlertError, AlertErrorCode, AlertService
from shop.catalog import PLATFORMS, Offer, Product, Promotion, PromotionKind, SearchQuery
from shop.orders import Order, OrderLine, OrderStatus
from shop.pricing import quote
from shop.search import SearchAggregator

EXAMPLES = int(os.environ.get("ONE_PRICE_EXAMPLES", "200"))
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
D = Decimal

cents = st.integers(min_value=1, max_value=2_000_000).map(lambda c: D(c) / 100)
whole = st.integers(min_value=1, max_value=2000).map(D)


@st.composite
def promotion(draw: st.DrawFn) -> Promotion:
    kind = draw(st.sampled_from(list(PromotionKind)))
    if kind is PromotionKind.DIRECT_DISCOUNT:
        amount = draw(whole)
        return Promotion(kind, draw(st.sampled_from([f"限时直降{amount}元", f"百亿补贴直降{amount}元"])),
                         amount=amount)
    if kind is PromotionKind.MULTI_ITEM:
        rate = draw(st.sampled_from(["0.95", "0.9", "0.85", "0.8"]))
        n = draw(st.integers(min_value=2, max_value=3))
        return Promotion(kind, f"{n}件{rate}折", rate=D(rate), min_quantity=n)
    threshold = draw(st.integers(min_value=10, max_value=10_000))
    amount = D(draw(st.integers(min_value=1, max_value=max(1, threshold - 1))))
    if kind is PromotionKind.COUPON:
        threshold = draw(st.sampled_from([0, threshold]))
        return Promotion(kind, f"满{threshold}减{amount}元券" if threshold else f"{amount}元无门槛券",
                         amount=amount, threshold=D(threshold))
    stackable = draw(st.booleans())
    label = draw(st.sampled_from([f"满{threshold}减{amount}", f"每满{threshold}减{amount}",
                                  f"跨店每满{threshold}减{amount}"]))
    return Promotion(kind, label, amount=amount, threshold=D(threshold), stackable=stackable or "每" in label)


@st.composite
def product_platform_quantity(draw: st.DrawFn) -> tuple[Product, str, int]:
    platforms = draw(st.lists(st.sampled_from(PLATFORMS), min_size=1, max_size=3, unique=True))
    offers = []
    for platform in platforms:
        price = draw(cents)
        offers.append(Offer(platform=platform, platform_product_id=f"{platform}-1", price=price,
                            original_price=price + draw(st.sampled_from([D(0), D(100)])),
                            promotions=tuple(draw(st.lists(promotion(), max_size=4))),
                            stock=draw(st.integers(min_value=99, max_value=500)), sales=draw(st.integers(0, 1000))))
    product = Product(id="p0001", title="华为 MateBook 14 笔记本", title_en="Huawei MateBook 14 laptop",
                      brand="Huawei", category="laptops", keywords=("笔记本", "laptop"), offers=offers)
    return product, draw(st.sampled_from(platforms)), draw(st.integers(min_value=1, max_value=5))


def _total_on_pay_page(html: str) -> str:
    found = re.search(r'data-testid="total">([^<]+)<', html)
    assert found, html
    return found.group(1)


class Products:
    def __init__(self, product: Product) -> None:
        self.product = product

    async def get_product(self, product_id: str) -> Product | None:
        return self.product if product_id == self.product.id else None


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(product_platform_quantity(), st.sampled_from(["zh", "en"]))
async def test_every_screen_shows_the_same_price(case: tuple[Product, str, int], language: str) -> None:
    product, platform, quantity = case
    offer = next(o for o in product.offers if o.platform == platform)
    history = InMemoryPriceHistory()
    search = SearchAggregator({platform: InMemoryMarketplaceConnector(platform, [product])},
                              price_recorder=history)

    # the search card (one item on the platform asked for)
    result = await search.search(SearchQuery(product="笔记本", platforms=(platform,)))
    card = products_payload(result, language)["items"][0]
    unit = format_money(card["price"], language)

    # the details card: the headline item when this offer is the best, and this offer's row
    details = product_payload(product, language)["item"]
    row = next(o for o in details["offers"] if o["platform"] == platform)
    assert format_money(row["price"], language) == unit
    if details["platform"] == platform:
        assert format_money(details["price"], language) == unit

    # price-alert evaluation compares the price history, which holds what the card showed
    await search.drain()
    alerts = AlertService(InMemoryAlertRepository(history), history, Products(product), clock=FakeClock(T0))
    try:
        current = (await alerts.quote(product.id, percent_drop=D(1), platform=platform))[1].current_price
    except AlertError as refused:  # at ¥0.01 there is no lower target: the refusal names the price
        assert refused.code is AlertErrorCode.TARGET_NOT_POSITIVE
        with pytest.raises(AlertError) as above:
            await alerts.quote(product.id, target_price=D(10**9), platform=platform)
        current = above.value.details["current_price"]
    assert format_money(current, language) == unit
    seen = {p.platform: p.price for p in (await history.current([product.id]))[product.id]}
    assert format_money(seen[platform], language) == unit

    # the summary, the order card and the pay page for `quantity` items
    for_q = next(o for o in product_payload(product, language, quantity)["item"]["offers"] if o["platform"] == platform)
    total = format_money(for_q["total"], language)
    priced = quote(offer, quantity)  # what the buy flow's summary shows (Buy._price)
    assert format_money(priced.total, language) == total
    order = Order(id="SO2026120100001", idempotency_key="k", shopper_id="s", channel="rest", recipient_id="u",
                  language=language, platform=platform, merchant="m",
                  lines=(OrderLine(product.id, offer.platform_product_id, product.title, quantity, offer.price),),
                  total=priced.total.amount, currency="CNY", savings=promotion_text(priced, language) or "",
                  receiver_name="王芳", phone="13800138000", address="北京市朝阳区建国路88号",
                  status=OrderStatus.CREATED, created_at=T0, updated_at=T0, payment_id="pay_1")
    payload = order_payload(order, "http://t/pay/pay_1", language)
    assert format_money(payload["total"], language) == total
    assert _total_on_pay_page(render_pay_page("pay_1", order).body.decode()) == total
    item = payload["items"][0]
    assert format_money(item["price"], language) == format_money(priced.unit_price, language)
    assert f"× {quantity} {format_money(priced.unit_price, language)}" in order_lines(order, language)[0]
    # what was taken off adds up to what the shopper pays
    taken = sum((D(r["amount"]) for r in payload.get("price_breakdown", [])), D(0))
    assert D(payload["total"]) == (offer.price * quantity).quantize(D("0.01")) + taken
    if quantity == 1:
        assert total == unit
