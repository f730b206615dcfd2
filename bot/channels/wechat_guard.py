"""WeChat webhook checks, before anything is parsed beyond a guarded XML read: body ≤ 64 KiB
(413), `signature` / `msg_signature` compared in constant time (403), timestamp within ±300 s
(403), no DOCTYPE / entities (400); safe (AES) mode decrypted here. Replayed nonces are
refused by the channel, which holds the store."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import WeChatSigner

MAX_BODY = 64 * 1024
TIMESTAMP_WINDOW = 300.0
NONCE_TTL = 2 * TIMESTAMP_WINDOW


class BadRequest(Exception):
    """A webhook request that fails a check; carries the HTTP status to answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def signature(*parts: str) -> str:
    """WeChat's SHA-1 signature of the sorted parts."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def guarded_xml(body: bytes) -> Any:
    try:
        return SafeET.fromstring(body, forbid_dtd=True)
    except (DefusedXmlException, ParseError) as exc:
        raise BadRequest(400, f"bad xml: {exc.__class__.__name__}") from exc


class WeChatInbound(BaseModel):
    """The fields every message or event pushed to an official account carries (others pass through)."""

    model_config = ConfigDict(extra="allow")

    ToUserName: str = Field(min_length=1, max_length=64)
    FromUserName: str = Field(min_length=1, max_length=128)
    CreateTime: int = Field(ge=0, le=10**11)
    MsgType: str = Field(min_length=1, max_length=32)
    Content: str | None = Field(default=None, max_length=4096)
    MsgId: int | None = Field(default=None, ge=0, le=2**64)


def checked_fields(root: Any) -> WeChatInbound:
    """The pushed XML's fields, validated (400 names the first field that is wrong)."""
    if getattr(root, "tag", None) != "xml":
        raise BadRequest(400, "not a message: the root element must be <xml>")
    try:
        return WeChatInbound.model_validate({child.tag: child.text for child in root})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "xml"
        raise BadRequest(400, f"not a message: '{where}': {first['msg']}") from exc


class WeChatGuard:
    """Signature, timestamp, body size and decryption of one official account's webhook."""

    def __init__(self, token: str, crypto: WeChatCrypto | None = None, clock: Callable[[], float] = time.time) -> None:
        self.token = token
        self.crypto = crypto
        self._clock = clock

    def check(self, params: dict[str, str]) -> tuple[str, str]:
        timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
        expected = signature(self.token, timestamp, nonce)
        if not hmac.compare_digest(params.get("signature", "").encode(), expected.encode()):
            raise BadRequest(403, "bad signature")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            raise BadRequest(400, "bad timestamp")  # 12 digits: unix seconds for 30,000 years
        ts = int(timestamp)
        if abs(self._clock() - ts) > TIMESTAMP_WINDOW:
            raise BadRequest(403, "stale timestamp")
        return timestamp, nonce

    async def read_body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY:
            raise BadRequest(413, "body too large")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise BadRequest(413, "body too large")
            chunks.append(chunk)
        return b"".join(chunks)

    def decrypt(self, body: bytes, params: dict[str, str], timestamp: str, nonce: str) -> bytes:
        assert self.crypto is not None
        root = guarded_xml(body)
        encrypted = root.findtext("Encrypt") or ""
        expected = signature(self.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(params.get("msg_signature", "").encode(), expected.encode()):
            raise BadRequest(403, "bad msg_signature")
        try:
            plain = self.crypto.decrypt_message(body, expected, timestamp, nonce)
        except (InvalidSignatureException, InvalidAppIdException, ValueError, KeyError) as exc:
            raise BadRequest(400, "cannot decrypt") from exc
        return plain.encode() if isinstance(plain, str) else bytes(plain)
