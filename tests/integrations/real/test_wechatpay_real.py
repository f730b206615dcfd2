"""WeChat Pay v3 adapter against a local api.mch.weixin.qq.com served by uvicorn on 127.0.0.1.

The adapter does real HTTP with httpx; the server is a real socket (uvicorn on 127.0.0.1). It checks the
merchant's ``WECHATPAY2-SHA256-RSA2048`` Authorization exactly like WeChat Pay and signs every
answer with the platform key. Keys and the self-signed platform certificates are generated here.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID
from fastapi import FastAPI, Request
from fastapi.responses import Response

from integrations.payments.wechatpay import WeChatPayConfig, WeChatPayProvider, to_fen
from shop.payments import PaymentProviderError, PaymentVerificationError

MCHID, APPID, MERCHANT_SERIAL = "1900000109", "wxd678efh567hg6787", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
API_V3_KEY = "a" * 16 + secrets.token_hex(8)  # 32 bytes, AES-256
PUB_KEY_ID = "PUB_KEY_ID_0119000001092025000000000000000001"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def self_signed(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA (test)")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256())
    )  # fmt: skip


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "X")


def rsa_sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def encrypt(plaintext: str, associated_data: str = "transaction") -> dict[str, str]:
    nonce = secrets.token_hex(6)  # 12 characters, as WeChat Pay sends
    ciphertext = AESGCM(API_V3_KEY.encode()).encrypt(
        nonce.encode(), plaintext.encode(), associated_data.encode()
    )
    return {"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(ciphertext).decode(),
            "associated_data": associated_data, "nonce": nonce}  # fmt: skip


class Platform:
    """WeChat Pay's side: platform keys/certs, the trades it knows, and what it received."""

    def __init__(self) -> None:
        self.merchant_key = rsa_key()
        self.key = rsa_key()
        self.cert = self_signed(self.key)
        self.rotated_key = rsa_key()
        self.rotated_cert = self_signed(self.rotated_key)
        self.public_key_mode = False
        self.forge_answers = False
        self.trades: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict]] = []

    def answer(self, status: int, payload: dict) -> Response:
        body = json.dumps(payload, ensure_ascii=False)
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        key = rsa_key() if self.forge_answers else self.key
        headers = {
            "Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": rsa_sign(key, f"{timestamp}\n{nonce}\n{body}\n"),
            "Wechatpay-Serial": PUB_KEY_ID if self.public_key_mode else serial_hex(self.cert),
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048", "Request-ID": secrets.token_hex(8),
        }  # fmt: skip
        return Response(body, status_code=status, media_type="application/json", headers=headers)

    def authorized(self, request: Request, body: str) -> bool:
        header = request.headers.get("authorization", "")
        match = re.fullmatch(r"WECHATPAY2-SHA256-RSA2048 (.*)", header)
        if not match:
            return False
        fields = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        if fields.get("mchid") != MCHID or fields.get("serial_no") != MERCHANT_SERIAL:
            return False
        if abs(time.time() - int(fields.get("timestamp", "0"))) > 300:
            return False
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        message = f"{request.method}\n{path}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body}\n"
        try:
            self.merchant_key.public_key().verify(base64.b64decode(fields["signature"]), message.encode(),
                                                  padding.PKCS1v15(), hashes.SHA256())  # fmt: skip
        except (InvalidSignature, ValueError):
            return False
        return True

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.api_route("/v3/{rest:path}", methods=["GET", "POST"])
        async def v3(rest: str, request: Request):
            body = (await request.body()).decode()
            if not self.authorized(request, body):
                return self.answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
            data = json.loads(body) if body else {}
            self.requests.append((request.method, "/v3/" + rest, data))
            if rest == "certificates":
                items = [
                    {"serial_no": serial_hex(c), "effective_time": "2026-01-01T00:00:00+08:00",
                     "expire_time": "2036-01-01T00:00:00+08:00",
                     "encrypt_certificate": encrypt(c.public_bytes(serialization.Encoding.PEM).decode(), "certificate")}
                    for c in (self.cert, self.rotated_cert)
                ]  # fmt: skip
                return self.answer(200, {"data": items})
            if rest == "pay/transactions/native":
                if data.get("mchid") != MCHID or data.get("appid") != APPID or not data.get("notify_url"):
                    return self.answer(400, {"code": "PARAM_ERROR", "message": "参数错误"})
                self.trades[data["out_trade_no"]] = {"total": data["amount"]["total"], "state": "NOTPAY"}
                return self.answer(
                    200, {"code_url": "weixin://wxpay/bizpayurl?pr=" + secrets.token_urlsafe(6)}
                )
            if rest.startswith("pay/transactions/out-trade-no/"):
                out_trade_no = rest.rsplit("/", 1)[1]
                trade = self.trades.get(out_trade_no)
                if trade is None or request.query_params.get("mchid") != MCHID:
                    return self.answer(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
                return self.answer(200, transaction(out_trade_no, trade["total"], trade["state"]))
            if rest == "refund/domestic/refunds":
                trade = self.trades.get(data.get("out_trade_no", ""))
                if trade is None or data["amount"]["total"] != trade["total"]:
                    return self.answer(
                        400, {"code": "INVALID_REQUEST", "message": "订单金额或退款金额与之前请求不一致"}
                    )
                return self.answer(200, {"refund_id": "50000000382019052709732678859", "status": "PROCESSING",
                                         "out_refund_no": data["out_refund_no"], "out_trade_no": data["out_trade_no"],
                                         "amount": {**data["amount"], "payer_total": trade["total"]}})  # fmt: skip
            return self.answer(404, {"code": "NOT_FOUND", "message": "no such API"})

        return app

    def callback(
        self,
        resource: dict,
        *,
        key=None,
        serial=None,
        timestamp=None,
        tamper=None,
        tamper_before_signing=None,
    ) -> tuple[dict, bytes]:
        """A payment notification exactly as WeChat Pay POSTs it to notify_url."""
        body = json.dumps({
            "id": "EV-2018022511223320873", "create_time": "2015-05-20T13:29:35+08:00",
            "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
            "resource": {"original_type": "transaction", **encrypt(json.dumps(resource))},
        })  # fmt: skip
        if tamper_before_signing:
            body = tamper_before_signing(body)
        ts, nonce = str(timestamp if timestamp is not None else int(time.time())), secrets.token_hex(16)
        headers = {
            "Wechatpay-Timestamp": ts, "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": rsa_sign(key or self.key, f"{ts}\n{nonce}\n{body}\n"),
            "Wechatpay-Serial": serial or (PUB_KEY_ID if self.public_key_mode else serial_hex(self.cert)),
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }  # fmt: skip
        if tamper:
            body = tamper(body)
        return {k.lower(): v for k, v in headers.items()}, body.encode()  # as Starlette hands them over


def transaction(out_trade_no: str, total: int, state: str = "SUCCESS", mchid: str = MCHID) -> dict:
    return {
        "appid": APPID, "mchid": mchid, "out_trade_no": out_trade_no, "transaction_id": "4200000000202611230000000001",
        "trade_type": "NATIVE", "trade_state": state, "trade_state_desc": "支付成功", "bank_type": "OTHERS",
        "attach": "", "success_time": "2026-11-23T12:00:01+08:00", "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY"},
    }  # fmt: skip


@pytest.fixture(scope="module")
def platform() -> Platform:
    return Platform()


@pytest.fixture(scope="module")
def base_url(platform, local_server):
    with local_server(platform.app()) as url:
        yield url


@pytest.fixture
def files(tmp_path, platform):
    platform.public_key_mode = False
    platform.forge_answers = False
    key = tmp_path / "apiclient_key.pem"
    key.write_bytes(platform.merchant_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))  # fmt: skip
    certs = tmp_path / "platform_certs"
    certs.mkdir()
    (certs / f"{serial_hex(platform.cert)}.pem").write_bytes(
        platform.cert.public_bytes(serialization.Encoding.PEM)
    )
    public = tmp_path / "pub_key.pem"
    public.write_bytes(platform.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))  # fmt: skip
    return {"key": str(key), "certs": str(certs), "public": str(public)}


def provider(
    base_url, files, *, public_key_mode=False, clock=time.time, serial=MERCHANT_SERIAL, key_path=None
):
    extra = (
        {"platform_public_key_path": files["public"], "platform_public_key_id": PUB_KEY_ID}
        if public_key_mode else {"platform_cert_dir": files["certs"]}
    )  # fmt: skip
    config = WeChatPayConfig(MCHID, APPID, API_V3_KEY, serial, key_path or files["key"],
                             "https://shop.example/pay/wechat", api_url=base_url, **extra)  # fmt: skip
    return WeChatPayProvider(config, clock=clock)


async def test_native_payment_query_and_refund(base_url, files, platform):
    async with provider(base_url, files) as wechat:
        intent = await wechat.create_payment("wx-pay-1", Decimal("5799.80"), "iPhone 15 128GB")
        waiting = await wechat.query("wx-pay-1")
        platform.trades["wx-pay-1"]["state"] = "SUCCESS"
        paid = await wechat.query("wx-pay-1")
        unknown = await wechat.query("never-created")
        refund = await wechat.refund("wx-pay-1", "rf-1", Decimal("100.00"), Decimal("5799.80"), "少发配件")
    assert intent.code_url and intent.code_url.startswith("weixin://wxpay/bizpayurl")
    method, path, sent = platform.requests[-5]
    assert (method, path) == ("POST", "/v3/pay/transactions/native")
    assert (
        sent["amount"] == {"total": 579980, "currency": "CNY"}
        and sent["notify_url"] == "https://shop.example/pay/wechat"
    )
    assert waiting is not None and not waiting.paid
    assert paid is not None and paid.paid and paid.amount == Decimal("5799.80") and paid.paid_at is not None
    assert unknown is None
    assert refund.status == "processing" and refund.amount == Decimal("100.00")
    assert platform.requests[-1][2]["amount"] == {"refund": 10000, "total": 579980, "currency": "CNY"}


async def test_wrong_merchant_key_is_rejected_by_the_platform(base_url, files, tmp_path):
    other = tmp_path / "other_key.pem"
    other.write_bytes(rsa_key().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))  # fmt: skip
    async with provider(base_url, files, key_path=str(other)) as wechat:
        with pytest.raises(PaymentProviderError, match="SIGN_ERROR"):
            await wechat.create_payment("wx-pay-2", Decimal("1.00"), "x")


async def test_answers_not_signed_by_the_platform_are_refused(base_url, files, platform):
    platform.forge_answers = True
    async with provider(base_url, files) as wechat:
        with pytest.raises(PaymentProviderError, match="signature"):
            await wechat.create_payment("wx-pay-3", Decimal("1.00"), "x")


async def test_refund_errors_are_mapped(base_url, files):
    async with provider(base_url, files) as wechat:
        await wechat.create_payment("wx-pay-4", Decimal("10.00"), "x")
        with pytest.raises(PaymentProviderError, match="INVALID_REQUEST"):
            await wechat.refund("wx-pay-4", "rf-2", Decimal("1.00"), Decimal("9.00"))
        with pytest.raises(PaymentProviderError):
            await wechat.refund("wx-pay-4", "rf-3", Decimal("11.00"), Decimal("10.00"))


async def test_genuine_callback_is_verified_and_decrypted(base_url, files, platform):
    headers, body = platform.callback(transaction("wx-pay-9", 12345))
    async with provider(base_url, files) as wechat:
        note = await wechat.verify_callback(headers, body)
    assert note.payment_id == "wx-pay-9" and note.paid and note.amount == Decimal("123.45")
    assert note.provider_txn_id == "4200000000202611230000000001" and note.method == "wechat_pay"
    assert (
        note.raw["nonce"] == headers["wechatpay-nonce"]
        and note.raw["timestamp"] == headers["wechatpay-timestamp"]
    )
    assert note.raw["id"] == "EV-2018022511223320873"


async def test_callback_from_a_rotated_platform_certificate_is_fetched_and_verified(
    base_url, files, platform
):
    headers, body = platform.callback(
        transaction("wx-pay-10", 100), key=platform.rotated_key, serial=serial_hex(platform.rotated_cert)
    )
    async with provider(base_url, files) as wechat:
        note = await wechat.verify_callback(headers, body)
    assert note.amount == Decimal("1.00")
    assert ("GET", "/v3/certificates", {}) in platform.requests


async def test_public_key_mode(base_url, files, platform):
    platform.public_key_mode = True
    headers, body = platform.callback(transaction("wx-pay-11", 1))
    async with provider(base_url, files, public_key_mode=True) as wechat:
        intent = await wechat.create_payment("wx-pay-11", Decimal("0.01"), "测试")
        note = await wechat.verify_callback(headers, body)
    assert intent.code_url and note.amount == Decimal("0.01")


def tamper_amount(body: str) -> str:
    data = json.loads(body)
    data["resource"]["ciphertext"] = data["resource"]["ciphertext"][:-4] + "AAAA"
    return json.dumps(data)


@pytest.mark.parametrize(
    "variant",
    [
        "forged_key",
        "tampered_body",
        "tampered_ciphertext",
        "signed_but_undecryptable",
        "stale_timestamp",
        "unknown_serial",
        "other_merchant",
    ],
)
async def test_forged_or_tampered_callbacks_are_rejected(base_url, files, platform, variant):
    resource = transaction("wx-pay-12", 100, mchid="1900000999" if variant == "other_merchant" else MCHID)
    options = {
        "forged_key": {"key": rsa_key()},
        "tampered_body": {"tamper": lambda b: b.replace('"EV-2018', '"EV-2019')},
        "tampered_ciphertext": {"tamper": tamper_amount},
        "signed_but_undecryptable": {"tamper_before_signing": tamper_amount},
        "stale_timestamp": {"timestamp": int(time.time()) - 3600},
        "unknown_serial": {"serial": "ABCDEF0123456789"},
        "other_merchant": {},
    }[variant]
    headers, body = platform.callback(resource, **options)
    async with provider(base_url, files) as wechat:
        with pytest.raises(PaymentVerificationError):
            await wechat.verify_callback(headers, body)


async def test_missing_headers_are_rejected(base_url, files):
    async with provider(base_url, files) as wechat:
        with pytest.raises(PaymentVerificationError):
            await wechat.verify_callback({}, b"{}")


def test_amount_conversion_refuses_sub_fen():
    assert to_fen(Decimal("12.30")) == 1230
    with pytest.raises(ValueError):
        to_fen(Decimal("0.001"))


async def test_forged_callbacks_with_unknown_serials_do_not_call_out_each_time(base_url, files, platform):
    """Unknown certificate serials fetch /v3/certificates at most once per refresh interval."""
    now = [time.time()]
    refreshes = [0]  # certificate refreshes the provider started (a slow answer's HTTP retry is one refresh)
    async with provider(base_url, files, clock=lambda: now[0]) as wechat:
        refresh = wechat._refresh_certificates

        async def counted() -> None:
            refreshes[0] += 1
            await refresh()

        wechat._refresh_certificates = counted
        fetched = lambda: refreshes[0]
        before = fetched()
        for i in range(6):
            headers, body = platform.callback(transaction("wx-pay-13", 100), key=rsa_key(),
                                              serial=f"ABCDEF01234567{i:02X}", timestamp=int(now[0]))  # fmt: skip
            with pytest.raises(PaymentVerificationError):
                await wechat.verify_callback(headers, body)
        assert fetched() - before == 1  # the first one may be a rotation: one refresh, then no more calls
        now[0] += 301  # a few minutes later an unknown serial may refresh again (once)
        for _ in range(3):
            headers, body = platform.callback(transaction("wx-pay-13", 100), key=rsa_key(),
                                              serial="ABCDEF0123456799", timestamp=int(now[0]))  # fmt: skip
            with pytest.raises(PaymentVerificationError):
                await wechat.verify_callback(headers, body)
        assert fetched() - before == 2
        headers, body = platform.callback(transaction("wx-pay-13", 100), timestamp=int(now[0]))
        assert (await wechat.verify_callback(headers, body)).amount == Decimal("1.00")  # known serials still pass
    assert fetched() - before == 2


async def test_public_key_mode_refuses_other_serials_without_calling_out(base_url, files, platform):
    platform.public_key_mode = True
    before = sum(1 for _, path, _ in platform.requests if path == "/v3/certificates")
    async with provider(base_url, files, public_key_mode=True) as wechat:
        for serial in ("ABCDEF0123456789", "PUB_KEY_ID_OTHER", "not hex"):
            headers, body = platform.callback(transaction("wx-pay-14", 1), serial=serial)
            with pytest.raises(PaymentVerificationError):
                await wechat.verify_callback(headers, body)
    assert sum(1 for _, path, _ in platform.requests if path == "/v3/certificates") == before
