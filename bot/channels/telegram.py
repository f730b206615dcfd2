"""The Telegram channel (python-telegram-bot 22), webhook inside our FastAPI app or polling.

`TelegramChannel(config, handle, store=...)` holds a PTB `Application` (no updater for the
webhook, `AIORateLimiter` on outgoing calls, Bot API reached at `config.api_base_url`):

- `router`: `POST /webhooks/telegram`; the `X-Telegram-Bot-Api-Secret-Token` header must
  match (403), the body must be an Update (400), anything else is answered 200; an update_id
  already seen (a redelivery, whichever worker took the first) is answered 200 without a turn.
- `start()` / `stop()`: initialise the bot (getMe), `setWebhook` when a public URL is set.
- `run_polling(stop)`: long polling for local use (`shopbot serve --telegram-polling`).
- `sender`: a `bot.push.ChannelSender` for pushed replies.

PTB types stop here: an update becomes an `IncomingMessage`; replies become sendMessage
(MarkdownV2-escaped, split at Telegram's length limit, buttons as an inline keyboard) and
sendPhoto (images, product photos). A photo the shopper sends (a cracked screen for a ticket) is
fetched at its largest size under the photo limit (getFile, then the file download), stored with
`photos` (`PhotoStore.save`) and goes to the dialogue as `/photo{"url": ...}`, its caption as a
second message. A product list is shown once, as cards: its photos as one
album (sendMediaGroup, each captioned "n. title · price · platform"), then the list's one-line
header with an inline keyboard of Details / Buy per product (carrying the product id, so an older
list acts on its own product) and the list's other buttons; without photos it is the full text.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, PhotoSize, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.helpers import escape_markdown

from bot.channels.render import (
    absolute_url,
    channel_text,
    item_line,
    language_of,
    product_image,
    reply_text,
    split_text,
    text_only_reply,
)
from bot.channels.store import ChannelStore, InMemoryChannelStore
from bot.json_body import BadJson, parse_json
from bot.photos import MAX_BYTES as PHOTO_MAX_BYTES
from bot.photos import PhotoRejected, PhotoSaver, photo_text
from bot.push import ChannelSendError
from bot.turns import TurnHandler
from dialogue import responses
from dialogue.messages import Button, IncomingMessage, Reply, button_payload
from shop.sharing import is_share_id

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/webhooks/telegram"
CALLBACK_LIMIT = 64  # bytes, Telegram's callback_data limit
UPDATE_TTL = 24 * 3600  # Telegram keeps an unconfirmed update for 24 hours
CALLBACK_TTL = 30 * 24 * 3600.0
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH  # 1024
COMMANDS = {"start": "/greet", "help": "/help"}
MEDIA_GROUP_MAX = 10  # photos in one sendMediaGroup



@dataclass(frozen=True)
class TelegramConfig:
    """Settings of the channel (TELEGRAM_TOKEN, TELEGRAM_WEBHOOK_SECRET, TELEGRAM_API_BASE_URL, PUBLIC_URL)."""

    token: str
    webhook_secret: str | None = None
    api_base_url: str = "https://api.telegram.org"
    public_url: str | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> TelegramConfig | None:
        """None when `TELEGRAM_TOKEN` is not set: the channel is off."""
        token = getattr(settings, "telegram_token", None)
        if not token:
            return None
        return cls(
            token=token,
            webhook_secret=getattr(settings, "telegram_webhook_secret", None) or None,
            api_base_url=getattr(settings, "telegram_api_base_url", None) or "https://api.telegram.org",
            public_url=getattr(settings, "public_url", None) or None,
        )


class _TgUser(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: StrictInt


class _TgChat(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: StrictInt


class _TgMessage(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    message_id: StrictInt
    date: StrictInt
    chat: _TgChat
    from_: _TgUser | None = Field(default=None, alias="from")
    text: StrictStr | None = Field(default=None, max_length=MessageLimit.MAX_TEXT_LENGTH)


class _TgCallbackQuery(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: StrictStr
    from_: _TgUser = Field(alias="from")
    data: StrictStr | None = Field(default=None, max_length=64)  # Bot API: 1-64 bytes
    message: _TgMessage | None = None


class TelegramUpdateBody(BaseModel):
    """What the webhook reads of an Update before python-telegram-bot builds it; other kinds pass through."""

    model_config = ConfigDict(extra="allow")
    update_id: StrictInt = Field(ge=0)
    message: _TgMessage | None = None
    edited_message: _TgMessage | None = None
    callback_query: _TgCallbackQuery | None = None


def largest_photo(sizes: tuple[PhotoSize, ...]) -> PhotoSize | None:
    """The biggest of a photo's sizes whose file is within the photo limit (size unknown counts as fitting)."""
    fitting = [p for p in sizes if (p.file_size or 0) <= PHOTO_MAX_BYTES]
    return max(fitting, key=lambda p: p.width * p.height, default=None)


def escape(text: str) -> str:
    """Escape text for MarkdownV2 (every reserved character)."""
    return escape_markdown(text, version=2)


class TelegramChannel:
    """Webhook router, lifecycle, polling and push sender of the Telegram channel."""

    def __init__(
        self,
        config: TelegramConfig,
        handle: TurnHandler,
        store: ChannelStore | None = None,
        rate_limiter: BaseRateLimiter[Any] | None = None,
        polling: bool = False,
        photos: PhotoSaver | None = None,
    ) -> None:
        self.config = config
        self._handle = handle
        self._photos = photos
        self._store: ChannelStore = store or InMemoryChannelStore()
        self._polling = polling
        base = config.api_base_url.rstrip("/")
        builder = (
            Application.builder()
            .token(config.token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .rate_limiter(rate_limiter if rate_limiter is not None else AIORateLimiter())
        )
        if not polling:
            builder = builder.updater(None)
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self._install_handlers()
        self.sender = TelegramSender(self)
        self.router = self._build_router()

    # --- lifecycle ---------------------------------------------------------------------
    async def start(self) -> None:
        """Initialise the bot (getMe) and register the webhook when a public URL is set."""
        await self.application.initialize()
        if self.config.public_url and not self._polling:
            await self.application.bot.set_webhook(
                url=self.config.public_url.rstrip("/") + WEBHOOK_PATH,
                secret_token=self.config.webhook_secret,
                allowed_updates=["message", "callback_query"],
            )
        await self.application.start()

    async def stop(self) -> None:
        """Stop processing and close the HTTP connections."""
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def run_polling(self, stop: asyncio.Event) -> None:
        """Long-poll getUpdates until `stop` is set (local use; build with `polling=True`)."""
        if self.application.updater is None:
            raise RuntimeError("build the channel with polling=True to poll")
        await self.application.initialize()
        await self.application.updater.start_polling(
            allowed_updates=["message", "callback_query"], drop_pending_updates=False
        )
        await self.application.start()
        try:
            await stop.wait()
        finally:
            await self.application.updater.stop()
            await self.application.stop()
            await self.application.shutdown()

    # --- webhook -----------------------------------------------------------------------
    def _build_router(self) -> APIRouter:
        router = APIRouter()

        @router.post(WEBHOOK_PATH, include_in_schema=False)
        async def telegram_webhook(request: Request) -> Response:
            secret = self.config.webhook_secret
            if secret is not None:
                given = request.headers.get(SECRET_HEADER, "")
                if not hmac.compare_digest(given.encode(), secret.encode()):
                    return Response(status_code=403)
            body = await request.body()
            if len(body) > 1_000_000:
                return Response(status_code=413)
            try:
                data = parse_json(body)
            except BadJson:
                return Response(status_code=400)
            if not isinstance(data, dict):
                return Response(status_code=400)
            try:
                TelegramUpdateBody.model_validate(data)
            except ValidationError:
                return Response(status_code=400)
            try:
                update = Update.de_json(data, self.application.bot)
            except (TypeError, KeyError, ValueError, AttributeError):
                return Response(status_code=400)
            # Telegram redelivers an update it thinks failed: one turn per update_id, across workers.
            bot_id = self.config.token.split(":", 1)[0]
            if not await self._store.add_if_absent(f"tg:update:{bot_id}:{data['update_id']}", UPDATE_TTL):
                return Response(status_code=200)
            await self.application.process_update(update)
            return Response(status_code=200)

        return router

    # --- update → IncomingMessage ------------------------------------------------------
    def _install_handlers(self) -> None:
        only_messages = filters.UpdateType.MESSAGE
        app = self.application
        app.add_handler(CommandHandler(list(COMMANDS), self._on_command, filters=only_messages))
        app.add_handler(MessageHandler(filters.TEXT & only_messages, self._on_text))
        app.add_handler(MessageHandler(filters.PHOTO & only_messages, self._on_photo))
        app.add_handler(CallbackQueryHandler(self._on_callback))
        app.add_handler(MessageHandler(only_messages & ~filters.StatusUpdate.ALL, self._on_other))
        app.add_error_handler(self._on_error)

    @staticmethod
    def _incoming(update: Update, text: str) -> IncomingMessage:
        chat = update.effective_chat
        user = update.effective_user
        assert chat is not None
        lang = user.language_code if user else None
        metadata: dict[str, Any] = {
            "channel": CHANNEL,
            "sender_id": str(chat.id),
            "display_name": user.full_name if user else (chat.title or ""),
            "user_id": str(user.id) if user else None,
            "username": user.username if user else None,
            "language_code": lang,
        }
        language = "zh" if lang and lang.startswith("zh") else ("en" if lang and lang.startswith("en") else None)
        return IncomingMessage(CHANNEL, str(chat.id), text, language, metadata)

    async def _turn(self, update: Update, text: str) -> None:
        message = self._incoming(update, text)
        replies = await self._handle(message)
        await self.deliver(message.sender_id, replies)

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        words = update.message.text.split()
        name = words[0].lstrip("/").split("@")[0].lower()
        if name == "start" and len(words) > 1 and is_share_id(words[1]):  # a deep link t.me/<bot>?start=<share>
            await self._turn(update, button_payload("open_share", share_id=words[1]))
            return
        await self._turn(update, COMMANDS[name])

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await self._turn(update, update.message.text)

    async def _on_photo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None
        user = update.effective_user
        lang = language_of(user.language_code if user else None)
        if self._photos is None or update.effective_chat is None:
            await self._on_other(update, context)
            return
        size = largest_photo(message.photo)
        if size is None:
            await self._send_text(message.chat_id, channel_text("photo_rejected", lang), None)
            return
        try:
            file = await size.get_file()
            data = bytes(await file.download_as_bytearray())
        except TelegramError:
            log.warning("telegram photo could not be fetched", exc_info=True)
            await self._send_text(message.chat_id, channel_text("photo_not_fetched", lang), None)
            return
        try:
            url = await self._photos(data)
        except PhotoRejected:
            await self._send_text(message.chat_id, channel_text("photo_rejected", lang), None)
            return
        await self._turn(update, photo_text(url))
        if message.caption and message.caption.strip():
            await self._turn(update, message.caption.strip())

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        payload = await self._payload_of(query.data or "")
        if payload is None or update.effective_chat is None:
            return
        await self._turn(update, payload)

    async def _on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        user = update.effective_user
        await self._send_text(chat.id, text_only_reply(user.language_code if user else None), None)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update failed", exc_info=context.error)

    # --- callback data -----------------------------------------------------------------
    async def _callback_data(self, payload: str) -> str:
        if len(payload.encode()) <= CALLBACK_LIMIT:
            return payload
        key = hashlib.sha256(payload.encode()).hexdigest()[:24]
        await self._store.set(f"tg:cb:{key}", payload, CALLBACK_TTL)
        return f"k:{key}"

    async def _payload_of(self, data: str) -> str | None:
        if data.startswith("k:"):
            return await self._store.get(f"tg:cb:{data[2:]}")
        return data or None

    # --- Reply → Bot API ---------------------------------------------------------------
    async def deliver(self, chat_id: str | int, replies: list[Reply]) -> None:
        """Send replies in order: a photo (image, or a product's photo), then text and keyboard;
        a product list as cards (an album and a keyboard per product)."""
        for reply in replies:
            if reply.custom and reply.custom.get("type") == "products" and reply.custom.get("items") \
                    and await self._send_product_cards(chat_id, reply):
                continue
            photo = reply.image or product_image(reply)
            if photo:
                caption = None
                if not reply.image and reply.custom:
                    caption = escape(item_line(reply.custom.get("item") or {})[:CAPTION_LIMIT]) or None
                await self._send_photo(chat_id, absolute_url(photo, self.config.public_url), caption)
            text = reply_text(reply)
            if not text and reply.buttons:
                text = "👇"
            if text:
                await self._send_text(chat_id, text, await self._keyboard(reply))

    async def _send_product_cards(self, chat_id: str | int, reply: Reply) -> bool:
        """A product list as cards: the photos as one album, then the header and a keyboard with
        Details / Buy per product. False (nothing sent) when no product has a photo to show."""
        assert reply.custom is not None
        items = list(reply.custom.get("items") or [])[:MEDIA_GROUP_MAX]
        photos = [(n, absolute_url(str(it["image_url"]), self.config.public_url), it)
                  for n, it in enumerate(items, 1) if it.get("image_url")]
        photos = [(n, url, it) for n, url, it in photos if url.startswith(("http://", "https://"))]
        if not photos:
            return False
        media = [InputMediaPhoto(url, caption=escape(f"{n}. {item_line(it)}"[:CAPTION_LIMIT]),
                                 parse_mode=ParseMode.MARKDOWN_V2) for n, url, it in photos]
        try:
            if len(media) == 1:
                await self.application.bot.send_photo(chat_id=chat_id, photo=photos[0][1],
                                                      caption=media[0].caption, parse_mode=ParseMode.MARKDOWN_V2)
            else:
                await self.application.bot.send_media_group(chat_id=chat_id, media=media)
        except BadRequest:
            log.warning("telegram could not send the product photos; the list goes as text")
            return False
        text = reply.text or ""
        language = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"
        header = text.splitlines()[0] if text else "👇"
        rows: list[list[Button]] = []
        for n, item in enumerate(items, 1):
            pid = item.get("id")
            rows.append([Button(responses.text("button_details", language, n=n),
                                button_payload("show_details", ordinal=n, product_id=pid)),
                         Button(responses.text("button_buy_n", language, n=n),
                                button_payload("buy", ordinal=n, product_id=pid))])
        others = [b for b in reply.buttons if not b.payload.startswith(("/show_details", "/buy"))]
        rows.extend(others[i:i + 2] for i in range(0, len(others), 2))
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(b.title, callback_data=await self._callback_data(b.payload))
                                          for b in row] for row in rows])
        await self._send_text(chat_id, header, keyboard)
        return True

    async def _send_photo(self, chat_id: str | int, url: str, caption: str | None) -> None:
        """sendPhoto by URL; a URL Telegram cannot fetch becomes a link (the text follows anyway)."""
        if not url.startswith(("http://", "https://")):
            log.info("telegram: no public URL for image %s; sent without it", url)
            return
        try:
            await self.application.bot.send_photo(
                chat_id=chat_id,
                photo=url,
                caption=caption,
                parse_mode=ParseMode.MARKDOWN_V2 if caption else None,
            )
        except BadRequest:
            log.warning("telegram could not fetch %s; sent as a link", url)
            await self._send_text(chat_id, url, None)

    async def _keyboard(self, reply: Reply) -> InlineKeyboardMarkup | None:
        if not reply.buttons:
            return None
        rows = [
            [InlineKeyboardButton(b.title, callback_data=await self._callback_data(b.payload))]
            for b in reply.buttons
        ]
        return InlineKeyboardMarkup(rows)

    async def _send_text(
        self, chat_id: str | int, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> None:
        chunks = split_text(text, TEXT_LIMIT)
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            await self.application.bot.send_message(
                chat_id=chat_id,
                text=escape(chunk),
                parse_mode=ParseMode.MARKDOWN_V2,
                reply_markup=keyboard if last else None,
            )


class TelegramSender:
    """Push sender (`bot.push.ChannelSender`): Bot API delivery, errors as `ChannelSendError`."""

    def __init__(self, channel: TelegramChannel) -> None:
        self._channel = channel

    async def send(self, recipient_id: str, replies: list[Reply]) -> None:
        """Deliver pushed replies to the chat `recipient_id`."""
        try:
            await self._channel.deliver(recipient_id, replies)
        except TelegramError as exc:
            raise ChannelSendError(f"telegram: {exc}") from exc
