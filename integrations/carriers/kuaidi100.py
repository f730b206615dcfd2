"""Kuaidi100 (快递100) carrier adapter: real-time query, subscription and the push callback.

Implements the documented enterprise API (api.kuaidi100.com; same calls in the official demos
kuaidi100-api/python-demo, java-demo and php-demo ``synquery``/``subscribe``):

* 实时查询 ``POST {api}/poll/query.do`` form ``customer``, ``param`` (JSON ``{"com", "num",
  "resultv2": "4", "order": "asc"}``) and ``sign = MD5(param + key + customer)`` upper-case.
  Answer ``{"message": "ok", "state": "0", "status": "200", "nu", "com", "data": [{"time",
  "ftime", "context", "areaName", "status", "statusCode"}]}``; a failure is
  ``{"result": false, "returnCode": "400"|"500"|"503"|..., "message"}``.
* 订阅 ``POST {api}/poll`` form ``schema=json`` and ``param`` = ``{"company", "number", "key",
  "parameters": {"callbackurl", "salt", "resultv2": "4"}}``; answer ``{"result": true,
  "returnCode": "200"}`` (``501`` = already subscribed, which we treat as success).
* 推送 (the callback we receive): form field ``param`` = ``{"status": "polling", "message",
  "lastResult": {<same shape as the query answer>}}`` and ``sign = MD5(param + salt)``
  upper-case. We must answer :data:`CALLBACK_ACK` as JSON.

Kuaidi100 state codes → ShipmentStatus: 0 在途 → IN_TRANSIT, 1 揽收 → COLLECTED (101 已下单 /
102 待揽收 → CREATED), 2 疑难 → DELAYED, 3 签收 → DELIVERED, 4 退签 → REJECTED, 5 派件 →
OUT_FOR_DELIVERY, 6 退回 → REJECTED, 7 转投 / 8 清关 / 10-12 清关 → IN_TRANSIT, 13 清关异常 →
DELAYED, 14 拒签 → REJECTED; the resultv2 sub-codes (e.g. 1002 干线, 301 本人签收, 501 投柜)
map through their parent state.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Self
from urllib.parse import parse_qs

import httpx

from integrations.http import ErrorKinds, HttpAdapter
from shop.logistics import CarrierError, ShipmentStatus, TrackingEvent

log = logging.getLogger(__name__)

CHINA_TZ = timezone(timedelta(hours=8))
CALLBACK_ACK: dict[str, Any] = {"result": True, "returnCode": "200", "message": "成功"}

_STATE = {
    0: ShipmentStatus.IN_TRANSIT,
    1: ShipmentStatus.COLLECTED,
    2: ShipmentStatus.DELAYED,
    3: ShipmentStatus.DELIVERED,
    4: ShipmentStatus.REJECTED,
    5: ShipmentStatus.OUT_FOR_DELIVERY,
    6: ShipmentStatus.REJECTED,
    7: ShipmentStatus.IN_TRANSIT,
    8: ShipmentStatus.IN_TRANSIT,
    10: ShipmentStatus.IN_TRANSIT,
    11: ShipmentStatus.IN_TRANSIT,
    12: ShipmentStatus.IN_TRANSIT,
    13: ShipmentStatus.DELAYED,
    14: ShipmentStatus.REJECTED,
    101: ShipmentStatus.CREATED,
    102: ShipmentStatus.CREATED,
}
_STATE_NAMES = {
    "在途": 0, "揽收": 1, "疑难": 2, "签收": 3, "退签": 4, "派件": 5, "退回": 6, "转投": 7,
    "清关": 8, "待清关": 10, "清关中": 11, "已清关": 12, "清关异常": 13, "拒签": 14,
    "下单": 101, "已下单": 101, "待揽收": 102,
}  # fmt: skip


def status_from_state(code: int | str) -> ShipmentStatus:
    """Our status for a Kuaidi100 state code ("0".."14") or resultv2 sub-code ("1002", "301")."""
    try:
        value = int(code)
    except (TypeError, ValueError):
        return _STATE[_STATE_NAMES[str(code)]] if str(code) in _STATE_NAMES else ShipmentStatus.IN_TRANSIT
    if value in _STATE:
        return _STATE[value]
    text = str(value)
    if len(text) == 4 and text.startswith("10"):  # 1001 到达派件城市, 1002 干线, 1003 转递: 在途
        return ShipmentStatus.IN_TRANSIT
    if len(text) == 4 and text.startswith("14"):  # 拒签 sub-codes
        return ShipmentStatus.REJECTED
    parent = value // 100 if len(text) == 3 else None
    if parent is not None and parent in _STATE:
        return _STATE[parent]
    log.warning("kuaidi100: unknown state code %r, treated as in transit", code)
    return ShipmentStatus.IN_TRANSIT


@dataclass(frozen=True)
class Kuaidi100Config:
    """Settings KUAIDI100_CUSTOMER / KUAIDI100_KEY / KUAIDI100_SALT / KUAIDI100_API_URL."""

    customer: str
    key: str
    salt: str  # our own random string; Kuaidi100 signs pushes with it
    api_url: str = "https://poll.kuaidi100.com"
    timeout: float = 5.0
    retry_attempts: int = 3
    retry_backoff: float = 0.2


def _md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


class Kuaidi100Carrier:
    """``Carrier`` backed by Kuaidi100; ``carrier_code`` is Kuaidi100's company code (``yuantong``)."""

    name = "kuaidi100"

    def __init__(self, config: Kuaidi100Config, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not config.salt:
            raise ValueError("Kuaidi100 needs a salt: unsigned pushes cannot be trusted")
        self._config = config
        errors = ErrorKinds(unavailable=CarrierUnavailable, rejected=CarrierError, retryable=(CarrierUnavailable,))
        self._http = HttpAdapter(errors, base_url=config.api_url.rstrip("/"), timeout=config.timeout,
                                 retries=max(1, config.retry_attempts) - 1, backoff=config.retry_backoff,
                                 transport=transport)  # fmt: skip
        self._http.name = self.name

    async def start(self) -> None:
        """Open the HTTP connection pool."""
        await self._http.start()

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def query_form(self, carrier_code: str, tracking_number: str) -> dict[str, str]:
        """The signed form of a real-time query."""
        param = json.dumps(
            {"com": carrier_code, "num": tracking_number, "resultv2": "4", "order": "asc"},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        sign = _md5_upper(param + self._config.key + self._config.customer)
        return {"customer": self._config.customer, "param": param, "sign": sign}

    async def track(self, carrier_code: str, tracking_number: str) -> list[TrackingEvent]:
        """Every event so far, oldest first; [] while Kuaidi100 has no record yet (returnCode 500)."""
        payload = await self._post(
            "/poll/query.do", self.query_form(carrier_code, tracking_number), idempotent=True
        )
        if payload.get("result") is False or "returnCode" in payload:
            code = str(payload.get("returnCode", ""))
            if code == "500":
                return []
            raise CarrierError(f"kuaidi100 query failed: {code} {payload.get('message', '')}")
        return _events(payload)

    async def subscribe(self, carrier_code: str, tracking_number: str, callback_url: str) -> None:
        """Ask Kuaidi100 to push updates of this parcel to ``callback_url`` (signed with our salt)."""
        param = {
            "company": carrier_code,
            "number": tracking_number,
            "key": self._config.key,
            "parameters": {"callbackurl": callback_url, "salt": self._config.salt, "resultv2": "4"},
        }
        form = {"schema": "json", "param": json.dumps(param, ensure_ascii=False, separators=(",", ":"))}
        payload = await self._post("/poll", form, idempotent=False)
        code = str(payload.get("returnCode", ""))
        if payload.get("result") is True or code == "501":  # 501: this number is already subscribed
            return
        raise CarrierError(f"kuaidi100 subscription refused: {code} {payload.get('message', '')}")

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> tuple[str, list[TrackingEvent]]:
        """Verify a push (``sign = MD5(param + salt)``) and return (tracking number, events oldest first)."""
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError as exc:
            raise CarrierError("kuaidi100 push is not UTF-8") from exc
        param = (form.get("param") or [""])[0]
        sign = (form.get("sign") or [""])[0]
        if not param or not sign:
            raise CarrierError("kuaidi100 push without param/sign")
        if not hmac.compare_digest(sign.upper(), _md5_upper(param + self._config.salt)):
            raise CarrierError("kuaidi100 push signature does not verify")
        try:
            data = json.loads(param)
        except json.JSONDecodeError as exc:
            raise CarrierError("kuaidi100 push param is not JSON") from exc
        last = data.get("lastResult") if isinstance(data, dict) else None
        if not isinstance(last, dict) or not last.get("nu"):
            raise CarrierError("kuaidi100 push without lastResult.nu")
        return str(last["nu"]), _events(last)

    async def _post(self, path: str, form: dict[str, str], *, idempotent: bool) -> dict[str, Any]:
        return await self._http.exchange("POST", path, _json_object, idempotent=idempotent, data=form)


class CarrierUnavailable(CarrierError):
    """Kuaidi100 did not answer (transport failure, timeout, 429 or 5xx): retried when idempotent."""


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CarrierError(f"kuaidi100 answered non-JSON (HTTP {response.status_code})") from exc
    if not isinstance(payload, dict):
        raise CarrierError("kuaidi100 answered a non-object")
    return payload


def _parse_time(item: dict[str, Any]) -> datetime | None:
    text = str(item.get("ftime") or item.get("time") or "")
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ)
    except ValueError:
        return None


def _events(result: dict[str, Any]) -> list[TrackingEvent]:
    items = result.get("data") or []
    if not isinstance(items, list):
        raise CarrierError("kuaidi100 data is not a list")
    dated = [(t, i) for i in items if isinstance(i, dict) and (t := _parse_time(i)) is not None]
    if len(dated) != len(items):
        log.warning("kuaidi100: dropped %d track item(s) without a valid time", len(items) - len(dated))
    dated.sort(key=lambda pair: pair[0])
    events = []
    for index, (moment, item) in enumerate(dated):
        if item.get("statusCode") not in (None, ""):
            status = status_from_state(item["statusCode"])
        elif item.get("status"):
            status = status_from_state(str(item["status"]))
        elif index == len(dated) - 1 and result.get("state") not in (None, ""):
            status = status_from_state(result["state"])
        else:
            status = ShipmentStatus.IN_TRANSIT
        events.append(
            TrackingEvent(
                time=moment,
                status=status,
                location=str(item.get("areaName") or item.get("location") or ""),
                description=str(item.get("context") or ""),
            )
        )
    return events
