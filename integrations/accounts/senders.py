"""Code senders: the sandbox one (codes readable at /sandbox/verification-codes), Aliyun SMS
(the signed GET API of dysmsapi, SignatureVersion 1.0, HMAC-SHA1) and SMTP (aiosmtplib)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any, Self
from urllib.parse import quote

import aiosmtplib
import httpx

from integrations.http import ErrorKinds, HttpAdapter
from shop.accounts import OutgoingCode, SendFailed
from shop.clock import Clock

TEXTS = {
    "zh": {
        "subject": "shopbot 验证码",
        "code": "您的 shopbot 验证码是 {code},{minutes} 分钟内有效。请勿告诉任何人。",
        "exists": "有人想用这个地址注册 shopbot,但它已经有账户了。是您的话请直接登录;不是您可以忽略这条消息。",
        "unknown": "有人想用这个地址登录 shopbot,但它还没有账户。想注册的话请说“我要注册”;不是您可以忽略这条消息。",
    },
    "en": {
        "subject": "Your shopbot code",
        "code": "Your shopbot code is {code}. It is good for {minutes} minutes. Never tell it to anyone.",
        "exists": "Someone tried to sign up to shopbot with this address, which already has an account. "
                  "If it was you, sign in instead; if not, ignore this message.",
        "unknown": "Someone tried to sign in to shopbot with this address, which has no account. "
                   "Say \"sign me up\" to create one; if it was not you, ignore this message.",
    },
}


def message_text(message: OutgoingCode, minutes: int = 10) -> str:
    texts = TEXTS["en" if message.language == "en" else "zh"]
    if message.code is None:
        return texts[message.notice or "unknown"]
    return texts["code"].format(code=message.code, minutes=minutes)


@dataclass(frozen=True)
class SentCode:
    to: str
    code: str | None
    text: str
    sent_at: datetime


class SandboxCodeSender:
    """Keeps what it 'sent' (the last 1,000 messages) for `GET /sandbox/verification-codes`."""

    def __init__(self, clock: Clock, code_minutes: int = 10) -> None:
        self._clock = clock
        self._minutes = code_minutes
        self._sent: deque[SentCode] = deque(maxlen=1000)

    async def send(self, message: OutgoingCode) -> None:
        self._sent.append(SentCode(message.address.value, message.code, message_text(message, self._minutes),
                                   self._clock.now()))

    def sent_to(self, address: str) -> list[SentCode]:
        """What went to `address` (normalised), newest first."""
        return [m for m in reversed(self._sent) if m.to == address]


# --- Aliyun SMS (dysmsapi 2017-05-25, RPC style, signed GET) ----------------------------------

def percent_encode(value: str) -> str:
    """Aliyun's POP encoding: RFC 3986 (space → %20, * → %2A, ~ kept)."""
    return quote(value, safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class AliyunSmsConfig:
    access_key_id: str
    access_key_secret: str
    sign_name: str
    template_code: str  # a template with a ${code} variable
    template_code_en: str = ""  # for English shoppers (else the Chinese one)
    notice_template_code: str = ""  # "already registered / no account" notices; empty: none sent
    api_url: str = "https://dysmsapi.aliyuncs.com"
    region_id: str = "cn-hangzhou"


class AliyunSmsSender:
    name = "aliyun_sms"

    def __init__(self, config: AliyunSmsConfig, *, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Clock | None = None) -> None:
        self._http = HttpAdapter(ErrorKinds(SendFailed, SendFailed, ()), base_url=config.api_url, timeout=10.0,
                                 transport=transport)
        self._http.name = self.name
        self.config = config
        self._clock = clock

    async def start(self) -> None:
        await self._http.start()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @staticmethod
    def phone_numbers(e164: str) -> str:
        """Mainland numbers without +86; others with their country code and no +."""
        return e164[3:] if e164.startswith("+86") else e164.lstrip("+")

    def signed_params(self, message: OutgoingCode) -> dict[str, str] | None:
        c = self.config
        if message.code is None:
            if not c.notice_template_code:
                return None
            template, param = c.notice_template_code, {"kind": message.notice}
        else:
            template = c.template_code_en if message.language == "en" and c.template_code_en else c.template_code
            param = {"code": message.code}
        now = self._clock.now() if self._clock else datetime.now(UTC)
        params = {
            "AccessKeyId": c.access_key_id, "Action": "SendSms", "Format": "JSON",
            "PhoneNumbers": self.phone_numbers(message.address.value), "RegionId": c.region_id,
            "SignName": c.sign_name, "SignatureMethod": "HMAC-SHA1", "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0", "TemplateCode": template,
            "TemplateParam": json.dumps(param, separators=(",", ":")),
            "Timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, c.access_key_secret)
        return params

    async def send(self, message: OutgoingCode) -> None:
        params = self.signed_params(message)
        if params is None:
            return
        query = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in params.items())

        def interpret(response: httpx.Response) -> None:
            try:
                body: Any = response.json()
            except ValueError:
                raise SendFailed(f"aliyun sms: HTTP {response.status_code}, not JSON") from None
            if not isinstance(body, dict) or body.get("Code") != "OK":
                code = body.get("Code") if isinstance(body, dict) else None
                raise SendFailed(f"aliyun sms refused the message: {code}")

        await self._http.exchange("GET", f"/?{query}", interpret, idempotent=False, raise_rejected=False)


# --- e-mail over SMTP --------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    sender: str = "shopbot <no-reply@localhost>"
    username: str = ""
    password: str = ""
    starttls: bool = True  # STARTTLS on a plain port (587); False for a local relay
    use_tls: bool = False  # implicit TLS (465)
    timeout: float = 20.0


class SmtpEmailSender:
    def __init__(self, config: SmtpConfig, code_minutes: int = 10) -> None:
        self.config = config
        self._minutes = code_minutes

    def build(self, message: OutgoingCode) -> EmailMessage:
        texts = TEXTS["en" if message.language == "en" else "zh"]
        mail = EmailMessage()
        mail["From"] = self.config.sender
        mail["To"] = message.address.value
        mail["Subject"] = texts["subject"]
        mail.set_content(message_text(message, self._minutes))
        return mail

    async def send(self, message: OutgoingCode) -> None:
        c = self.config
        try:
            await aiosmtplib.send(self.build(message), hostname=c.host, port=c.port,
                                  username=c.username or None, password=c.password or None,
                                  start_tls=c.starttls and not c.use_tls, use_tls=c.use_tls, timeout=c.timeout)
        except aiosmtplib.SMTPException as exc:
            raise SendFailed(f"smtp: {type(exc).__name__}") from exc
        except OSError as exc:
            raise SendFailed(f"smtp: {type(exc).__name__}") from exc
