"""Adapters to real outside systems, built from settings; each is on only when its keys are set."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.settings import Settings
from integrations.carriers.kuaidi100 import Kuaidi100Carrier, Kuaidi100Config
from integrations.marketplaces.jd_union import JdUnionConfig, JdUnionConnector
from integrations.marketplaces.pdd_ddk import PddDdkConfig, PddDdkConnector
from integrations.marketplaces.taobao_tbk import TaobaoTbkConfig, TaobaoTbkConnector
from integrations.payments.alipay import AlipayConfig, AlipayProvider
from integrations.payments.wechatpay import WeChatPayConfig, WeChatPayProvider


@dataclass
class RealAdapters:
    """The real adapters; payment providers are keyed by their `name`, the name payments are stored with."""

    marketplaces: dict[str, Any] = field(default_factory=dict)
    payments: dict[str, Any] = field(default_factory=dict)
    carrier: Kuaidi100Carrier | None = None

    def all(self) -> list[Any]:
        out: list[Any] = [*self.marketplaces.values(), *self.payments.values()]
        return out + ([self.carrier] if self.carrier else [])

    async def start(self) -> None:
        for adapter in self.all():
            await adapter.start()

    async def stop(self) -> None:
        for adapter in self.all():
            await adapter.aclose()


def build_real_adapters(s: Settings) -> RealAdapters:
    real = RealAdapters()
    if s.jd_union_app_key and s.jd_union_app_secret:
        real.marketplaces["jd"] = JdUnionConnector(JdUnionConfig(s.jd_union_app_key, s.jd_union_app_secret,
                                                                 api_url=s.jd_union_api_url))
    if s.taobao_app_key and s.taobao_app_secret:
        real.marketplaces["taobao"] = TaobaoTbkConnector(TaobaoTbkConfig(
            s.taobao_app_key, s.taobao_app_secret, s.taobao_adzone_id, api_url=s.taobao_api_url,
            sign_method=s.taobao_sign_method))
    if s.pdd_client_id and s.pdd_client_secret:
        real.marketplaces["pdd"] = PddDdkConnector(PddDdkConfig(s.pdd_client_id, s.pdd_client_secret, s.pdd_pid,
                                                                api_url=s.pdd_api_url))
    if s.wechatpay_mchid and s.wechatpay_api_v3_key:
        wechat = WeChatPayProvider(WeChatPayConfig(
            s.wechatpay_mchid, s.wechatpay_appid, s.wechatpay_api_v3_key, s.wechatpay_cert_serial_no,
            s.wechatpay_private_key_path, s.wechatpay_notify_url or f"{s.base_url}/payments/{WeChatPayProvider.name}/notify",
            platform_public_key_path=s.wechatpay_public_key_path,
            platform_public_key_id=s.wechatpay_public_key_id, platform_cert_dir=s.wechatpay_platform_cert_dir,
            api_url=s.wechatpay_api_url))
        real.payments[wechat.name] = wechat
    if s.alipay_app_id and s.alipay_app_private_key_path:
        alipay = AlipayProvider(AlipayConfig(
            s.alipay_app_id, s.alipay_app_private_key_path, s.alipay_public_key_path,
            gateway_url=s.alipay_gateway_url, notify_url=s.alipay_notify_url or f"{s.base_url}/payments/alipay/notify",
            return_url=s.alipay_return_url, default_method=s.alipay_method,
            notify_max_age=timedelta(seconds=s.alipay_notify_max_age_seconds)))
        real.payments[alipay.name] = alipay
    if s.carrier == "kuaidi100" and s.kuaidi100_customer:
        real.carrier = Kuaidi100Carrier(Kuaidi100Config(s.kuaidi100_customer, s.kuaidi100_key, s.kuaidi100_salt,
                                                        api_url=s.kuaidi100_api_url))
    return real
