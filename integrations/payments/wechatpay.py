"""WeChat Pay API v3 (微信支付 v3) provider: httpx on the HTTP adapter base, ``cryptography`` for keys.

Implements, per pay.weixin.qq.com "Native下单", "查询订单", "申请退款", "支付通知", "签名生成",
"签名验证", "证书和回调报文解密" and "平台证书下载":

* ``POST /v3/pay/transactions/native`` (``appid``, ``mchid``, ``description``,
  ``out_trade_no``, ``notify_url``, ``amount.total`` in fen) → ``code_url`` (our code_url);
* ``GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=`` → ``trade_state``
  (``SUCCESS`` = paid), ``transaction_id``, ``amount.total`` (fen), ``success_time``;
  ``404 ORDER_NOT_EXIST`` → None;
* ``POST /v3/refund/domestic/refunds`` (``out_trade_no``, ``out_refund_no``,
  ``amount.refund/total/currency``) → ``status`` PROCESSING / SUCCESS / ABNORMAL / CLOSED;
* every request carries ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid=..,nonce_str=..,
  signature=..,timestamp=..,serial_no=..``, the signature being SHA256withRSA (PKCS#1 v1.5) of
  ``METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`` with the merchant key; every 2xx answer's
  ``Wechatpay-Signature`` over ``TIMESTAMP\nNONCE\nBODY\n`` is verified with the platform public
  key (公钥模式: ``platform_public_key_*``) or the platform certificate named by
  ``Wechatpay-Serial`` (证书模式: ``platform_cert_dir``; an unknown serial fetches
  ``GET /v3/certificates`` — each certificate AEAD_AES_256_GCM-encrypted with the APIv3 key —
  at most once per ``cert_refresh_interval``);
* callbacks: headers ``Wechatpay-Timestamp``/``-Nonce``/``-Signature``/``-Serial``/
  ``-Signature-Type``; the signature is verified as above, then ``resource``
  (``AEAD_AES_256_GCM``: ``ciphertext``, ``nonce``, ``associated_data``) is decrypted with the
  APIv3 key. A timestamp further than ``max_clock_skew`` from now is refused (the docs
  recommend 5 minutes); the timestamp, nonce and notification id stay in
  ``PaymentNotification.raw`` so the orders layer can refuse replays.

Amounts: our Decimal yuan ↔ WeChat's integer fen (``integrations/money.py``). The ``wechatpayv3``
package is not used: it does blocking HTTP with ``requests`` and calls out for every unknown
certificate serial.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlencode

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from integrations.http import ErrorKinds, HttpAdapter
from integrations.money import fen_to_yuan, to_fen
from shop.payments import (
    PaymentIntent,
    PaymentNotification,
    PaymentProviderError,
    PaymentVerificationError,
    RefundResult,
)

log = logging.getLogger(__name__)

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
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


def rsa_sign(key: RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_verify(key: RSAPublicKey, message: str, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), message.encode("utf-8"), padding.PKCS1v15(),
                   hashes.SHA256())  # fmt: skip
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def aead_decrypt(api_v3_key: str, nonce: str, ciphertext: str, associated_data: str) -> bytes:
    """AEAD_AES_256_GCM with the APIv3 key (WeChat Pay's resources and certificates)."""
    return AESGCM(api_v3_key.encode()).decrypt(nonce.encode(), base64.b64decode(ciphertext),
                                               associated_data.encode() if associated_data else None)  # fmt: skip


def _message(headers: Mapping[str, str], text: str) -> str:
    """What a WeChat Pay signature covers: ``TIMESTAMP\nNONCE\nBODY\n``."""
    return f"{headers.get('wechatpay-timestamp', '')}\n{headers.get('wechatpay-nonce', '')}\n{text}\n"


class WeChatPayUnavailable(PaymentProviderError):
    """WeChat Pay did not answer (transport failure, timeout, 429 or 5xx): a GET is retried."""


class WeChatPayProvider:
    """``PaymentProvider`` for WeChat Pay Native (QR code) payments."""

    name = "wechat_pay"

    def __init__(
        self,
        config: WeChatPayConfig,
        *,
        clock: Callable[[], float] = time.time,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
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
        self._merchant_key: RSAPrivateKey | None = None
        self._public_key: RSAPublicKey | None = None  # 公钥模式
        self._certificates: dict[int, x509.Certificate] = {}  # 证书模式: serial → certificate
        self._last_refresh = -math.inf  # when an unknown serial last fetched the certificates
        errors = ErrorKinds(unavailable=WeChatPayUnavailable, rejected=PaymentProviderError,
                            retryable=(WeChatPayUnavailable,))  # fmt: skip
        self._http = HttpAdapter(errors, base_url=config.api_url.rstrip("/"),
                                 timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
                                 retries=2, transport=transport)  # fmt: skip
        self._http.name = "wechatpay"
        self._started = False

    async def start(self) -> None:
        """Read the keys (and the platform certificates) and open the HTTP pool (idempotent)."""
        if self._started:
            return
        cfg = self._config
        try:
            private_pem = Path(cfg.private_key_path).read_bytes()
            public_pem = Path(cfg.platform_public_key_path).read_bytes() if cfg.platform_public_key_path else None
        except OSError as exc:
            raise PaymentProviderError("wechatpay: cannot read the key files") from exc
        try:
            key = serialization.load_pem_private_key(private_pem, password=None)
            public = serialization.load_pem_public_key(public_pem) if public_pem else None
        except (ValueError, TypeError) as exc:
            raise PaymentProviderError(f"wechatpay: unreadable key: {exc}") from exc
        if not isinstance(key, RSAPrivateKey) or (public is not None and not isinstance(public, RSAPublicKey)):
            raise PaymentProviderError("wechatpay: the keys must be RSA keys")
        self._merchant_key, self._public_key = key, public
        if cfg.platform_cert_dir:
            self._certificates = self._load_cert_dir(Path(cfg.platform_cert_dir))
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

    @staticmethod
    def _load_cert_dir(directory: Path) -> dict[int, x509.Certificate]:
        """The currently valid platform certificates of the directory; at least one is needed."""
        now = datetime.now(UTC)
        found: dict[int, x509.Certificate] = {}
        for pem in directory.glob("*.pem"):
            try:
                cert = x509.load_pem_x509_certificate(pem.read_bytes())
            except ValueError:
                continue
            if cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
                found[cert.serial_number] = cert
        if not found:
            raise PaymentProviderError(f"wechatpay: no valid platform certificate in {directory}")
        return found

    # -- PaymentProvider -----------------------------------------------------------------

    async def create_payment(
        self, payment_id: str, amount: Decimal, description: str, *, method: str | None = None
    ) -> PaymentIntent:
        """A Native payment: the shopper scans ``code_url`` as a QR code in WeChat."""
        fen = to_fen(amount)
        cfg = self._config
        body = {"appid": cfg.appid, "mchid": cfg.mchid, "description": description[:127] or payment_id,
                "out_trade_no": payment_id, "notify_url": cfg.notify_url,
                "amount": {"total": fen, "currency": "CNY"}}  # fmt: skip
        data = await self._call("native order", "POST", "/v3/pay/transactions/native", body)
        if not data or not data.get("code_url"):
            raise PaymentProviderError("wechatpay: native order answered without code_url")
        return PaymentIntent(payment_id=payment_id, provider=self.name, code_url=str(data["code_url"]))

    async def verify_callback(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification:
        """Verify the signature and clock skew, decrypt ``resource``, and decode the payment."""
        lower = {k.lower(): v for k, v in headers.items()}
        try:
            timestamp = int(lower.get("wechatpay-timestamp", ""))
        except ValueError as exc:
            raise PaymentVerificationError("wechatpay callback without a valid Wechatpay-Timestamp") from exc
        if abs(self._clock() - timestamp) > self._config.max_clock_skew:
            raise PaymentVerificationError("wechatpay callback timestamp is outside the allowed clock skew")
        if lower.get("wechatpay-signature-type") != SIGNATURE_TYPE:
            raise PaymentVerificationError("wechatpay callback with an unsupported signature type")
        await self.start()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PaymentVerificationError("wechatpay callback is not UTF-8") from exc
        key = await self._platform_key(lower.get("wechatpay-serial", ""))
        if not rsa_verify(key, _message(lower, text), lower.get("wechatpay-signature", "")):
            raise PaymentVerificationError("wechatpay callback signature does not verify")
        try:
            result = json.loads(text)
            encrypted = result["resource"]
            plain = aead_decrypt(self._config.api_v3_key, encrypted["nonce"], encrypted["ciphertext"],
                                 encrypted.get("associated_data", ""))  # fmt: skip
            resource = json.loads(plain)
        except (ValueError, KeyError, TypeError, InvalidTag, binascii.Error) as exc:
            raise PaymentVerificationError(f"wechatpay callback resource does not decrypt: {exc!r}") from exc
        if not isinstance(resource, dict):
            raise PaymentVerificationError("wechatpay callback resource is not an object")
        if resource.get("mchid") != self._config.mchid:
            raise PaymentVerificationError("wechatpay callback is for another merchant")
        raw = {
            "id": result.get("id"),
            "event_type": result.get("event_type"),
            "create_time": result.get("create_time"),
            "summary": result.get("summary"),
            "timestamp": lower.get("wechatpay-timestamp", ""),
            "nonce": lower.get("wechatpay-nonce", ""),
            "serial": lower.get("wechatpay-serial", ""),
            "resource": resource,
        }
        try:
            return self._notification(resource, raw)
        except PaymentProviderError as exc:
            raise PaymentVerificationError(str(exc)) from exc

    async def query(self, payment_id: str) -> PaymentNotification | None:
        """The order's current state; None when WeChat Pay does not know it."""
        path = f"/v3/pay/transactions/out-trade-no/{payment_id}?" + urlencode({"mchid": self._config.mchid})
        data = await self._call("query", "GET", path, None, not_found_ok=True)
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
        body: dict[str, Any] = {"out_refund_no": refund_id, "out_trade_no": payment_id,
                                "amount": {"refund": refund_fen, "total": total_fen, "currency": "CNY"}}  # fmt: skip
        if reason:
            body["reason"] = reason
        data = await self._call("refund", "POST", "/v3/refund/domestic/refunds", body)
        status = _REFUND_STATUS.get(str((data or {}).get("status")), "processing")
        return RefundResult(refund_id=refund_id, payment_id=payment_id, amount=amount, status=status)

    # -- protocol ------------------------------------------------------------------------

    def _headers(self, method: str, path: str, body: str) -> dict[str, str]:
        """The signed request headers (``Authorization: WECHATPAY2-SHA256-RSA2048 ...``)."""
        assert self._merchant_key is not None, "start() first"
        timestamp, nonce = str(int(self._clock())), secrets.token_hex(16).upper()
        signature = rsa_sign(self._merchant_key, f"{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n")
        authorization = (f'{SIGNATURE_TYPE} mchid="{self._config.mchid}",nonce_str="{nonce}",'
                         f'signature="{signature}",timestamp="{timestamp}",serial_no="{self._config.cert_serial_no}"')  # fmt: skip
        return {"Authorization": authorization, "Accept": "application/json",
                "Content-Type": "application/json", "User-Agent": "shopbot"}  # fmt: skip

    async def _call(
        self, what: str, method: str, path: str, payload: dict[str, Any] | None, *, not_found_ok: bool = False
    ) -> dict[str, Any] | None:
        """One signed API call (a GET is retried); its 2xx answer verified; vendor errors mapped."""
        await self.start()
        body = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
        response = await self._http.exchange(
            method, path, lambda r: r, idempotent=method == "GET", raise_rejected=False,
            headers=self._headers(method, path, body), content=body.encode() if body else None)  # fmt: skip
        text = response.text
        try:
            data = json.loads(text) if text else {}
        except json.JSONDecodeError as exc:
            raise PaymentProviderError(f"wechatpay: {what} answered non-JSON (HTTP {response.status_code})") from exc
        if not isinstance(data, dict):
            data = {}
        if 200 <= response.status_code < 300:
            try:
                key = await self._platform_key(response.headers.get("wechatpay-serial", ""))
            except PaymentVerificationError as exc:
                raise PaymentProviderError(f"wechatpay: {what} failed: the answer's signature: {exc}") from exc
            if not rsa_verify(key, _message(response.headers, text), response.headers.get("wechatpay-signature", "")):
                raise PaymentProviderError(f"wechatpay: {what} failed: the answer's signature does not verify")
            return data
        if not_found_ok and response.status_code == 404 and data.get("code") == "ORDER_NOT_EXIST":
            return None
        raise PaymentProviderError(
            f"wechatpay: {what} failed: HTTP {response.status_code} {data.get('code')} {data.get('message')}"
        )

    async def _platform_key(self, serial: str) -> RSAPublicKey:
        """The platform key a message names by ``Wechatpay-Serial``, without calling out each time.

        公钥模式: the serial must be our public key id. 证书模式: a certificate we hold; an unknown
        serial may fetch ``/v3/certificates`` once per ``cert_refresh_interval`` (a rotated
        certificate is picked up), else it is refused without a call — forged callbacks naming
        random serials cannot make the server call out per request.
        """
        cfg = self._config
        if cfg.platform_public_key_id:
            if serial != cfg.platform_public_key_id or self._public_key is None:
                raise PaymentVerificationError("wechatpay callback names an unknown platform key")
            return self._public_key
        try:
            number = int(serial, 16)
        except ValueError as exc:
            raise PaymentVerificationError("wechatpay callback without a valid Wechatpay-Serial") from exc
        if number not in self._certificates:
            now = self._clock()
            if now - self._last_refresh < cfg.cert_refresh_interval:
                raise PaymentVerificationError(
                    "wechatpay callback names an unknown platform certificate (certificates refreshed recently)"
                )
            self._last_refresh = now
            await self._refresh_certificates()
        cert = self._certificates.get(number)
        if cert is None:
            raise PaymentVerificationError("wechatpay callback names an unknown platform certificate")
        key = cert.public_key()
        if not isinstance(key, RSAPublicKey):
            raise PaymentVerificationError("wechatpay platform certificate without an RSA key")
        return key

    async def _refresh_certificates(self) -> None:
        """Fetch and decrypt the platform certificates; the answer must verify with one of them."""
        path = "/v3/certificates"
        try:
            response = await self._http.exchange("GET", path, lambda r: r, idempotent=True,
                                                 headers=self._headers("GET", path, ""))  # fmt: skip
            items = json.loads(response.text).get("data") or []
        except (PaymentProviderError, ValueError, AttributeError) as exc:
            log.warning("wechatpay: platform certificates could not be fetched: %s", exc)
            return
        now = datetime.now(UTC)
        fresh: dict[int, x509.Certificate] = {}
        for item in items if isinstance(items, list) else []:
            enc = (item or {}).get("encrypt_certificate") or {}
            try:
                pem = aead_decrypt(self._config.api_v3_key, enc["nonce"], enc["ciphertext"],
                                   enc.get("associated_data", ""))  # fmt: skip
                cert = x509.load_pem_x509_certificate(pem)
            except (KeyError, TypeError, AttributeError, ValueError, InvalidTag, binascii.Error):
                continue
            if cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
                fresh[cert.serial_number] = cert
        try:
            signer = fresh.get(int(response.headers.get("wechatpay-serial", ""), 16))
        except ValueError:
            signer = None
        key = signer.public_key() if signer is not None else None
        if not isinstance(key, RSAPublicKey) or not rsa_verify(
            key, _message(response.headers, response.text), response.headers.get("wechatpay-signature", "")
        ):
            log.warning("wechatpay: the platform certificates answer does not verify; the old ones stay")
            return
        self._certificates.update(fresh)

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


__all__ = ["WeChatPayConfig", "WeChatPayProvider", "from_fen", "to_fen"]
