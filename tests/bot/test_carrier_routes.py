"""Carrier pushes (Kuaidi100's signed form) reach the shopper through the same exactly-once path."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

import pytest

from integrations.carriers.kuaidi100 import Kuaidi100Carrier, Kuaidi100Config
from shop.orders import OrderStatus
from tests.orders_harness import build_app, build_world, client, paid_order


def push_body(number: str, salt: str, items: list[dict]) -> bytes:
    param = json.dumps(
        {"status": "polling", "lastResult": {"nu": number, "state": "0", "data": items}}, ensure_ascii=False
    )
    sign = hashlib.md5((param + salt).encode()).hexdigest().upper()
    return urlencode({"param": param, "sign": sign}).encode()


@pytest.fixture
async def w(sqlite_url):
    carrier = Kuaidi100Carrier(Kuaidi100Config(customer="c", key="k", salt="pepper"))
    world = await build_world(sqlite_url, carrier=carrier)
    yield world
    await world.engine.dispose()


async def test_signed_pushes_are_applied_once_and_forged_ones_refused(w):
    order = await paid_order(w)
    await w.c.shipments.ship(order.id, "yuantong", "YT123", "merchant:jd-shop")
    items = [
        {
            "time": "2026-01-02 10:00:00",
            "ftime": "2026-01-02 10:00:00",
            "context": "已揽收",
            "statusCode": "1",
            "areaName": "上海",
        },
        {
            "time": "2026-01-03 09:00:00",
            "ftime": "2026-01-03 09:00:00",
            "context": "已签收",
            "statusCode": "3",
            "areaName": "杭州",
        },
    ]
    body = push_body("YT123", "pepper", items)
    app, _ = build_app(w)
    headers = {"content-type": "application/x-www-form-urlencoded"}
    async with client(app) as http:
        forged = await http.post(
            "/carriers/kuaidi100/notify", content=push_body("YT123", "wrong", items), headers=headers
        )
        ok = [await http.post("/carriers/kuaidi100/notify", content=body, headers=headers) for _ in range(2)]
        unknown = await http.post(
            "/carriers/kuaidi100/notify", content=push_body("NOPE", "pepper", items), headers=headers
        )
        other = await http.post("/carriers/sf/notify", content=body, headers=headers)
    assert forged.status_code == 400 and forged.json()["result"] is False
    assert [r.json() for r in ok] == [{"result": True, "returnCode": "200", "message": "成功"}] * 2
    assert unknown.status_code == 400 and other.status_code == 404
    assert [s.status.value for s in w.notifier.of_kind("shipment")] == ["collected", "delivered"]
    assert (await w.orders.get(order.id)).status is OrderStatus.DELIVERED
