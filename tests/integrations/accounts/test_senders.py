"""Code senders against local servers speaking the real protocols: an Aliyun SMS endpoint that
checks the request's signature as dysmsapi does, and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
from email import message_from_bytes, policy
from urllib.parse import parse_qsl, quote

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request

from integrations.accounts.senders import (
    AliyunSmsConfig,
    AliyunSmsSender,
    SmtpConfig,
    SmtpEmailSender,
)
from shop.accounts import Address, AddressKind, OutgoingCode, Purpose, SendFailed
from tests.bot.channels.servers import serve

SECRET = "testSecret"


def aliyun_app(received: list[dict[str, str]]) -> FastAPI:
    """dysmsapi.aliyuncs.com as far as SendSms goes: the POP signature (HMAC-SHA1) is checked
    from the raw query, independently of the adapter's code."""
    app = FastAPI()

    @app.get("/")
    async def rpc(request: Request) -> dict[str, str]:
        pairs = parse_qsl(request.url.query, keep_blank_values=True)
        params = dict(pairs)
        signature = params.pop("Signature", "")

        def enc(v: str) -> str:
            return quote(v, safe="~")

        canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
        string_to_sign = "GET&%2F&" + enc(canonical)
        expected = base64.b64encode(hmac.new(f"{SECRET}&".encode(), string_to_sign.encode(),
                                             hashlib.sha1).digest()).decode()
        if signature != expected:
            return {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
        if params.get("AccessKeyId") != "LTAIexample":
            return {"Code": "InvalidAccessKeyId.NotFound", "Message": "no such key"}
        received.append(params)
        return {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"}

    return app


def code_to(value: str, kind: AddressKind = AddressKind.PHONE, language: str = "zh") -> OutgoingCode:
    return OutgoingCode(Address(kind, value), "482913", Purpose.REGISTER, language)


async def test_aliyun_sms_sends_a_signed_request_the_gateway_accepts():
    received: list[dict[str, str]] = []
    async with serve(aliyun_app(received)) as url:
        config = AliyunSmsConfig("LTAIexample", SECRET, "购物助手", "SMS_0001", template_code_en="SMS_0002", api_url=url)
        async with AliyunSmsSender(config) as sender:
            await sender.send(code_to("+8613800138000"))
            await sender.send(code_to("+85291234567", language="en"))
    assert [r["PhoneNumbers"] for r in received] == ["13800138000", "85291234567"]
    assert json.loads(received[0]["TemplateParam"]) == {"code": "482913"}
    assert received[0]["SignName"] == "购物助手" and received[0]["TemplateCode"] == "SMS_0001"
    assert received[1]["TemplateCode"] == "SMS_0002"
    assert received[0]["Action"] == "SendSms" and received[0]["Version"] == "2017-05-25"


async def test_aliyun_sms_with_a_wrong_secret_is_a_send_failure():
    async with serve(aliyun_app([])) as url:
        config = AliyunSmsConfig("LTAIexample", "wrong", "购物助手", "SMS_0001", api_url=url)
        async with AliyunSmsSender(config) as sender:
            with pytest.raises(SendFailed, match="SignatureDoesNotMatch"):
                await sender.send(code_to("+8613800138000"))


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=30)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def test_smtp_sends_the_code_in_the_shoppers_language(smtp_server):
    inbox, port = smtp_server
    sender = SmtpEmailSender(SmtpConfig("127.0.0.1", port, "shopbot <codes@shop.test>", starttls=False))
    await sender.send(code_to("lilei@example.com", AddressKind.EMAIL, language="en"))
    await sender.send(code_to("hanmeimei@example.com", AddressKind.EMAIL, language="zh"))
    assert [m[1] for m in inbox.messages] == [["lilei@example.com"], ["hanmeimei@example.com"]]
    english = message_from_bytes(inbox.messages[0][2], policy=policy.default)
    chinese = message_from_bytes(inbox.messages[1][2], policy=policy.default)
    assert english["Subject"] == "Your shopbot code" and "482913" in english.get_content()
    assert chinese["Subject"] == "shopbot 验证码" and "验证码是 482913" in chinese.get_content()


async def test_smtp_server_down_is_a_send_failure():
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    sender = SmtpEmailSender(SmtpConfig("127.0.0.1", port, starttls=False, timeout=30))
    with pytest.raises(SendFailed):
        await sender.send(code_to("lilei@example.com", AddressKind.EMAIL))
