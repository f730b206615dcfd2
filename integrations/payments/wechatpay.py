"""WeChat Pay API v3 (微信支付 v3) provider built on the ``wechatpayv3`` package.

Implements, per pay.weixin.qq.com "Native下单", "查询订单", "申请退款", "支付通知" and
"签名验证" (and the package's ``transaction.py`` / ``core.py``):

* ``POST /v3/pay/transactions/native`` (``appid``, ``mchid``, ``description``,
  ``out_trade_no``, ``notify_url``, ``amount.total`` in fen) → ``code_url`` (our code_url);
* ``GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=`` → ``trade_state``
  (``SUCCESS`` = paid), ``transaction_id``, ``amount.total`` (fen), ``success_time``;
  ``404 ORDER_NOT_EXIST`` → None;
* ``POST /v3/refund/domestic/refunds`` (``out_trade_no``, ``out_refund_no``,
  ``amount.refund/total/currency``) → ``status`` PROCESSING / SUCCESS / ABNORMAL / CLOSED;
* every request carries the ``WECHATPAY2-SHA256-RSA2048`` Authorization header signed with the
  merchant key, and every 2xx answer's ``Wechatpay-Signature`` is verified by the package
  against the platform public key (公钥模式: ``platform_public_key_*``) or platform certificate
  (证书模式: ``platform_cert_dir``; unknown serials are fetched from ``/v3/certificates``);
* callbacks: headers ``Wechatpay-Timestamp``/``-Nonce``/``-Signature``/``-Serial``/
  ``-Signature-Type``; ``message = timestamp\\nnonce\\nbody\\n`` verified with SHA256withRSA, then
  ``resource`` (``AEAD_AES_256_GCM``: ``ciphertext``, ``nonce``, ``associated_data``) decrypted
  with the APIv3 key. A timestamp further than ``max_clock_skew`` from now is refused (the docs
  recommend 5 minutes); the timestamp, nonce and notification id stay in
  ``PaymentNotification.raw`` so the orders layer can refuse replays.

Amounts: our Decimal yuan ↔ WeChat's integer fen. The package does its own HTTP with
``requests``; calls run in a worker thread. Its gateway is not a constructor argument, so the
configured ``api_url`` is set on the client's core after construction.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Self

from cryptography import x509
from wechatpayv3 import WeChatPay, WeChatPayType

from integrations.money import fen_to_yuan, to_fen
from shop.payments import (
    PaymentIntent,
    PaymentNotification,
    PaymentProviderError,
    PaymentVerificationError,
    RefundResult,
)

log = logging.getLogger(__name__)

_CALLBACK_HEADERS = (
    "Wechatpay-Signature",
    "Wechatpay-Timestamp",
    "Wechatpay-Nonce",
    "Wechatpay-Serial",
    "Wechatpay-Signature-Type",
)
_REFUND_STATUS = {"SUCCESS": "success", "PROCESSING": "processing", "ABNORMAL": "failed", "CLOSED": "failed"}


@dataclass(frozen=True)
class WeChatPayConfig:
    """Settings WECHATPAY_* (see the report); give either the public key pair or a cert dir."""

    mchid: str
    appid: str
    api_v3_key: str
    cert_serial_no: str  # the merchant API certificate's serial number
    private_key_path: str  # the merchant API private key (apiclient_key.pem)
    notify_url: str
    platform_public_key_path: str = ""  # 微信支付公钥 (pub_key.pem)
    platform_public_key_id: str = ""  # PUB_KEY_ID_...
    platform_cert_dir: str = ""  # directory of platform certificates (<serial>.pem)
    api_url: str = "https://api.mch.weixin.qq.com"
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_clock_skew: int = 300
    cert_refresh_interval: float = 300.0  # an unknown callback serial fetches /v3/certificates at most this often


def from_fen(fen: Any) -> Decimal:
    """Integer fen → Decimal yuan (the one money parser); a non-integer or negative value is a data error."""
    amount = fen_to_yuan(fen, text_ok=False)
    if amount is None:
        raise PaymentProviderError(f"wechatpay: not an amount in fen: {fen!r}")
    return amount


def _parse_time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


class WeChatPayProvider:
    """``PaymentProvider`` for WeChat Pay Native (QR code) payments."""

    name = "wechat_pay"

    def __init__(self, config: WeChatPayConfig, *, clock: Callable[[], float] = time.time) -> None:
        if bool(config.platform_public_key_path) == bool(config.platform_cert_dir):
            raise ValueError(
                "WeChatPayConfig needs exactly one of platform_public_key_path / platform_cert_dir"
            )
        if config.platform_public_key_path and not config.platform_public_key_id:
            raise ValueError(
                "WeChatPayConfig.platform_public_key_id is required with the platform public key"
            )
        self._config = config
        self._clock = clock
        self._client: WeChatPay | None = None
        self._last_refresh = -math.inf  # when an unknown serial last let the package fetch certificates

    async def start(self) -> None:
        """Read the keys and build the wechatpayv3 client (idempotent)."""
        if self._client is None:
            self._client = await asyncio.to_thread(self._build)

    async def aclose(self) -> None:
        """Forget the client (the package keeps no open connections)."""
        self._client = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _build(self) -> WeChatPay:
        cfg = self._config
        try:
            private_key = Path(cfg.private_key_path).read_text()
            public_key = (
                Path(cfg.platform_public_key_path).read_text() if cfg.platform_public_key_path else None
            )
        except OSError as exc:
            raise PaymentProviderError("wechatpay: cannot read the key files") from exc
        if cfg.platform_cert_dir:
            self._check_cert_dir(Path(cfg.platform_cert_dir))
        try:
            client = WeChatPay(
                wechatpay_type=WeChatPayType.NATIVE,
                mchid=cfg.mchid,
                private_key=private_key,
                cert_serial_no=cfg.cert_serial_no,
                appid=cfg.appid,
                apiv3_key=cfg.api_v3_key,
                notify_url=cfg.notify_url,
                cert_dir=cfg.platform_cert_dir or None,
                logger=log,
                timeout=(cfg.connect_timeout, cfg.read_timeout),
                public_key=public_key,
                public_key_id=cfg.platform_public_key_id or None,
            )
        except Exception as exc:  # the package raises bare Exception for unreadable keys
            raise PaymentProviderError(f"wechatpay: client could not be built: {exc}") from exc
        client._core._gate_way = cfg.api_url.rstrip("/")  # no constructor argument for the gateway
        return client

    @staticmethod
    def _check_cert_dir(directory: Path) -> None:
        """At least one currently valid platform certificate must be there: otherwise the package
        would fetch one from the production gateway during construction."""
        now = datetime.now().astimezone()
        for pem in directory.glob("*.pem"):
            try:
                cert = x509.load_pem_x509_certificate(pem.read_bytes())
            except ValueError:
                continue
            if cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
                return
        raise PaymentProviderError(f"wechatpay: no valid platform certificate in {directory}")

    # -- PaymentProvider -----------------------------------------------------------------

    async def create_payment(
        self, payment_id: str, amount: Decimal, description: str, *, method: str | None = None
    ) -> PaymentIntent:
        """A Native payment: the shopper scans ``code_url`` as a QR code in WeChat."""
        fen = to_fen(amount)
        client = await self._ready()
        data = await self._call(
            "native order",
            lambda: client.pay(
                description=description[:127] or payment_id,
                out_trade_no=payment_id,
                amount={"total": fen, "currency": "CNY"},
                pay_type=WeChatPayType.NATIVE,
            ),
        )
        if not data or not data.get("code_url"):
            raise PaymentProviderError("wechatpay: native order answered without code_url")
        return PaymentIntent(payment_id=payment_id, provider=self.name, code_url=str(data["code_url"]))

    async def verify_callback(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification:
        """Verify the signature and clock skew, decrypt ``resource``, and decode the payment."""
        lower = {k.lower(): v for k, v in headers.items()}
        canonical = {name: lower.get(name.lower(), "") for name in _CALLBACK_HEADERS}
        given = canonical["Wechatpay-Timestamp"]
        if not (given.isascii() and given.isdigit() and len(given) <= 12):  # a float holds 12 digits
            raise PaymentVerificationError("wechatpay callback without a valid Wechatpay-Timestamp")
        timestamp = int(given)
        if abs(self._clock() - timestamp) > self._config.max_clock_skew:
            raise PaymentVerificationError("wechatpay callback timestamp is outside the allowed clock skew")
        client = await self._ready()
        self._check_serial(client, canonical["Wechatpay-Serial"])
        try:
            text = body.decode("utf-8")
            result = await asyncio.to_thread(client.callback, canonical, text)
        except Exception as exc:  # the package raises bare Exception/ValueError on odd headers
            raise PaymentVerificationError(f"wechatpay callback does not verify: {exc}") from exc
        if not result or not isinstance(result.get("resource"), dict):
            raise PaymentVerificationError("wechatpay callback signature or resource does not verify")
        resource = result["resource"]
        if resource.get("mchid") != self._config.mchid:
            raise PaymentVerificationError("wechatpay callback is for another merchant")
        raw = {
            "id": result.get("id"),
            "event_type": result.get("event_type"),
            "create_time": result.get("create_time"),
            "summary": result.get("summary"),
            "timestamp": canonical["Wechatpay-Timestamp"],
            "nonce": canonical["Wechatpay-Nonce"],
            "serial": canonical["Wechatpay-Serial"],
            "resource": resource,
        }
        try:
            return self._notification(resource, raw)
        except PaymentProviderError as exc:
            raise PaymentVerificationError(str(exc)) from exc

    async def query(self, payment_id: str) -> PaymentNotification | None:
        """The order's current state; None when WeChat Pay does not know it."""
        client = await self._ready()
        data = await self._call("query", lambda: client.query(out_trade_no=payment_id), not_found_ok=True)
        if data is None:
            return None
        return self._notification(data, {"resource": data})

    async def refund(
        self, payment_id: str, refund_id: str, amount: Decimal, total: Decimal, reason: str = ""
    ) -> RefundResult:
        """Ask for a refund of ``amount`` of ``total`` yuan; ``refund_id`` is out_refund_no."""
        refund_fen, total_fen = to_fen(amount), to_fen(total)
        if not 0 < refund_fen <= total_fen:
            raise PaymentProviderError(f"wechatpay: refund {amount} is not within (0, {total}]")
        client = await self._ready()
        data = await self._call(
            "refund",
            lambda: client.refund(
                out_refund_no=refund_id,
                amount={"refund": refund_fen, "total": total_fen, "currency": "CNY"},
                out_trade_no=payment_id,
                reason=reason or None,
            ),
        )
        status = _REFUND_STATUS.get(str((data or {}).get("status")), "processing")
        return RefundResult(refund_id=refund_id, payment_id=payment_id, amount=amount, status=status)

    # -- protocol ------------------------------------------------------------------------

    def _check_serial(self, client: WeChatPay, serial: str) -> None:
        """Refuse a callback naming a platform key we do not hold, without calling out each time.

        The package fetches ``/v3/certificates`` whenever a serial is unknown, so a stream of forged
        callbacks would make one outbound call each. 公钥模式: the serial must be our public key id.
        证书模式: a serial we hold passes; an unknown one may trigger one refresh per
        ``cert_refresh_interval`` (a rotated certificate is picked up), else it is refused here.
        """
        cfg = self._config
        if cfg.platform_public_key_id and serial == cfg.platform_public_key_id:
            return
        if not cfg.platform_cert_dir:
            raise PaymentVerificationError("wechatpay callback names an unknown platform key")
        try:
            number = int(serial, 16)
        except ValueError as exc:
            raise PaymentVerificationError("wechatpay callback without a valid Wechatpay-Serial") from exc
        if any(cert.serial_number == number for cert in client._core._certificates):
            return
        now = self._clock()
        if now - self._last_refresh < cfg.cert_refresh_interval:
            raise PaymentVerificationError(
                "wechatpay callback names an unknown platform certificate (certificates refreshed recently)"
            )
        self._last_refresh = now  # this call may fetch the certificates; the next unknown serial waits

    async def _ready(self) -> WeChatPay:
        await self.start()
        assert self._client is not None
        return self._client

    async def _call(
        self, what: str, call: Callable[[], tuple[int, Any]], *, not_found_ok: bool = False
    ) -> dict[str, Any] | None:
        try:
            code, text = await asyncio.to_thread(call)
        except Exception as exc:  # requests errors, and the package's bare "failed to verify the signature"
            raise PaymentProviderError(f"wechatpay: {what} failed: {exc}") from exc
        try:
            data = json.loads(text) if text else {}
        except (json.JSONDecodeError, TypeError) as exc:
            raise PaymentProviderError(f"wechatpay: {what} answered non-JSON (HTTP {code})") from exc
        if 200 <= code < 300:
            return data if isinstance(data, dict) else {}
        if not_found_ok and code == 404 and data.get("code") == "ORDER_NOT_EXIST":
            return None
        raise PaymentProviderError(
            f"wechatpay: {what} failed: HTTP {code} {data.get('code')} {data.get('message')}"
        )

    def _notification(self, data: Mapping[str, Any], raw: dict[str, Any]) -> PaymentNotification:
        if not data.get("out_trade_no"):
            raise PaymentProviderError("wechatpay: payload lacks out_trade_no")
        amount = from_fen((data.get("amount") or {}).get("total"))
        paid = data.get("trade_state") == "SUCCESS"
        return PaymentNotification(
            payment_id=str(data["out_trade_no"]),
            provider_txn_id=str(data.get("transaction_id", "")),
            amount=amount,
            paid=paid,
            paid_at=_parse_time(data.get("success_time")) if paid else None,
            method="wechat_pay",
            raw=raw,
        )
