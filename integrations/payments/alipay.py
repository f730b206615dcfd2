"""Alipay (支付宝) payment provider built on the official ``alipay-sdk-python`` (module ``alipay``).

Implements, per the Alipay open platform docs (opendocs.alipay.com, "电脑网站支付",
"当面付", "异步通知验签") and the SDK's own request/model classes:

* ``alipay.trade.precreate`` (当面付 预下单, ``AlipayTradePrecreateRequest``): ``out_trade_no``,
  ``total_amount`` (yuan, 2 decimals), ``subject``, ``notify_url`` → ``qr_code`` (our code_url);
* ``alipay.trade.page.pay`` (电脑网站支付, ``AlipayTradePagePayRequest``,
  ``product_code=FAST_INSTANT_TRADE_PAY``) → the signed gateway URL (our pay_url), no call;
* ``alipay.trade.query`` (``trade_status``, ``total_amount``, ``trade_no``, ``send_pay_date``;
  ``40004 ACQ.TRADE_NOT_EXIST`` → None) and ``alipay.trade.refund`` (``refund_amount``,
  ``out_request_no`` = our refund id, ``fund_change`` Y → success).
* Requests: the SDK's request classes give the business parameters (``get_params``); the common
  parameters ``app_id``, ``charset=utf-8``, ``format=json``, ``sign_type=RSA2`` and ``timestamp``
  (``yyyy-MM-dd HH:mm:ss``, Beijing time) are added and the whole set is signed with the SDK's
  ``get_sign_content`` + ``sign_with_rsa2`` — what ``DefaultAlipayClient`` does, except that the
  client stamps the host's local time. The answer ``{"<method>_response": {...}, "sign": ...}``
  is verified with the SDK's ``verify_with_rsa`` over the exact ``<method>_response`` JSON text.
  The HTTP POST goes through httpx: the SDK's own transport (``WebUtils.get_http_connection``)
  always connects to port 80/443 and breaks on a URL with an explicit port.
* Async notify (异步通知): form-encoded; every parameter except ``sign``/``sign_type`` with a
  non-empty value, sorted by name and joined ``k=v`` with ``&``, is verified against ``sign``
  with SHA256withRSA (``sign_type=RSA2``) and the Alipay public key. ``app_id`` must be ours.
  ``notify_id``/``notify_time`` stay in ``PaymentNotification.raw`` for replay checks upstream.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode

import httpx
import rsa
from alipay.aop.api.domain.AlipayTradePagePayModel import AlipayTradePagePayModel
from alipay.aop.api.domain.AlipayTradePrecreateModel import AlipayTradePrecreateModel
from alipay.aop.api.domain.AlipayTradeQueryModel import AlipayTradeQueryModel
from alipay.aop.api.domain.AlipayTradeRefundModel import AlipayTradeRefundModel
from alipay.aop.api.request.AlipayTradePagePayRequest import AlipayTradePagePayRequest
from alipay.aop.api.request.AlipayTradePrecreateRequest import AlipayTradePrecreateRequest
from alipay.aop.api.request.AlipayTradeQueryRequest import AlipayTradeQueryRequest
from alipay.aop.api.request.AlipayTradeRefundRequest import AlipayTradeRefundRequest
from alipay.aop.api.util.SignatureUtils import get_sign_content, sign_with_rsa2, verify_with_rsa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from shop.payments import (
    PaymentIntent,
    PaymentNotification,
    PaymentProviderError,
    PaymentVerificationError,
    RefundResult,
)

log = logging.getLogger(__name__)

CHINA_TZ = timezone(timedelta(hours=8))
CENT = Decimal("0.01")
PAID_STATES = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})


@dataclass(frozen=True)
class AlipayConfig:
    """Settings ALIPAY_APP_ID / _APP_PRIVATE_KEY_PATH / _PUBLIC_KEY_PATH / _GATEWAY_URL / _NOTIFY_URL..."""

    app_id: str
    app_private_key_path: str  # PEM (PKCS#1 or PKCS#8) or Alipay's bare base64 key file
    alipay_public_key_path: str  # Alipay's public key (PEM or bare base64), not the app's
    gateway_url: str = "https://openapi.alipay.com/gateway.do"
    notify_url: str = ""
    return_url: str = ""
    default_method: str = "qr"  # "qr" (alipay.trade.precreate) or "page" (alipay.trade.page.pay)
    timeout: float = 15.0


def yuan(amount: Decimal) -> str:
    """Alipay's amount text ("88.80"); refuses negative or sub-fen amounts."""
    if amount < 0 or amount != amount.quantize(CENT):
        raise ValueError(f"not a payable yuan amount: {amount}")
    return f"{amount.quantize(CENT):f}"


def _load_private_key_pkcs1(text: str) -> str:
    """Any RSA private key text as the PKCS#1 PEM the SDK's ``rsa`` backend loads."""
    candidates = [text] if "-----BEGIN" in text else [
        f"-----BEGIN PRIVATE KEY-----\n{text.strip()}\n-----END PRIVATE KEY-----",
        f"-----BEGIN RSA PRIVATE KEY-----\n{text.strip()}\n-----END RSA PRIVATE KEY-----",
    ]  # fmt: skip
    for candidate in candidates:
        try:
            key = serialization.load_pem_private_key(candidate.encode(), password=None)
        except ValueError:
            continue
        if isinstance(key, RSAPrivateKey):
            return key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            ).decode()
    raise PaymentProviderError("alipay: the app private key is not a readable RSA key")


def _parse_time(text: Any) -> datetime | None:
    try:
        return datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ)
    except ValueError:
        return None


class AlipayProvider:
    """``PaymentProvider`` for Alipay; keys are read and the SDK client is built in :meth:`start`."""

    name = "alipay"

    def __init__(self, config: AlipayConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if config.default_method not in ("qr", "page"):
            raise ValueError("AlipayConfig.default_method must be 'qr' or 'page'")
        self._config = config
        self._transport = transport
        self._private_key = ""
        self._public_key = ""
        self._http: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Read the keys, build the SDK client and the HTTP pool (idempotent)."""
        if self._http is not None:
            return
        try:
            private_text = Path(self._config.app_private_key_path).read_text()
            public_text = Path(self._config.alipay_public_key_path).read_text()
        except OSError as exc:
            raise PaymentProviderError("alipay: cannot read the key files") from exc
        self._private_key = _load_private_key_pkcs1(private_text)
        self._public_key = public_text.strip()
        self._http = httpx.AsyncClient(timeout=self._config.timeout, transport=self._transport)

    async def aclose(self) -> None:
        """Close the HTTP pool."""
        if self._http is not None:
            await self._http.aclose()
        self._http = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- PaymentProvider -----------------------------------------------------------------

    async def create_payment(
        self, payment_id: str, amount: Decimal, description: str, *, method: str | None = None
    ) -> PaymentIntent:
        """A QR code (precreate) or a page-pay URL for ``amount`` yuan."""
        await self.start()
        kind = method or self._config.default_method
        if kind == "page":
            page_model = AlipayTradePagePayModel()
            page_model.out_trade_no = payment_id
            page_model.total_amount = yuan(amount)
            page_model.subject = description
            page_model.product_code = "FAST_INSTANT_TRADE_PAY"
            page_request = AlipayTradePagePayRequest(biz_model=page_model)
            if self._config.notify_url:
                page_request.notify_url = self._config.notify_url
            if self._config.return_url:
                page_request.return_url = self._config.return_url
            query = urlencode(self._signed(page_request))
            url = f"{self._config.gateway_url.split('?', 1)[0]}?{query}"
            return PaymentIntent(payment_id=payment_id, provider=self.name, pay_url=url)
        model = AlipayTradePrecreateModel()
        model.out_trade_no = payment_id
        model.total_amount = yuan(amount)
        model.subject = description
        request = AlipayTradePrecreateRequest(biz_model=model)
        if self._config.notify_url:
            request.notify_url = self._config.notify_url
        body = await self._execute("alipay.trade.precreate", request)
        if not body.get("qr_code"):
            raise PaymentProviderError("alipay: precreate answered without qr_code")
        return PaymentIntent(payment_id=payment_id, provider=self.name, code_url=str(body["qr_code"]))

    async def verify_callback(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification:
        """Verify an async notify (RSA2 over the sorted form) and decode it."""
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as exc:
            raise PaymentVerificationError("alipay notify is not UTF-8") from exc
        form = dict(pairs)
        sign = form.pop("sign", "")
        sign_type = form.pop("sign_type", "")
        if not sign or sign_type != "RSA2":
            raise PaymentVerificationError("alipay notify without an RSA2 sign")
        content = "&".join(f"{k}={form[k]}" for k in sorted(form) if form[k] != "")
        if self._verify(content.encode("utf-8"), sign) is False:
            raise PaymentVerificationError("alipay notify signature does not verify")
        if form.get("app_id") != self._config.app_id:
            raise PaymentVerificationError("alipay notify is for another app_id")
        return self._notification(form, amount_field="total_amount", paid_at_field="gmt_payment")

    async def query(self, payment_id: str) -> PaymentNotification | None:
        """The trade's current state, or None when Alipay has no such trade (yet)."""
        model = AlipayTradeQueryModel()
        model.out_trade_no = payment_id
        body = await self._execute(
            "alipay.trade.query", AlipayTradeQueryRequest(biz_model=model), not_found_ok=True
        )
        if not body:
            return None
        return self._notification(body, amount_field="total_amount", paid_at_field="send_pay_date")

    async def refund(
        self, payment_id: str, refund_id: str, amount: Decimal, total: Decimal, reason: str = ""
    ) -> RefundResult:
        """Refund ``amount`` yuan of the trade; ``refund_id`` is the idempotency key (out_request_no)."""
        if amount <= 0 or amount > total:
            raise PaymentProviderError(f"alipay: refund {amount} is not within (0, {total}]")
        model = AlipayTradeRefundModel()
        model.out_trade_no = payment_id
        model.refund_amount = yuan(amount)
        model.out_request_no = refund_id
        if reason:
            model.refund_reason = reason
        body = await self._execute("alipay.trade.refund", AlipayTradeRefundRequest(biz_model=model))
        status = "success" if body.get("fund_change") == "Y" else "processing"
        return RefundResult(refund_id=refund_id, payment_id=payment_id, amount=amount, status=status)

    # -- protocol ------------------------------------------------------------------------

    def _signed(self, request: Any) -> dict[str, str]:
        """The request's parameters plus the common ones, RSA2-signed with the app key."""
        params: dict[str, str] = dict(request.get_params())
        params.update(
            app_id=self._config.app_id,
            charset="utf-8",
            format="json",
            sign_type="RSA2",
            timestamp=datetime.now(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S"),
        )
        params["sign"] = sign_with_rsa2(self._private_key, get_sign_content(params), "utf-8")
        return params

    def _verify(self, message: bytes, sign: str) -> bool:
        try:
            return verify_with_rsa(self._public_key, message, sign) and _hash_of(
                self._public_key, message, sign
            )
        except (rsa.VerificationError, binascii.Error, ValueError):
            return False

    async def _execute(self, method: str, request: Any, *, not_found_ok: bool = False) -> dict[str, Any]:
        await self.start()
        assert self._http is not None
        try:
            response = await self._http.post(self._config.gateway_url, data=self._signed(request))
        except httpx.TransportError as exc:
            raise PaymentProviderError(f"alipay: {method} did not reach the gateway") from exc
        if response.status_code != 200:
            raise PaymentProviderError(f"alipay: {method} answered HTTP {response.status_code}")
        text = response.text
        node = method.replace(".", "_") + "_response"
        raw, body, sign = _extract(text, node)
        if body is None:
            body, raw = _extract(text, "error_response")[1], None
            if body is None:
                raise PaymentProviderError(f"alipay: {method} answer has no {node}")
        code = str(body.get("code", ""))
        if code != "10000":
            if not_found_ok and body.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return {}
            raise PaymentProviderError(
                f"alipay: {method} failed: {code} {body.get('sub_code', '')} {body.get('sub_msg') or body.get('msg', '')}"
            )
        if raw is None or not sign or not self._verify(raw.encode("utf-8"), sign):
            raise PaymentProviderError(f"alipay: {method} answer signature does not verify")
        return body

    def _notification(
        self, data: Mapping[str, Any], *, amount_field: str, paid_at_field: str
    ) -> PaymentNotification:
        try:
            amount = Decimal(str(data.get(amount_field, "")))
        except InvalidOperation as exc:
            raise PaymentVerificationError(f"alipay: {amount_field} is not an amount") from exc
        if not amount.is_finite() or amount < 0 or not data.get("out_trade_no"):
            raise PaymentVerificationError("alipay: notification lacks out_trade_no or a valid amount")
        paid = data.get("trade_status") in PAID_STATES
        return PaymentNotification(
            payment_id=str(data["out_trade_no"]),
            provider_txn_id=str(data.get("trade_no", "")),
            amount=amount.quantize(CENT),
            paid=paid,
            paid_at=_parse_time(data.get(paid_at_field)) if paid else None,
            method="alipay",
            raw=dict(data),
        )


def _hash_of(public_key: str, message: bytes, sign: str) -> bool:
    """True when the signature is SHA256withRSA (``rsa.verify`` also accepts SHA-1: RSA, not RSA2)."""
    pem = public_key if "-----BEGIN" in public_key else (
        f"-----BEGIN PUBLIC KEY-----\n{public_key}\n-----END PUBLIC KEY-----"
    )  # fmt: skip
    key = rsa.PublicKey.load_pkcs1_openssl_pem(pem.encode())
    return rsa.verify(message, base64.b64decode(sign), key) == "SHA-256"


def _extract(text: str, node: str) -> tuple[str | None, dict[str, Any] | None, str]:
    """(exact JSON text of ``node``, its decoded value, the top-level ``sign``) of an answer."""
    try:
        whole = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise PaymentProviderError("alipay: answer is not JSON") from exc
    if not isinstance(whole, dict) or not isinstance(whole.get(node), dict):
        return None, None, ""
    marker = f'"{node}"'
    start = text.find(marker)
    colon = text.find(":", start + len(marker))
    value_start = colon + 1
    while text[value_start] in " \t\r\n":
        value_start += 1
    _, end = json.JSONDecoder().raw_decode(text, value_start)
    return text[value_start:end], whole[node], str(whole.get("sign", ""))
