"""Pay → refund → reconcile through the whole orders area, once per payment provider.

The providers are built from settings exactly as `shopbot serve` builds them (`build_real_adapters`)
and talk to the local protocol servers of the adapter tests (WeChat Pay v3, Alipay openapi). The
shopper pays and the provider calls the notify URL it was given; the order is then refunded in
full; a second order is paid while its callback is lost, and the reconcile job recovers it.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Self
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization

from bot.bootstrap import build_real_adapters
from bot.settings import Settings
from shop.orders import OrderStatus
from tests.integrations.real import test_alipay_real as ali
from tests.integrations.real import test_wechatpay_real as wx
from tests.orders_harness import build_app, build_world, client, summary

PROVIDERS = ["sandbox", "alipay", "wechat_pay"]


class Side:
    """One provider's side of the test: settings, and 'the shopper pays' (with or without a callback)."""

    def __init__(self, name: str, tmp_path, local_server) -> None:
        self.name, self.tmp_path, self.local_server = name, tmp_path, local_server
        self.stack: list = []

    def __enter__(self) -> Self:
        if self.name == "alipay":
            keys = {"app": ali.new_key(), "alipay": ali.new_key()}
            self.alipay = ali.FakeAlipay(keys)
            self.keys = keys
            cm = self.local_server(self.alipay.app)
            url = cm.__enter__()
            self.stack.append(cm)
            private, public = ali.write_keys(self.tmp_path, keys["app"], keys["alipay"])
            self.settings = Settings(
                payment_provider="alipay", alipay_app_id=ali.APP_ID, alipay_app_private_key_path=private,
                alipay_public_key_path=public, alipay_gateway_url=f"{url}/gateway.do",
                public_url="http://testserver",
            )  # fmt: skip
        elif self.name == "wechat_pay":
            self.platform = wx.Platform()
            cm = self.local_server(self.platform.app())
            url = cm.__enter__()
            self.stack.append(cm)
            key = self.tmp_path / "apiclient_key.pem"
            key.write_bytes(self.platform.merchant_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))  # fmt: skip
            certs = self.tmp_path / "certs"
            certs.mkdir()
            (certs / f"{wx.serial_hex(self.platform.cert)}.pem").write_bytes(
                self.platform.cert.public_bytes(serialization.Encoding.PEM)
            )
            self.settings = Settings(
                payment_provider="wechat_pay", wechatpay_mchid=wx.MCHID, wechatpay_appid=wx.APPID,
                wechatpay_api_v3_key=wx.API_V3_KEY, wechatpay_cert_serial_no=wx.MERCHANT_SERIAL,
                wechatpay_private_key_path=str(key), wechatpay_platform_cert_dir=str(certs),
                wechatpay_api_url=url, public_url="http://testserver",
            )  # fmt: skip
        else:
            self.settings = Settings(payment_provider="sandbox", public_url="http://testserver")
        return self

    def __exit__(self, *exc) -> None:
        for cm in reversed(self.stack):
            cm.__exit__(None, None, None)

    def pays(self, w, payment_id: str, total: Decimal) -> tuple[dict, bytes] | None:
        """The shopper pays at the provider; returns the callback the provider sends to notify_url."""
        if self.name == "sandbox":
            return w.c.sandbox.pay(payment_id, "wechat_pay")
        if self.name == "alipay":
            self.alipay.trades[payment_id]["trade_status"] = "TRADE_SUCCESS"
            now = datetime.now(ali.BEIJING).strftime("%Y-%m-%d %H:%M:%S")
            body = ali.notify(self.keys, signed={
                "out_trade_no": payment_id, "total_amount": str(total), "invoice_amount": str(total),
                "receipt_amount": str(total), "buyer_pay_amount": str(total),
                "gmt_create": now, "gmt_payment": now, "notify_time": now})  # fmt: skip
            return {"content-type": "application/x-www-form-urlencoded"}, body
        fen = int(total * 100)
        self.platform.trades[payment_id]["state"] = "SUCCESS"
        return self.platform.callback(wx.transaction(payment_id, fen))

    def notify_path(self, w) -> str:
        """Where the provider posts its callbacks (the URL our adapter gave it)."""
        if self.name == "sandbox":
            return "/payments/sandbox/notify"
        if self.name == "alipay":
            return urlsplit(self.alipay.calls[0]["notify_url"]).path
        return urlsplit(self.platform.requests[0][2]["notify_url"]).path

    def refunds(self) -> list[str]:
        if self.name == "alipay":
            return [json.loads(c["biz_content"])["out_request_no"] for c in self.alipay.calls
                    if c["method"] == "alipay.trade.refund"]  # fmt: skip
        if self.name == "wechat_pay":
            return [sent["out_refund_no"] for _, path, sent in self.platform.requests
                    if path == "/v3/refund/domestic/refunds"]  # fmt: skip
        return []


@pytest.mark.parametrize("name", PROVIDERS)
async def test_pay_refund_and_reconcile_a_lost_callback(name, tmp_path, sqlite_url, local_server):
    with Side(name, tmp_path, local_server) as side:
        real = build_real_adapters(side.settings)
        await real.start()  # as the app's lifespan does
        w = await build_world(
            sqlite_url, payment_provider=side.settings.payment_provider, extra_providers=real.payments
        )
        app, scheduler = build_app(w)
        try:
            total = Decimal("5999.00")
            order = await w.orders.create_from_summary(summary("u1"), "k-pay")
            intent = await w.orders.start_payment(order.id)
            headers, body = side.pays(w, intent.payment_id, total)
            async with client(app) as http:
                answer = await http.post(side.notify_path(w), headers=headers, content=body)
            assert answer.status_code == 200, answer.text
            assert (await w.orders.get(order.id)).status is OrderStatus.SUBMITTED

            refunded = await w.orders.refund(
                await w.orders.get(order.id), total, f"refund-{order.id}", "agent:a1", "退货"
            )
            assert refunded.status is OrderStatus.REFUNDED
            if name != "sandbox":
                assert side.refunds() == [f"refund-{order.id}"]

            lost = await w.orders.create_from_summary(summary("u2"), "k-lost")
            lost_intent = await w.orders.start_payment(lost.id)
            side.pays(w, lost_intent.payment_id, total)  # the callback never arrives
            assert (await w.orders.get(lost.id)).status is OrderStatus.CREATED
            await scheduler.run_now("reconcile_payments")
            assert (await w.orders.get(lost.id)).status is OrderStatus.SUBMITTED
        finally:
            await real.stop()
            await w.engine.dispose()


def test_the_old_spelling_of_wechat_pay_means_the_same_provider():
    assert Settings(payment_provider="wechatpay").payment_provider == "wechat_pay"



async def test_a_genuine_alipay_notify_never_pays_a_sandbox_payment(tmp_path, sqlite_url, local_server):
    with Side("alipay", tmp_path, local_server) as side:
        real = build_real_adapters(side.settings)
        await real.start()  # as the app's lifespan does
        w = await build_world(sqlite_url, payment_provider="sandbox", extra_providers=real.payments)
        app, _ = build_app(w)
        try:
            order = await w.orders.create_from_summary(summary("u1"), "k-foreign")
            intent = await w.orders.start_payment(order.id)
            assert intent.provider == "sandbox"
            now = datetime.now(ali.BEIJING).strftime("%Y-%m-%d %H:%M:%S")
            body = ali.notify(side.keys, signed={  # signed by Alipay, naming the sandbox payment
                "out_trade_no": intent.payment_id, "total_amount": "5999.00", "gmt_payment": now,
                "notify_time": now})  # fmt: skip
            async with client(app) as http:
                answer = await http.post("/payments/alipay/notify", content=body,
                                         headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
            assert answer.status_code in (400, 401)
            assert (await w.orders.get(order.id)).status is OrderStatus.CREATED
            await w.orders.reconcile()  # the refused callback is not applied later either
            assert (await w.orders.get(order.id)).status is OrderStatus.CREATED
            again = await w.orders.start_payment(order.id)  # the shopper can still pay
            assert again.payment_id == intent.payment_id
        finally:
            await real.stop()
            await w.engine.dispose()
