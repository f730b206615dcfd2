"""Alipay (支付宝) payment provider: RSA2 requests and notifies signed and verified with ``cryptography``.

Implements, per the Alipay open platform docs (opendocs.alipay.com, "电脑网站支付",
"当面付", "异步通知验签", "自行实现签名"):

* ``alipay.trade.precreate`` (当面付 预下单): ``out_trade_no``, ``total_amount`` (yuan, 2 decimals),
  ``subject``, ``notify_url`` → ``qr_code`` (our code_url);
* ``alipay.trade.page.pay`` (电脑网站支付, ``product_code=FAST_INSTANT_TRADE_PAY``) → the signed
  gateway URL (our pay_url), no call;
* ``alipay.trade.query`` (``trade_status``, ``total_amount``, ``trade_no``, ``send_pay_date``;
  ``40004 ACQ.TRADE_NOT_EXIST`` → None) and ``alipay.trade.refund`` (``refund_amount``,
  ``out_request_no`` = our refund id, ``fund_change`` Y → success).
* Requests: ``method``, ``version=1.0``, ``biz_content`` (compact JSON, keys sorted, as the
  official SDK writes it), ``notify_url``/``return_url`` and the common parameters ``app_id``,
  ``charset=utf-8``, ``format=json``, ``sign_type=RSA2``, ``timestamp`` (``yyyy-MM-dd HH:mm:ss``,
  Beijing time); every parameter but ``sign``, sorted by name and joined ``k=v`` with ``&``, is
  signed SHA256withRSA (PKCS#1 v1.5) with the app key. The answer
  ``{"<method>_response": {...}, "sign": ...}`` is verified over the exact ``<method>_response``
  JSON text with Alipay's public key. The HTTP POST goes through httpx.
* Async notify (异步通知): form-encoded; every parameter except ``sign``/``sign_type`` with a
  non-empty value, sorted by name and joined ``k=v`` with ``&``, is verified against ``sign``
  with SHA256withRSA (``sign_type=RSA2``) and the Alipay public key. ``app_id`` must be ours, and
  ``notify_time`` must lie within ``notify_max_age`` of now (Alipay retries a notify for about
  25 hours, so an older one is a replay). ``notify_id``/``notify_time`` stay in
  ``PaymentNotification.raw`` for replay checks upstream.

The official ``alipay-sdk-python`` is not used: it is 450 MB of generated domain classes for the
few lines of signing above.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from integrations.http import ErrorKinds, HttpAdapter
from integrations.money import yuan_text as yuan
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
NOTIFY_MAX_AGE = timedelta(hours=26)  # Alipay's retries span about 25 h (4m, 10m, 10m, 1h, 2h, 6h, 15h)


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
    notify_max_age: timedelta = NOTIFY_MAX_AGE  # ALIPAY_NOTIFY_MAX_AGE_SECONDS: older notifies are refused


def load_private_key(text: str) -> RSAPrivateKey:
    """An RSA private key from PEM (PKCS#1 or PKCS#8) or Alipay's bare base64 text."""
    candidates = [text] if "-----BEGIN" in text else [
        f"-----BEGIN PRIVATE KEY-----\n{text.strip()}\n-----END PRIVATE KEY-----",
        f"-----BEGIN RSA PRIVATE KEY-----\n{text.strip()}\n-----END RSA PRIVATE KEY-----",
    ]  # fmt: skip
    for candidate in candidates:
        try:
            key = serialization.load_pem_private_key(candidate.encode(), password=None)
        except (ValueError, TypeError):
            continue
        if isinstance(key, RSAPrivateKey):
            return key
    raise PaymentProviderError("alipay: the app private key is not a readable RSA key")


def load_public_key(text: str) -> RSAPublicKey:
    """Alipay's RSA public key from PEM or bare base64 (SubjectPublicKeyInfo)."""
    pem = text.strip() if "-----BEGIN" in text else (
        f"-----BEGIN PUBLIC KEY-----\n{text.strip()}\n-----END PUBLIC KEY-----"
    )  # fmt: skip
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError) as exc:
        raise PaymentProviderError("alipay: the Alipay public key is not a readable RSA key") from exc
    if not isinstance(key, RSAPublicKey):
        raise PaymentProviderError("alipay: the Alipay public key is not an RSA key")
    return key


def sign_content(params: Mapping[str, str]) -> str:
    """What RSA2 signs: every parameter but ``sign``, sorted by name, ``k=v`` joined by ``&``."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign")


def rsa2_sign(key: RSAPrivateKey, content: str) -> str:
    """SHA256withRSA (PKCS#1 v1.5) signature of ``content``, base64."""
    return base64.b64encode(key.sign(content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa2_verify(key: RSAPublicKey, message: bytes, sign: str) -> bool:
    """True when ``sign`` (base64) is a SHA256withRSA signature of ``message`` by ``key``."""
    try:
        key.verify(base64.b64decode(sign, validate=True), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _parse_time(text: Any) -> datetime | None:
    try:
        return datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ)
    except ValueError:
        return None


def _biz(**fields: str) -> str:
    """``biz_content`` as the official SDK writes it: compact JSON, keys sorted, empty fields left out."""
    return json.dumps({k: v for k, v in fields.items() if v}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))  # fmt: skip


class AlipayProvider:
    """``PaymentProvider`` for Alipay; keys are read and the HTTP pool is opened in :meth:`start`."""

    name = "alipay"

    def __init__(
        self,
        config: AlipayConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if config.default_method not in ("qr", "page"):
            raise ValueError("AlipayConfig.default_method must be 'qr' or 'page'")
        self._config = config
        self._clock = clock
        self._private_key: RSAPrivateKey | None = None
        self._public_key: RSAPublicKey | None = None
        errors = ErrorKinds(unavailable=AlipayUnavailable, rejected=PaymentProviderError,
                            retryable=(AlipayUnavailable,))  # fmt: skip
        self._http = HttpAdapter(errors, timeout=config.timeout, retries=2, transport=transport)
        self._http.name = self.name
        self._started = False

    async def start(self) -> None:
        """Read the keys and open the HTTP pool (idempotent)."""
        if self._started:
            return
        try:
            private_text = Path(self._config.app_private_key_path).read_text()
            public_text = Path(self._config.alipay_public_key_path).read_text()
        except OSError as exc:
            raise PaymentProviderError("alipay: cannot read the key files") from exc
        self._private_key = load_private_key(private_text)
        self._public_key = load_public_key(public_text)
        await self._http.start()
        self._started = True

    async def aclose(self) -> None:
        """Close the HTTP pool."""
        await self._http.aclose()
        self._started = False

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
            biz = _biz(out_trade_no=payment_id, total_amount=yuan(amount), subject=description,
                       product_code="FAST_INSTANT_TRADE_PAY")  # fmt: skip
            query = urlencode(self._signed("alipay.trade.page.pay", biz, return_url=self._config.return_url))
            url = f"{self._config.gateway_url.split('?', 1)[0]}?{query}"
            return PaymentIntent(payment_id=payment_id, provider=self.name, pay_url=url)
        biz = _biz(out_trade_no=payment_id, total_amount=yuan(amount), subject=description)
        body = await self._execute("alipay.trade.precreate", biz)
        if not body.get("qr_code"):
            raise PaymentProviderError("alipay: precreate answered without qr_code")
        return PaymentIntent(payment_id=payment_id, provider=self.name, code_url=str(body["qr_code"]))

    async def verify_callback(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification:
        """Verify an async notify (RSA2 over the sorted form, age) and decode it."""
        await self.start()
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
        if not self._verify(content.encode("utf-8"), sign):
            raise PaymentVerificationError("alipay notify signature does not verify")
        if form.get("app_id") != self._config.app_id:
            raise PaymentVerificationError("alipay notify is for another app_id")
        sent = _parse_time(form.get("notify_time"))
        if sent is None:
            raise PaymentVerificationError("alipay notify without a valid notify_time")
        age = self._clock() - sent.timestamp()
        if age > self._config.notify_max_age.total_seconds() or age < -300:
            raise PaymentVerificationError("alipay notify is too old (notify_time outside the window)")
        return self._notification(form, amount_field="total_amount", paid_at_field="gmt_payment")

    async def query(self, payment_id: str) -> PaymentNotification | None:
        """The trade's current state, or None when Alipay has no such trade (yet)."""
        body = await self._execute("alipay.trade.query", _biz(out_trade_no=payment_id), not_found_ok=True)
        if not body:
            return None
        return self._notification(body, amount_field="total_amount", paid_at_field="send_pay_date")

    async def refund(
        self, payment_id: str, refund_id: str, amount: Decimal, total: Decimal, reason: str = ""
    ) -> RefundResult:
        """Refund ``amount`` yuan of the trade; ``refund_id`` is the idempotency key (out_request_no)."""
        if amount <= 0 or amount > total:
            raise PaymentProviderError(f"alipay: refund {amount} is not within (0, {total}]")
        biz = _biz(out_trade_no=payment_id, refund_amount=yuan(amount), out_request_no=refund_id,
                   refund_reason=reason)  # fmt: skip
        body = await self._execute("alipay.trade.refund", biz)
        status = "success" if body.get("fund_change") == "Y" else "processing"
        return RefundResult(refund_id=refund_id, payment_id=payment_id, amount=amount, status=status)

    # -- protocol ------------------------------------------------------------------------

    def _signed(self, method: str, biz_content: str, *, return_url: str = "") -> dict[str, str]:
        """The request's parameters plus the common ones, RSA2-signed with the app key."""
        assert self._private_key is not None, "start() first"
        params = {"method": method, "version": "1.0", "biz_content": biz_content}
        if self._config.notify_url:
            params["notify_url"] = self._config.notify_url
        if return_url:
            params["return_url"] = return_url
        params.update(
            app_id=self._config.app_id,
            charset="utf-8",
            format="json",
            sign_type="RSA2",
            timestamp=datetime.fromtimestamp(self._clock(), CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S"),
        )
        params["sign"] = rsa2_sign(self._private_key, sign_content(params))
        return params

    def _verify(self, message: bytes, sign: str) -> bool:
        assert self._public_key is not None, "start() first"
        return rsa2_verify(self._public_key, message, sign)

    async def _execute(self, method: str, biz_content: str, *, not_found_ok: bool = False) -> dict[str, Any]:
        await self.start()
        # only a query is retried (a lost answer to precreate/refund is settled by query, not by repeating it)
        return await self._http.exchange(
            "POST", self._config.gateway_url, lambda response: self._read(method, response.text, not_found_ok),
            idempotent=method == "alipay.trade.query", data=self._signed(method, biz_content))

    def _read(self, method: str, text: str, not_found_ok: bool) -> dict[str, Any]:
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


class AlipayUnavailable(PaymentProviderError):
    """The gateway did not answer (transport failure, timeout, 429 or 5xx): a query is retried."""


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
