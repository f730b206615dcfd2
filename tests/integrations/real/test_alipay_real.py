"""Alipay adapter against a local openapi gateway that signs and verifies RSA2 like Alipay does.

Keys are generated here (RSA 2048) and written to the test's tmp dir; nothing is committed.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi import FastAPI, Request
from fastapi.responses import Response

from integrations.payments.alipay import AlipayConfig, AlipayProvider
from shop.payments import PaymentProviderError, PaymentVerificationError

APP_ID = "2021000000000001"
GATEWAY = "http://alipay.local/gateway.do"
BEIJING = timezone(timedelta(hours=8))


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def keys() -> dict[str, rsa.RSAPrivateKey]:
    return {"app": new_key(), "alipay": new_key(), "intruder": new_key()}


def sign(key: rsa.RSAPrivateKey, content: str, algorithm=None) -> str:
    raw = key.sign(content.encode(), padding.PKCS1v15(), algorithm or hashes.SHA256())
    return base64.b64encode(raw).decode()


def verified(key: rsa.RSAPrivateKey, content: str, signature: str) -> bool:
    try:
        key.public_key().verify(
            base64.b64decode(signature), content.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def request_content(params: dict[str, str]) -> str:
    """What Alipay verifies a request against: all parameters but ``sign``, sorted, k=v joined by &."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] != "")


class FakeAlipay:
    """The openapi gateway: checks the app's RSA2 signature, answers signed JSON."""

    def __init__(self, keys, *, answer_key: str = "alipay") -> None:
        self.keys, self.answer_key = keys, answer_key
        self.calls: list[dict[str, str]] = []
        self.trades: dict[str, dict[str, str]] = {}
        self.app = FastAPI()
        self.app.post("/gateway.do")(self.gateway)

    def answer(self, method: str, node: dict) -> Response:
        node_text = json.dumps(node, ensure_ascii=False)
        name = method.replace(".", "_") + "_response"
        body = f'{{"{name}":{node_text},"sign":"{sign(self.keys[self.answer_key], node_text)}"}}'
        return Response(body, media_type="application/json;charset=utf-8")

    async def gateway(self, request: Request) -> Response:
        params = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        self.calls.append(params)
        method = params.get("method", "")
        sent = datetime.strptime(params.get("timestamp", "1970-01-01 00:00:00"), "%Y-%m-%d %H:%M:%S")
        if abs(sent.replace(tzinfo=BEIJING) - datetime.now(BEIJING)) > timedelta(minutes=10):
            return self.answer(method, {"code": "40002", "msg": "Invalid Arguments",
                                        "sub_code": "isv.invalid-timestamp", "sub_msg": "非法的时间戳参数"})  # fmt: skip
        if (
            params.get("app_id") != APP_ID
            or params.get("sign_type") != "RSA2"
            or not verified(self.keys["app"], request_content(params), params.get("sign", ""))
        ):
            return self.answer(method, {"code": "40002", "msg": "Invalid Arguments",
                                        "sub_code": "isv.invalid-signature", "sub_msg": "验签出错"})  # fmt: skip
        biz = json.loads(params["biz_content"])
        if method == "alipay.trade.precreate":
            self.trades[biz["out_trade_no"]] = {
                "total_amount": biz["total_amount"],
                "trade_status": "WAIT_BUYER_PAY",
            }
            return self.answer(method, {"code": "10000", "msg": "Success", "out_trade_no": biz["out_trade_no"],
                                        "qr_code": "https://qr.alipay.com/bax03431ljhokirwl38f00a7"})  # fmt: skip
        if method == "alipay.trade.query":
            trade = self.trades.get(biz["out_trade_no"])
            if trade is None:
                return self.answer(method, {"code": "40004", "msg": "Business Failed",
                                            "sub_code": "ACQ.TRADE_NOT_EXIST", "sub_msg": "交易不存在"})  # fmt: skip
            return self.answer(method, {"code": "10000", "msg": "Success", "trade_no": "2026112322001400001",
                                        "out_trade_no": biz["out_trade_no"], "send_pay_date": "2026-11-23 12:00:01",
                                        "buyer_logon_id": "159****5620", **trade})  # fmt: skip
        if method == "alipay.trade.refund":
            return self.answer(method, {"code": "10000", "msg": "Success", "trade_no": "2026112322001400001",
                                        "out_trade_no": biz["out_trade_no"], "fund_change": "Y",
                                        "refund_fee": biz["refund_amount"]})  # fmt: skip
        return self.answer(
            method, {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.INVALID_METHOD"}
        )


def write_keys(tmp_path, app_key, alipay_key) -> tuple[str, str]:
    private = tmp_path / "app_private_key.pem"
    private.write_bytes(app_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))  # fmt: skip
    der = alipay_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public = tmp_path / "alipay_public_key.txt"
    public.write_text(base64.b64encode(der).decode())  # Alipay hands the key out as bare base64
    return str(private), str(public)


def provider(
    tmp_path, keys, fake: FakeAlipay, *, app_key: str = "app", alipay_key: str = "alipay"
) -> AlipayProvider:
    private, public = write_keys(tmp_path, keys[app_key], keys[alipay_key])
    config = AlipayConfig(APP_ID, private, public, gateway_url=GATEWAY, notify_url="https://shop.example/pay/alipay",
                          return_url="https://shop.example/paid")  # fmt: skip
    return AlipayProvider(config, transport=httpx.ASGITransport(app=fake.app))


def now_beijing(ago: timedelta = timedelta(0)) -> str:
    return (datetime.now(BEIJING) - ago).strftime("%Y-%m-%d %H:%M:%S")


def notify(
    keys, *, key: str = "alipay", algorithm=None, signed: dict | None = None, **overrides: str
) -> bytes:
    form = {
        "gmt_create": "2026-11-23 12:00:00", "charset": "utf-8", "gmt_payment": "2026-11-23 12:00:01",
        "notify_time": now_beijing(), "subject": "iPhone 15", "buyer_id": "2088102122524333",
        "invoice_amount": "5799.00", "version": "1.0", "notify_id": "2026112300222120001000001",
        "fund_bill_list": '[{"amount":"5799.00","fundChannel":"ALIPAYACCOUNT"}]', "notify_type": "trade_status_sync",
        "out_trade_no": "pay-1", "total_amount": "5799.00", "trade_status": "TRADE_SUCCESS",
        "trade_no": "2026112322001400001", "auth_app_id": APP_ID, "receipt_amount": "5799.00",
        "point_amount": "0.00", "app_id": APP_ID, "buyer_pay_amount": "5799.00", "seller_id": "2088102119685838",
        "passback_params": "",
    }  # fmt: skip
    form.update(signed or {})
    content = "&".join(f"{k}={form[k]}" for k in sorted(form) if form[k] != "")
    form["sign"] = sign(keys[key], content, algorithm)
    form["sign_type"] = "RSA2"
    form.update(overrides)
    return urlencode(form).encode()


async def test_precreate_returns_qr_code_with_a_signed_request(tmp_path, keys):
    fake = FakeAlipay(keys)
    async with provider(tmp_path, keys, fake) as alipay:
        intent = await alipay.create_payment("pay-1", Decimal("5799.8"), "iPhone 15")
    assert intent.code_url == "https://qr.alipay.com/bax03431ljhokirwl38f00a7" and intent.provider == "alipay"
    call = fake.calls[0]
    assert (
        call["method"] == "alipay.trade.precreate" and call["notify_url"] == "https://shop.example/pay/alipay"
    )
    assert json.loads(call["biz_content"])["total_amount"] == "5799.80"


async def test_page_pay_url_is_signed_for_the_gateway(tmp_path, keys):
    async with provider(tmp_path, keys, FakeAlipay(keys)) as alipay:
        intent = await alipay.create_payment("pay-2", Decimal(10), "手机壳", method="page")
    assert intent.pay_url is not None and intent.pay_url.startswith(GATEWAY + "?")
    params = dict(parse_qsl(urlsplit(intent.pay_url).query))
    assert params["method"] == "alipay.trade.page.pay" and params["return_url"] == "https://shop.example/paid"
    assert verified(keys["app"], request_content(params), params["sign"])
    assert json.loads(params["biz_content"])["product_code"] == "FAST_INSTANT_TRADE_PAY"


async def test_wrong_app_key_is_rejected_by_the_gateway(tmp_path, keys):
    async with provider(tmp_path, keys, FakeAlipay(keys), app_key="intruder") as alipay:
        with pytest.raises(PaymentProviderError, match="isv.invalid-signature"):
            await alipay.create_payment("pay-3", Decimal("1.00"), "x")


async def test_answer_not_signed_by_alipay_is_refused(tmp_path, keys):
    async with provider(tmp_path, keys, FakeAlipay(keys, answer_key="intruder")) as alipay:
        with pytest.raises(PaymentProviderError, match="signature"):
            await alipay.create_payment("pay-4", Decimal("1.00"), "x")


async def test_query_and_refund(tmp_path, keys):
    fake = FakeAlipay(keys)
    async with provider(tmp_path, keys, fake) as alipay:
        assert await alipay.query("never-created") is None
        await alipay.create_payment("pay-5", Decimal("99.90"), "耳机")
        waiting = await alipay.query("pay-5")
        fake.trades["pay-5"]["trade_status"] = "TRADE_SUCCESS"
        paid = await alipay.query("pay-5")
        refund = await alipay.refund("pay-5", "refund-1", Decimal("9.90"), Decimal("99.90"), "少发配件")
        with pytest.raises(PaymentProviderError):
            await alipay.refund("pay-5", "refund-2", Decimal(100), Decimal("99.90"))
    assert waiting is not None and not waiting.paid and waiting.paid_at is None
    assert paid is not None and paid.paid and paid.amount == Decimal("99.90") and paid.provider_txn_id
    assert refund.status == "success" and refund.amount == Decimal("9.90")
    assert json.loads(fake.calls[-1]["biz_content"])["out_request_no"] == "refund-1"


async def test_genuine_notify_is_accepted(tmp_path, keys):
    async with provider(tmp_path, keys, FakeAlipay(keys)) as alipay:
        note = await alipay.verify_callback(
            {"content-type": "application/x-www-form-urlencoded"}, notify(keys)
        )
    assert note.payment_id == "pay-1" and note.paid and note.amount == Decimal("5799.00")
    assert note.provider_txn_id == "2026112322001400001" and note.method == "alipay"
    assert note.raw["notify_id"] == "2026112300222120001000001" and note.paid_at is not None


@pytest.mark.parametrize(
    "tamper",
    [
        {"total_amount": "0.01"},  # amount changed after signing
        {"trade_status": "TRADE_SUCCESS", "out_trade_no": "pay-999"},
        {"sign": "bm90IGEgc2lnbmF0dXJl"},
        {"sign": "%%%not-base64"},
        {"sign_type": "RSA"},
    ],
)
async def test_tampered_notify_is_rejected(tmp_path, keys, tamper):
    async with provider(tmp_path, keys, FakeAlipay(keys)) as alipay:
        with pytest.raises(PaymentVerificationError):
            await alipay.verify_callback({}, notify(keys, **tamper))


async def test_forged_or_foreign_notify_is_rejected(tmp_path, keys):
    async with provider(tmp_path, keys, FakeAlipay(keys)) as alipay:
        with pytest.raises(PaymentVerificationError):
            await alipay.verify_callback({}, notify(keys, key="intruder"))
        with pytest.raises(PaymentVerificationError):  # RSA (SHA-1) signature passed off as RSA2
            await alipay.verify_callback({}, notify(keys, algorithm=hashes.SHA1()))
        with pytest.raises(PaymentVerificationError, match="app_id"):  # genuine, but for another merchant app
            await alipay.verify_callback({}, notify(keys, signed={"app_id": "2021000000009999"}))
        with pytest.raises(PaymentVerificationError):
            await alipay.verify_callback({}, b"")


async def test_old_genuine_notify_is_refused_as_a_replay(tmp_path, keys):
    """A correctly signed notify of 30 days ago (replayed) is refused; one of an hour ago (a retry) is not."""
    async with provider(tmp_path, keys, FakeAlipay(keys)) as alipay:
        retried = await alipay.verify_callback({}, notify(keys, signed={"notify_time": now_beijing(timedelta(hours=1))}))
        with pytest.raises(PaymentVerificationError, match="too old"):
            await alipay.verify_callback({}, notify(keys, signed={"notify_time": now_beijing(timedelta(days=30))}))
        with pytest.raises(PaymentVerificationError, match="notify_time"):
            await alipay.verify_callback({}, notify(keys, signed={"notify_time": "yesterday"}))
    assert retried.paid and retried.payment_id == "pay-1"
