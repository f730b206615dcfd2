"""Kuaidi100 adapter against a local poll.kuaidi100.com that checks signatures like Kuaidi100 does."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI, Request

from integrations.carriers.kuaidi100 import Kuaidi100Carrier, Kuaidi100Config, status_from_state
from shop.logistics import CarrierError, ShipmentStatus

CUSTOMER, KEY, SALT = "CUSTOMER0001", "kuaidi100-key", "our-random-salt"
CN = timezone(timedelta(hours=8))

TRACK = [  # Kuaidi100 answers newest first unless order=asc; the adapter must sort anyway
    {"time": "2026-11-21 09:10:00", "ftime": "2026-11-21 09:10:00", "context": "【北京市】快递员 王五 正在派件",
     "areaName": "北京,北京市", "status": "派件", "statusCode": "5"},
    {"time": "2026-11-20 21:00:00", "ftime": "2026-11-20 21:00:00", "context": "到达【北京转运中心】",
     "areaName": "北京,北京市", "status": "干线", "statusCode": "1002"},
    {"time": "2026-11-20 10:00:00", "ftime": "2026-11-20 10:00:00", "context": "【杭州市】已揽收",
     "areaName": "浙江,杭州市", "status": "揽收", "statusCode": "1"},
]  # fmt: skip


def make_server(calls: list[dict[str, str]]) -> FastAPI:
    app = FastAPI()

    @app.post("/poll/query.do")
    async def query(request: Request):
        form = {k: str(v) for k, v in (await request.form()).items()}
        calls.append(form)
        expected = hashlib.md5((form["param"] + KEY + form["customer"]).encode()).hexdigest().upper()
        if form.get("customer") != CUSTOMER or form.get("sign") != expected:
            return {"result": False, "returnCode": "503", "message": "验证签名失败"}
        param = json.loads(form["param"])
        if param["num"] == "NEW0001":
            return {"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}
        if param["num"] == "BROKEN":
            return {"message": "ok", "nu": "BROKEN", "state": "0", "status": "200", "data": "nope"}
        return {"message": "ok", "nu": param["num"], "ischeck": "0", "condition": "F00", "com": param["com"],
                "status": "200", "state": "5", "data": TRACK}  # fmt: skip

    @app.post("/poll")
    async def subscribe(request: Request):
        form = {k: str(v) for k, v in (await request.form()).items()}
        calls.append(form)
        param = json.loads(form["param"])
        if form.get("schema") != "json" or param.get("key") != KEY:
            return {"result": False, "returnCode": "600", "message": "您不是合法的订阅者"}
        if not param["parameters"].get("callbackurl"):
            return {"result": False, "returnCode": "700", "message": "订阅方的订阅数据存在错误"}
        if param["number"] == "DUP":
            return {"result": False, "returnCode": "501", "message": "重复订阅"}
        return {"result": True, "returnCode": "200", "message": "提交成功"}

    return app


def carrier(calls, key=KEY) -> Kuaidi100Carrier:
    config = Kuaidi100Config(CUSTOMER, key, SALT, api_url="http://kd100.local", retry_backoff=0)
    return Kuaidi100Carrier(config, transport=httpx.ASGITransport(app=make_server(calls)))


def push(last_result: dict, salt: str = SALT, tamper: bool = False) -> bytes:
    """A push exactly as Kuaidi100 sends it: form fields param + sign = MD5(param + salt)."""
    param = json.dumps({"status": "polling", "message": "", "lastResult": last_result}, ensure_ascii=False)
    sign = hashlib.md5((param + salt).encode()).hexdigest().upper()
    if tamper:
        param = param.replace("派件", "签收")
    return urlencode({"param": param, "sign": sign}).encode()


async def test_track_returns_events_oldest_first_with_mapped_statuses():
    calls: list[dict[str, str]] = []
    async with carrier(calls) as kd:
        events = await kd.track("yuantong", "YT1234567890")
    assert json.loads(calls[0]["param"])["com"] == "yuantong"
    assert [e.status for e in events] == [
        ShipmentStatus.COLLECTED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY
    ]  # fmt: skip
    assert events[0].time == datetime(2026, 11, 20, 10, 0, tzinfo=CN)
    assert events[-1].location == "北京,北京市" and "派件" in events[-1].description


async def test_wrong_key_is_rejected_and_no_record_yet_is_empty():
    async with carrier([], key="wrong") as kd:
        with pytest.raises(CarrierError, match="503"):
            await kd.track("yuantong", "YT1")
    async with carrier([]) as kd:
        assert await kd.track("yuantong", "NEW0001") == []
        with pytest.raises(CarrierError):
            await kd.track("yuantong", "BROKEN")


async def test_subscribe_sends_callback_url_and_salt():
    calls: list[dict[str, str]] = []
    async with carrier(calls) as kd:
        await kd.subscribe("yuantong", "YT1", "https://shop.example/carriers/kuaidi100")
        await kd.subscribe(
            "yuantong", "DUP", "https://shop.example/carriers/kuaidi100"
        )  # already subscribed: fine
        with pytest.raises(CarrierError, match="700"):
            await kd.subscribe("yuantong", "YT2", "")
    params = json.loads(calls[0]["param"])["parameters"]
    assert params == {"callbackurl": "https://shop.example/carriers/kuaidi100", "salt": SALT, "resultv2": "4"}


def test_genuine_push_is_parsed():
    last = {"message": "ok", "state": "3", "status": "200", "nu": "YT1", "com": "yuantong",
            "data": [{"time": "2026-11-21 12:00:00", "context": "已签收，签收人：本人", "areaName": "北京",
                      "status": "签收"}] + TRACK}  # fmt: skip
    number, events = carrier([]).parse_callback({}, push(last))
    assert number == "YT1"
    assert events[-1].status is ShipmentStatus.DELIVERED and len(events) == 4


@pytest.mark.parametrize("body", [
    push({"nu": "YT1", "state": "5", "data": TRACK}, salt="someone-else"),
    push({"nu": "YT1", "state": "5", "data": TRACK}, tamper=True),
    urlencode({"param": json.dumps({"lastResult": {"nu": "YT1"}})}).encode(),
    b"\xff\xfe",
])  # fmt: skip
def test_forged_or_tampered_push_is_rejected(body):
    with pytest.raises(CarrierError):
        carrier([]).parse_callback({}, body)


@pytest.mark.parametrize(
    ("code", "status"),
    [("0", ShipmentStatus.IN_TRANSIT), ("1", ShipmentStatus.COLLECTED), ("2", ShipmentStatus.DELAYED),
     ("3", ShipmentStatus.DELIVERED), ("4", ShipmentStatus.REJECTED), ("5", ShipmentStatus.OUT_FOR_DELIVERY),
     ("14", ShipmentStatus.REJECTED), ("101", ShipmentStatus.CREATED), ("1002", ShipmentStatus.IN_TRANSIT),
     ("301", ShipmentStatus.DELIVERED), ("501", ShipmentStatus.OUT_FOR_DELIVERY), ("疑难", ShipmentStatus.DELAYED)],
)  # fmt: skip
def test_state_codes(code, status):
    assert status_from_state(code) is status
