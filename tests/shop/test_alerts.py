"""AlertService: validation, the realistic-target suggestion, limits, and the scheduled jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from integrations.memory.alerts import InMemoryAlertRepository
from integrations.memory.clock import FakeClock
from integrations.memory.price_history import InMemoryPriceHistory
from shop.alerts import (
    AlertError,
    AlertErrorCode,
    AlertRequest,
    AlertService,
    AlertSettings,
    AlertStatus,
    CycleReport,
    suggest_target,
)
from shop.catalog import Offer, Product
from shop.ports import PlatformUnavailable
from shop.price_history import PricePoint

D = Decimal
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def laptop(pid: str = "p-laptop", jd: str | None = "4500", taobao: str | None = "4600") -> Product:
    offers = []
    if jd is not None:
        offers.append(Offer("jd", f"jd-{pid}", D(jd), D(jd)))
    if taobao is not None:
        offers.append(Offer("taobao", f"tb-{pid}", D(taobao), D(taobao)))
    return Product(
        id=pid,
        title="华为 MateBook 14",
        title_en="Huawei MateBook 14",
        brand="Huawei",
        category="laptop",
        offers=offers,
    )


class Products:
    def __init__(self, *products: Product) -> None:
        self.by_id = {p.id: p for p in products}

    async def get_product(self, product_id: str) -> Product | None:
        return self.by_id.get(product_id)


class Notifier:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Decimal | None]] = []
        self.unreachable: set[str] = set()

    async def notify(self, alerts) -> set[str]:
        delivered = [a for a in alerts if a.recipient_id not in self.unreachable]
        self.sent += [(a.id, a.triggered_price) for a in delivered]
        return {a.id for a in delivered}


def make(*products: Product, max_per_shopper: int = 50, batch_size: int = 100):
    clock = FakeClock(T0)
    history = InMemoryPriceHistory()
    repo = InMemoryAlertRepository(history)
    notifier = Notifier()
    counter = iter(range(1, 100_000))
    service = AlertService(
        repo,
        history,
        Products(*products),
        notifier=notifier,
        clock=clock,
        settings=AlertSettings(
            ttl=timedelta(days=30), max_per_shopper=max_per_shopper, batch_size=batch_size
        ),
        new_id=lambda: f"a{next(counter)}",
    )
    return service, history, notifier, clock


def req(product_id: str = "p-laptop", shopper: str = "s1", **kw) -> AlertRequest:
    return AlertRequest(
        shopper_id=shopper,
        channel="telegram",
        recipient_id="chat-1",
        language="zh",
        product_id=product_id,
        **kw,
    )


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"target_price": D("-5")}, AlertErrorCode.TARGET_NOT_POSITIVE),
        ({"target_price": D("0")}, AlertErrorCode.TARGET_NOT_POSITIVE),
        ({"target_price": D("0.001")}, AlertErrorCode.TARGET_NOT_POSITIVE),
        ({"target_price": D("NaN")}, AlertErrorCode.INVALID_NUMBER),
        ({"target_price": D("Infinity")}, AlertErrorCode.INVALID_NUMBER),
        ({"target_price": D("4500")}, AlertErrorCode.TARGET_NOT_BELOW_CURRENT),
        ({"target_price": D("1e30")}, AlertErrorCode.TARGET_NOT_BELOW_CURRENT),
        ({"percent_drop": D("0")}, AlertErrorCode.PERCENT_OUT_OF_RANGE),
        ({"percent_drop": D("-10")}, AlertErrorCode.PERCENT_OUT_OF_RANGE),
        ({"percent_drop": D("100")}, AlertErrorCode.PERCENT_OUT_OF_RANGE),
        ({"percent_drop": D("150")}, AlertErrorCode.PERCENT_OUT_OF_RANGE),
        ({}, AlertErrorCode.TARGET_REQUIRED),
        ({"target_price": D("4000"), "percent_drop": D("10")}, AlertErrorCode.TARGET_REQUIRED),
        ({"target_price": D("4000"), "platform": "pdd"}, AlertErrorCode.NOT_ON_PLATFORM),
        ({"percent_drop": D("99.999")}, AlertErrorCode.PERCENT_OUT_OF_RANGE),  # rounds to 100.00
        ({"percent_drop": D("1e40")}, AlertErrorCode.PERCENT_OUT_OF_RANGE),
    ],
)
async def test_bad_requests_are_refused_with_a_reason(kw, code):
    service, *_ = make(laptop())
    with pytest.raises(AlertError) as err:
        await service.create(req(**kw))
    assert err.value.code is code
    assert await service.list_alerts("s1") == []


async def test_target_not_below_current_reports_the_current_price():
    service, *_ = make(laptop())
    with pytest.raises(AlertError) as err:
        await service.create(req(target_price=D("4600")))
    assert err.value.details["current_price"] == D("4500")


async def test_unknown_and_delisted_products():
    service, *_ = make(laptop("p-gone", jd=None, taobao=None))
    with pytest.raises(AlertError) as err:
        await service.create(req("p-missing", target_price=D("10")))
    assert err.value.code is AlertErrorCode.PRODUCT_NOT_FOUND
    with pytest.raises(AlertError) as err:
        await service.create(req("p-gone", target_price=D("10")))
    assert err.value.code is AlertErrorCode.PRODUCT_DELISTED


async def test_percent_drop_resolves_against_the_lowest_current_price():
    service, *_ = make(laptop(jd="4500", taobao="4400"))
    created = await service.create(req(percent_drop=D("15.004")))
    assert created.alert.target_price == D("3740.00")  # 4400 × 0.85
    assert created.alert.base_price == D("4400")
    assert created.alert.percent_drop == D("15.00")
    assert created.alert.status is AlertStatus.ACTIVE and created.alert.product_id == "p-laptop"


async def test_target_below_all_time_low_is_flagged_with_camelcamelcamel_suggestion():
    service, history, _, _clock = make(laptop())
    await history.record_many(
        [PricePoint("p-laptop", "jd", D("3800"), T0 - timedelta(days=60), "jd-p-laptop")]
    )
    created = await service.create(req(target_price=D("3000")))
    q = created.quote
    assert (q.below_all_time_low, q.all_time_low, q.suggested_target) == (True, D("3800"), D("3990.00"))
    ok = await service.create(req(target_price=D("4000")))  # replaces the first one
    assert not ok.quote.below_all_time_low
    assert ok.replaced is not None and ok.replaced.id == created.alert.id
    assert [a.id for a in await service.list_alerts("s1")] == [ok.alert.id]


def test_suggestion_is_the_lower_of_low_plus_5_percent_and_current_minus_a_cent():
    assert suggest_target(D("3800"), D("4500")) == D("3990.00")
    assert suggest_target(D("4400"), D("4500")) == D("4499.99")
    assert suggest_target(None, D("4500")) == D("4499.99")


async def test_per_shopper_limit_holds_even_after_a_thousand_attempts():
    products = [laptop(f"p{i:04d}") for i in range(1000)]
    service, *_ = make(*products, max_per_shopper=50)
    refused = 0
    for p in products:
        try:
            await service.create(req(p.id, target_price=D("4000")))
        except AlertError as err:
            assert err.code is AlertErrorCode.TOO_MANY_ALERTS and err.details == {"limit": 50}
            refused += 1
    assert refused == 950
    assert len(await service.list_alerts("s1")) == 50
    # changing the target of an existing alert is not a new alert
    await service.create(req("p0000", target_price=D("3900")))
    assert len(await service.list_alerts("s1")) == 50


async def test_cancel_only_own_alerts():
    service, *_ = make(laptop())
    created = await service.create(req(target_price=D("4000")))
    with pytest.raises(AlertError) as err:
        await service.cancel("someone-else", created.alert.id)
    assert err.value.code is AlertErrorCode.ALERT_NOT_FOUND
    cancelled = await service.cancel("s1", created.alert.id)
    assert cancelled.status is AlertStatus.CANCELLED
    assert await service.list_alerts("s1") == []
    with pytest.raises(AlertError):
        await service.cancel("s1", created.alert.id)


async def test_cycle_notifies_once_rearms_after_rise_and_expires(caplog):
    service, history, notifier, clock = make(laptop("p1"), laptop("p2"), laptop("p3"), batch_size=2)
    a1 = (await service.create(req("p1", target_price=D("4000")))).alert
    a3 = (await service.create(req("p3", target_price=D("4200"), platform="jd"))).alert

    def price(pid: str, platform: str, value: str) -> PricePoint:
        return PricePoint(pid, platform, D(value), clock.now(), "")

    report = await service.evaluate_alerts()
    assert (report.batches, report.products, report.triggered, notifier.sent) == (1, 2, 0, [])

    clock.advance(timedelta(hours=1))
    await history.record_many([price("p1", "taobao", "3999"), price("p3", "jd", "4199")])
    report = await service.evaluate_alerts()
    assert sorted(notifier.sent) == [(a1.id, D("3999")), (a3.id, D("4199"))]
    assert report.notified == 2
    clock.advance(timedelta(hours=1))
    await service.evaluate_alerts()
    assert len(notifier.sent) == 2  # still below target: no second message

    clock.advance(timedelta(hours=1))
    await history.record_many([price("p1", "taobao", "4100")])  # back above the target: re-armed
    assert (await service.evaluate_alerts()).rearmed == 1
    clock.advance(timedelta(hours=1))
    await history.record_many([price("p1", "taobao", "3950")])
    await service.evaluate_alerts()
    assert notifier.sent[-1] == (a1.id, D("3950"))
    assert len(notifier.sent) == 3

    clock.advance(T0 + timedelta(days=31) - clock.now())
    assert await service.expire_alerts() == 2
    assert await service.list_alerts("s1") == []


class FakeConnector:
    def __init__(self, platform: str, prices: dict[str, str], fail: bool = False) -> None:
        self.platform = platform
        self.prices = {k: D(v) for k, v in prices.items()}
        self.fail = fail
        self.calls: list[list[str]] = []

    async def get_prices(self, ids: list[str]) -> dict[str, Decimal]:
        self.calls.append(sorted(ids))
        if self.fail:
            raise PlatformUnavailable(f"{self.platform} is down")
        return {i: self.prices[i] for i in ids if i in self.prices}


async def test_refresh_asks_each_platform_once_per_batch_and_flags_delisted():
    products = [laptop(f"p{i}") for i in range(3)]
    service, history, notifier, clock = make(*products, batch_size=2)
    for p in products:
        await service.create(req(p.id, target_price=D("4000")))
    jd = FakeConnector("jd", {"jd-p0": "3999", "jd-p1": "4450", "jd-p2": "4300"})
    taobao = FakeConnector("taobao", {"tb-p0": "4600", "tb-p2": "4550"})  # tb-p1 delisted
    pdd = FakeConnector("pdd", {}, fail=True)
    clock.advance(timedelta(hours=2))
    report = await service.refresh_watched_prices({"jd": jd, "taobao": taobao, "pdd": pdd})
    assert jd.calls == [["jd-p0", "jd-p1"], ["jd-p2"]]
    assert taobao.calls == [["tb-p0", "tb-p1"], ["tb-p2"]]
    assert pdd.calls == []  # no watched product has a pdd offer
    assert report.batches == 2 and report.errors == []
    current = await history.current(["p0", "p1"])
    assert {(c.platform, c.price, c.available) for c in current["p0"]} == {
        ("jd", D("3999"), True),
        ("taobao", D("4600"), True),
    }
    assert ("taobao", False) in {(c.platform, c.available) for c in current["p1"]}
    await service.evaluate_alerts()
    assert [pid for pid, _ in notifier.sent] == ["a1"]  # p0's alert, at jd's 3999

    broken = FakeConnector("jd", {}, fail=True)
    report = await service.refresh_watched_prices({"jd": broken})
    assert len(report.errors) == 2  # logged per batch, the job carries on
    assert all(c.available for c in (await history.current(["p2"]))["p2"])  # a failure is not a delisting


class DownProducts:
    async def get_product(self, product_id: str) -> Product | None:
        raise PlatformUnavailable("no platform answered")


async def test_platforms_down_while_setting_an_alert():
    history = InMemoryPriceHistory()
    service = AlertService(InMemoryAlertRepository(history), history, DownProducts())
    with pytest.raises(AlertError) as err:
        await service.create(req(target_price=D("4000")))
    assert err.value.code is AlertErrorCode.PRICE_UNAVAILABLE


async def test_an_undelivered_alert_is_retried_next_cycle_and_then_sent_once():
    service, history, notifier, clock = make(laptop("p1"))
    alert = (await service.create(req("p1", target_price=D("4000")))).alert
    notifier.unreachable.add("chat-1")
    await history.record_many([PricePoint("p1", "jd", D("3900"), clock.now(), "")])
    report = await service.evaluate_alerts()
    assert (report.triggered, report.notified, report.retry) == (1, 0, 1)
    notifier.unreachable.clear()
    report = await service.evaluate_alerts()
    assert (report.triggered, report.notified) == (1, 1)
    assert await service.evaluate_alerts() == CycleReport(batches=1, products=1)
    assert notifier.sent == [(alert.id, D("3900"))]
