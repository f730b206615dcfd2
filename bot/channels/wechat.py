"""The WeChat Official Account channel: `GET|POST /webhooks/wechat`, passive replies, pushes.

`WeChatChannel(config, handle, store=...)`:

- `router`: GET answers the server verification (`echostr`); POST takes message XML in plain
  or safe (AES) mode. Every request is checked first (wechat_guard.py: body size, signatures,
  timestamp, DOCTYPE / entities; here: a nonce not seen before).
- An image message (a photo for a ticket) is downloaded through the media API (its MediaId),
  stored with `photos` (`PhotoStore.save`) and goes to the turn handler as `/photo{"url": ...}`.
- A text or menu-click message goes to the turn handler; if it answers within
  `reply_timeout` (4.5 s) the first message is the passive reply, anything further is sent
  through the customer-service API; if it is slower, a short holding text answers now and
  the replies follow through the customer-service API.
- Rendering (wechat_render.py): WeChat text has no inline keyboard, so buttons become numbered
  choices ("1. …") kept per conversation in the store; "1", "2" … turn back into the payload.
- `sender`: a `bot.push.ChannelSender` over the customer-service API.
- `start()` / `stop()`: nothing to connect at start; stop waits for slow turns still
  running and closes the HTTP client.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from fastapi import APIRouter, Request, Response
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import ArticlesReply, TextReply

from bot.channels.render import channel_text, guess_language
from bot.channels.store import ChannelStore, InMemoryChannelStore
from bot.channels.wechat_api import WeChatApi, WeChatApiError
from bot.channels.wechat_guard import NONCE_TTL, BadRequest, WeChatGuard, checked_fields, guarded_xml
from bot.channels.wechat_render import WeChatRenderer, WxMessage
from bot.photos import MAX_BYTES as PHOTO_MAX_BYTES
from bot.photos import PhotoRejected, PhotoSaver, photo_text
from bot.push import ChannelSendError
from bot.turns import TurnHandler
from dialogue.messages import IncomingMessage, Reply, button_payload
from shop.sharing import is_share_id

log = logging.getLogger(__name__)

CHANNEL = "wechat"
WEBHOOK_PATH = "/webhooks/wechat"


@dataclass(frozen=True)
class WeChatConfig:
    """WECHAT_TOKEN, WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_AES_KEY, WECHAT_API_BASE_URL."""

    token: str
    app_id: str = ""
    app_secret: str = ""
    aes_key: str | None = None
    api_base_url: str = "https://api.weixin.qq.com"

    @classmethod
    def from_settings(cls, settings: Any) -> WeChatConfig | None:
        """None when `WECHAT_TOKEN` is not set: the channel is off."""
        token = getattr(settings, "wechat_token", None)
        if not token:
            return None
        return cls(
            token=token,
            app_id=getattr(settings, "wechat_app_id", None) or "",
            app_secret=getattr(settings, "wechat_app_secret", None) or "",
            aes_key=getattr(settings, "wechat_aes_key", None) or None,
            api_base_url=getattr(settings, "wechat_api_base_url", None) or "https://api.weixin.qq.com",
        )


class WeChatChannel:
    """Webhook router, passive replies, customer-service follow-ups and push sender."""

    def __init__(
        self,
        config: WeChatConfig,
        handle: TurnHandler,
        store: ChannelStore | None = None,
        api: WeChatApi | None = None,
        clock: Callable[[], float] = time.time,
        reply_timeout: float = 4.5,
        photos: PhotoSaver | None = None,
    ) -> None:
        self.config = config
        self._handle = handle
        self._photos = photos
        self._store: ChannelStore = store or InMemoryChannelStore()
        self.api = api or WeChatApi(config.app_id, config.app_secret, config.api_base_url, self._store)
        self._reply_timeout = reply_timeout
        self._crypto = WeChatCrypto(config.token, config.aes_key, config.app_id) if config.aes_key else None
        self.guard = WeChatGuard(config.token, self._crypto, clock)
        self.renderer = WeChatRenderer(self._store)
        self._background: set[asyncio.Task[None]] = set()
        self.sender = WeChatSender(self)
        self.router = self._build_router()

    async def start(self) -> None:
        """Nothing to connect: the access token is fetched on first use."""

    async def stop(self) -> None:
        """Let slow turns finish their customer-service follow-ups, then close the client."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await self.api.close()

    async def drain(self) -> None:
        """Wait for follow-ups still being sent (tests, shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    # --- routes ------------------------------------------------------------------------
    def _build_router(self) -> APIRouter:
        router = APIRouter()

        @router.get(WEBHOOK_PATH, include_in_schema=False)
        async def wechat_verify(request: Request) -> Response:
            try:
                self.guard.check(dict(request.query_params))
            except BadRequest as exc:
                return Response(status_code=exc.status)
            return Response(request.query_params.get("echostr", ""), media_type="text/plain")

        @router.post(WEBHOOK_PATH, include_in_schema=False)
        async def wechat_message(request: Request) -> Response:
            try:
                return await self._on_post(request)
            except BadRequest as exc:
                log.info("wechat webhook rejected: %s", exc)
                return Response(status_code=exc.status)

        return router

    async def _on_post(self, request: Request) -> Response:
        params = dict(request.query_params)
        body = await self.guard.read_body(request)
        timestamp, nonce = self.guard.check(params)
        if not await self._store.add_if_absent(f"wx:nonce:{timestamp}:{nonce}", NONCE_TTL):
            raise BadRequest(403, "replayed nonce")
        encrypted = self._crypto is not None and params.get("encrypt_type") == "aes"
        if self._crypto is not None and not encrypted:
            raise BadRequest(403, "encrypted mode required")
        xml = self.guard.decrypt(body, params, timestamp, nonce) if encrypted else body
        checked_fields(guarded_xml(xml))
        try:
            message = parse_message(xml)
        except (ValueError, KeyError, TypeError) as exc:
            raise BadRequest(400, "not a message") from exc
        msg_id = getattr(message, "id", None)
        if msg_id and not await self._store.add_if_absent(f"wx:msgid:{msg_id}", NONCE_TTL):
            return Response("success", media_type="text/plain")  # WeChat's retry of one we answered
        reply = await self._answer(message)
        if reply is None:
            return Response("success", media_type="text/plain")
        out = reply.render()
        if encrypted:
            assert self._crypto is not None
            out = self._crypto.encrypt_message(out, nonce, timestamp)
        return Response(out, media_type="application/xml")

    # --- messages ----------------------------------------------------------------------
    async def _text_of(self, message: Any) -> str | None:
        kind = message.type
        if kind == "text":
            text = str(message.content or "").strip()
            choice = await self.renderer.choice(message.source, text)
            return choice or text
        if kind == "event":
            event = str(getattr(message, "event", "")).lower()
            if event in ("subscribe_scan", "scan"):  # a parametric QR code: its scene may be a share
                scene = str(getattr(message, "scene_id", "") or "")
                if is_share_id(scene):
                    return button_payload("open_share", share_id=scene)
                return "/greet" if event == "subscribe_scan" else None
            if event == "subscribe":
                return "/greet"
            if event == "click":
                return str(getattr(message, "key", "") or "") or None
        return None

    async def _answer(self, message: Any) -> TextReply | ArticlesReply | None:
        openid = str(message.source)
        text = await self._text_of(message)
        if message.type == "image" and self._photos is not None:
            text = "/photo"  # the turn downloads the picture first (see _image_turn)
        if text is None:
            if message.type == "event":
                return None
            return TextReply(message=message, content=channel_text("channel_text_only", "zh"))
        incoming = IncomingMessage(
            CHANNEL,
            openid,
            text,
            None,
            {"channel": CHANNEL, "sender_id": openid, "display_name": "", "account": str(message.target)},
        )
        if message.type == "image" and self._photos is not None:
            task = asyncio.ensure_future(self._image_turn(incoming, str(getattr(message, "media_id", "") or "")))
        else:
            task = asyncio.ensure_future(self._handle(incoming))
        done, _ = await asyncio.wait({task}, timeout=self._reply_timeout)
        if not done:
            self._later(self._follow_up(openid, task))
            return TextReply(message=message, content=channel_text("channel_busy", guess_language(text)))
        try:
            replies = task.result()
        except Exception:  # a dialogue bug must not become a 500 towards WeChat
            log.exception("wechat turn failed")
            return TextReply(message=message, content=channel_text("error_generic", guess_language(text)))
        wx = await self.renderer.render(openid, replies)
        if not wx:
            return None
        first, rest = wx[0], wx[1:]
        if rest:
            self._later(self._send_all(openid, rest))
        return self._passive(message, first)

    async def _image_turn(self, incoming: IncomingMessage, media_id: str) -> list[Reply]:
        """Fetch the follower's picture (media API), store it, and hand it to the dialogue."""
        assert self._photos is not None
        language = "zh"  # an image carries no words to tell the language by; the account speaks Chinese
        try:
            data = await self.api.get_media(media_id, PHOTO_MAX_BYTES)
        except WeChatApiError:
            log.warning("wechat image could not be fetched", exc_info=True)
            return [Reply(text=channel_text("photo_not_fetched", language))]
        try:
            url = await self._photos(data)
        except PhotoRejected:
            return [Reply(text=channel_text("photo_rejected", language))]
        return await self._handle(replace(incoming, text=photo_text(url)))

    @staticmethod
    def _passive(message: Any, wx: WxMessage) -> TextReply | ArticlesReply:
        if wx["msgtype"] == "news":
            article = wx["news"]["articles"][0]
            return ArticlesReply(
                message=message,
                articles=[
                    {
                        "title": article["title"],
                        "description": article.get("description", ""),
                        "image": article.get("picurl", ""),
                        "url": article.get("url", ""),
                    }
                ],
            )
        return TextReply(message=message, content=wx["text"]["content"])

    def _later(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _follow_up(self, openid: str, task: asyncio.Future[list[Reply]]) -> None:
        try:
            replies = await task
        except Exception:  # logged: the shopper already has the holding text
            log.exception("slow wechat turn failed")
            return
        await self._send_all(openid, await self.renderer.render(openid, replies))

    async def _send_all(self, openid: str, messages: list[WxMessage]) -> None:
        try:
            for wx in messages:
                await self.api.send_custom(openid, wx)
        except WeChatApiError:
            log.warning("wechat customer-service send failed", exc_info=True)

class WeChatSender:
    """Push sender over the customer-service message API; failures → `ChannelSendError`."""

    def __init__(self, channel: WeChatChannel) -> None:
        self._channel = channel

    async def send(self, recipient_id: str, replies: list[Reply]) -> None:
        """Render and send every reply to the follower `recipient_id` (an openid)."""
        try:
            for wx in await self._channel.renderer.render(recipient_id, replies):
                await self._channel.api.send_custom(recipient_id, wx)
        except WeChatApiError as exc:
            raise ChannelSendError(f"wechat: {exc}") from exc
