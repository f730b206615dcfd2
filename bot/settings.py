"""Every setting of shopbot, read from the environment here and nowhere else.

The README's configuration table lists each one. Unset optional services are off: no
`REDIS_URL` means in-process stores; no `TELEGRAM_TOKEN` means no Telegram channel.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shop.payments import canonical_provider_name

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    # --- platform -------------------------------------------------------------------
    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'shopbot.db'}",
        description="SQLAlchemy URL; PostgreSQL via postgresql+asyncpg://…",
    )
    redis_url: str | None = Field(default=None, description="Redis URL; unset = in-process stores")
    redis_prefix: str = Field(default="shopbot:", description="prefix of every Redis key")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_format: str = Field(default="text", description="text or json")
    sandbox: bool = Field(default=False, description="sandbox routes and the pay page's test buttons; "
                                                     "`make run` turns it on")
    public_url: str | None = Field(default=None, description="public base URL of this server")
    push_retry_seconds: float = Field(
        default=10.0, description="how often pushes a sender could not finish are sent again")
    tracker_retention_days: float = Field(
        default=90.0, description="a transcript idle this long is forgotten: Redis key expiry, the expire_transcripts job on SQL (0 = kept for ever)")
    lock_lease_seconds: float = Field(
        default=5.0, description="Redis conversation lock lease, renewed every lease/2.5 while a turn runs")
    data_dir: Path = Field(default=PROJECT_ROOT / "data")
    var_dir: Path = Field(default=PROJECT_ROOT / "var")

    # --- NLU ------------------------------------------------------------------------
    nlu_model_dir: Path = Field(default=PROJECT_ROOT / "var" / "models" / "nlu")
    nlu_fallback_threshold: float = Field(
        default=0.4, description="intent confidence below which the intent is nlu_fallback")

    # --- marketplaces and search -----------------------------------------------------
    demo_platforms: bool = Field(default=True, description="run the three demo platforms")
    demo_platform_transport: str = Field(default="http", description="http (local servers) or asgi (in process)")
    demo_platform_latency_ms: float = 80.0
    demo_platform_jitter_ms: float = 40.0
    demo_platform_failure_rate: float = 0.0
    demo_fulfil_delay_seconds: float = 60.0
    demo_platform_timeout_seconds: float = Field(default=1.0, description="per-call timeout of the demo connectors")
    demo_price_walk_seconds: float = Field(default=300.0, description="0 = prices stay still")
    demo_catalog: str = Field(default="full", description=(
        "full (the generated catalog of every kind, built under var/ at first start), demo (the "
        "614 products of data/catalog/products.json) or the path of a catalog JSON file"))
    search_deadline_seconds: float = 1.5
    currency_rates: str = Field(default="USD:7.2,EUR:7.8,GBP:9.1,HKD:0.92,JPY:0.048",
                                description="yuan per unit of each currency a budget may be given in")
    search_cache_ttl_seconds: float = 60.0

    # --- orders, payments, logistics ------------------------------------------------------
    payment_provider: str = Field(default="sandbox", description="sandbox | wechat_pay | alipay")
    sandbox_payment_secret: str | None = Field(
        default=None, description="HMAC secret of sandbox callbacks; unset = random per start")
    merchant_api_keys: str = Field(default="", description="merchant_id:key,... (X-Merchant-Key header)")
    merchant_ticket_deadline_hours: float = 48.0
    demo_merchant_history: bool = Field(default=False, description="seed the demo merchants' reviews, checks, a delisting")
    demo_merchant_policy: bool = Field(default=False, description="demo stores answer after-sales tickets by the "
                                                                  "stated policy (shop/merchant_policy.py)")
    demo_merchant_policy_seconds: float = Field(default=30.0, gt=0, description="how often the demo stores answer")
    spot_check_seconds: float = Field(default=3600.0, description="how often products are sampled for spot checks")
    spot_check_sample_size: int = Field(default=5, ge=0, le=500, description="products sampled per spot-check run")
    shipment_poll_seconds: float = 60.0
    platform_sync_seconds: float = 30.0
    group_buy_check_seconds: float = Field(default=60.0, description=(
        "how often open group buys past their time limit are closed and refunded"))
    carrier: str = Field(default="simulated", description="simulated | kuaidi100")
    carrier_step_seconds: float = Field(default=21600.0, description="simulated carrier: clock time per parcel step")
    carrier_clock_seconds: float = Field(default=1.0, gt=0, description=(
        "simulated carrier: how often its clock is checked for parcel events that are due (each is pushed at once)"))
    carrier_delay_rate: float = 0.0
    carrier_lost_rate: float = 0.0
    carrier_rejected_rate: float = 0.0
    wechatpay_mchid: str = ""
    wechatpay_appid: str = ""
    wechatpay_api_v3_key: str = ""
    wechatpay_cert_serial_no: str = ""
    wechatpay_private_key_path: str = ""
    wechatpay_notify_url: str = ""
    wechatpay_public_key_path: str = ""
    wechatpay_public_key_id: str = ""
    wechatpay_platform_cert_dir: str = ""
    wechatpay_api_url: str = "https://api.mch.weixin.qq.com"
    wechatpay_cert_refresh_seconds: float = Field(
        default=300.0, gt=0, description="a callback with an unknown certificate serial refetches at most this often")
    alipay_app_id: str = ""
    alipay_app_private_key_path: str = ""
    alipay_public_key_path: str = ""
    alipay_gateway_url: str = "https://openapi.alipay.com/gateway.do"
    alipay_notify_url: str = ""
    alipay_return_url: str = ""
    alipay_method: str = "qr"
    alipay_notify_max_age_seconds: float = Field(
        default=93600.0, gt=0, description="an Alipay notify whose notify_time is older is refused (replay)")
    kuaidi100_customer: str = ""
    kuaidi100_key: str = ""
    kuaidi100_salt: str = ""
    kuaidi100_api_url: str = "https://poll.kuaidi100.com"

    # --- real marketplaces (on when their keys are set) -------------------------------------
    jd_union_app_key: str = ""
    jd_union_app_secret: str = ""
    jd_union_api_url: str = "https://api.jd.com/routerjson"
    taobao_app_key: str = ""
    taobao_app_secret: str = ""
    taobao_adzone_id: str = ""
    taobao_api_url: str = "https://eco.taobao.com/router/rest"
    taobao_sign_method: str = "md5"
    pdd_client_id: str = ""
    pdd_client_secret: str = ""
    pdd_pid: str = ""
    pdd_api_url: str = "https://gw-api.pinduoduo.com/api/router"

    # --- price alerts, price history, charts ----------------------------------------------
    price_alert_ttl_days: int = Field(default=90, ge=1, description="an alert expires this long after it is set")
    price_alert_max_per_shopper: int = Field(default=50, ge=1, description="live alerts one shopper may have")
    price_refresh_seconds: float = Field(default=1800, gt=0, description="period of the watched-price refresh")
    alert_eval_seconds: float = Field(default=300, gt=0, description="period of the alert evaluation")
    alert_expire_seconds: float = Field(default=3600, gt=0, description="period of the alert expiry job")
    alert_batch_size: int = Field(default=10_000, ge=1, description="products per evaluation statement")
    alert_push_rate_per_second: float = Field(default=30.0, description="push pace of other channels; 0 = unlimited")
    alert_push_channel_rates: str = Field(default="telegram=30,wechat=20,rest=0,webchat=0,terminal=0",
                                          description="per-channel push pace, msg/s; 0 = unlimited")
    alert_push_concurrency: int = Field(default=32, ge=1, description="alert pushes in flight per channel")
    price_history_min_interval_seconds: float = Field(
        default=3600, description="an unchanged price is logged again at most this often")
    chart_cache_size: int = Field(default=256, description="rendered chart PNGs kept in memory")

    # --- support console and human handoff -----------------------------------------------
    console_secret_key: str | None = Field(
        default=None, description="signs console session cookies; unset = random per process")
    console_session_hours: float = 12.0
    refund_agent_limit: Decimal = Field(
        default=Decimal(0), description="largest refund an agent may approve (above: supervisors only)")
    console_login_max_failures: int = Field(
        default=5, description="failed logins in a row that block an account (back-off doubles after)")
    console_login_address_max_failures: int = Field(
        default=20, description="failed logins from one address that block it")
    console_login_backoff_seconds: float = Field(default=30.0, description="first block; doubles, at most 15 min")
    checkout_price_tolerance_percent: Decimal = Field(
        default=Decimal(5), ge=0, le=100,
        description="A paid order is refused and refunded when a line's price rose more than this above the price ordered")
    handoff_timeout_seconds: float = Field(
        default=600.0, description="no agent took the conversation by then: the bot resumes and says so")
    negative_words_handoff: bool = Field(default=True, description="strong negative words hand over to a human")
    console_sla_amber_seconds: float = Field(
        default=120.0, description="a shopper waiting this long in the queue: the console's SLA timer turns amber")
    console_sla_red_seconds: float = Field(default=300.0, description="… and red from this long")
    handoff_hours: str = Field(
        default="", description="business hours per team, 'pre_sales=09:00-22:00,after_sales=09:00-18:00'; "
                                "a team not named answers around the clock")
    handoff_timezone: str = Field(default="Asia/Shanghai", description="the time zone of HANDOFF_HOURS")

    # --- shopper accounts (issue 19) ----------------------------------------------------------
    account_master_keys: str | None = Field(default=None, description=(
        "id:base64key,… (32-byte keys, the first current) wrapping the data keys of personal data; "
        "unset = one generated once into VAR_DIR/account-keys.json"))
    account_hash_key: str | None = Field(default=None, description=(
        "base64 key of the keyed hashes accounts are found by; unset = VAR_DIR/account-keys.json"))
    cart_retention_days: float = Field(default=30.0, ge=0, description="a cart line this old is dropped (0 = kept)")
    verification_code_ttl_seconds: float = Field(default=600.0, gt=0, description="a code expires after this")
    verification_code_resend_seconds: float = Field(default=60.0, ge=0, description="one code per address this often")
    verification_codes_per_hour: int = Field(default=5, ge=1, description="codes one address may get an hour")
    verification_requester_codes_per_hour: int = Field(
        default=10, ge=1, description="codes one client address or chat identity may ask for an hour")
    password_min_length: int = Field(default=8, ge=6, description="shorter passwords are refused")
    sms_provider: str = Field(default="sandbox", description="sandbox | aliyun")
    aliyun_sms_access_key_id: str = ""
    aliyun_sms_access_key_secret: str = ""
    aliyun_sms_sign_name: str = ""
    aliyun_sms_template_code: str = ""
    aliyun_sms_template_code_en: str = ""
    aliyun_sms_notice_template_code: str = ""
    aliyun_sms_api_url: str = "https://dysmsapi.aliyuncs.com"
    smtp_host: str | None = Field(default=None, description="SMTP server for e-mailed codes; unset = sandbox")
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "shopbot <no-reply@localhost>"
    smtp_starttls: bool = True
    smtp_tls: bool = False

    # --- channels -----------------------------------------------------------------------
    telegram_token: str | None = Field(default=None, description="Telegram bot token; unset = Telegram off")
    telegram_webhook_secret: str | None = Field(default=None, description="X-Telegram-Bot-Api-Secret-Token")
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_polling: bool = Field(default=False, description="long polling instead of the webhook")
    wechat_token: str | None = Field(default=None, description="WeChat server Token; unset = WeChat off")
    wechat_app_id: str | None = None
    wechat_app_secret: str | None = None
    wechat_aes_key: str | None = Field(default=None, description="EncodingAESKey; set = encrypted mode")
    wechat_api_base_url: str = "https://api.weixin.qq.com"

    @field_validator("payment_provider")
    @classmethod
    def _one_provider_name(cls, value: str) -> str:
        return canonical_provider_name(value.strip().lower())

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def embedded(self) -> bool:
        """True when no Redis is configured: one process holds every store."""
        return self.redis_url is None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
