"""Build the Telegram, WeChat and web chat channels from settings (called by bot/app.py).

    channels = build_channels(settings, runtime.handle, runtime.outbox, runtime.push,
                              redis=runtime.redis, telegram_polling=False)
    for router in channels.routers: app.include_router(router)
    await channels.start()  ...  await channels.stop()       # in the app's lifespan

A channel whose settings are absent is off (`TELEGRAM_TOKEN`, `WECHAT_TOKEN`). Telegram and
WeChat register their push senders on the `PushRouter`; the web chat reads the outbox.
Channel state (nonces, callback payloads, numbered choices, pending pushes, the WeChat
access token) lives in Redis when a client is given, in process otherwise.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter

from bot.channels.store import ChannelStore, InMemoryChannelStore, RedisChannelStore
from bot.channels.telegram import TelegramChannel, TelegramConfig
from bot.channels.webchat import WebChatChannel
from bot.channels.wechat import WeChatChannel, WeChatConfig
from bot.photos import PhotoSaver
from bot.push import PushRouter
from bot.turns import TurnHandler
from tracking.outbox import Outbox


@dataclass
class Channels:
    """The enabled channels, their routers, and one start/stop for the app's lifespan."""

    store: ChannelStore
    webchat: WebChatChannel
    telegram: TelegramChannel | None = None
    wechat: WeChatChannel | None = None
    telegram_polling: bool = False
    _polling_stop: asyncio.Event | None = field(default=None, repr=False)
    _polling_task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def routers(self) -> list[APIRouter]:
        """Routers to mount: web chat (`/`, `/webchat/*`) and the webhooks of enabled channels."""
        out = [self.webchat.router]
        if self.telegram is not None:
            out.append(self.telegram.router)
        if self.wechat is not None:
            out.append(self.wechat.router)
        return out

    async def start(self) -> None:
        """Start the enabled channels (Telegram: webhook set-up, or polling in the background)."""
        await self.webchat.start()
        if self.wechat is not None:
            await self.wechat.start()
        if self.telegram is not None:
            if self.telegram_polling:
                self._polling_stop = asyncio.Event()
                self._polling_task = asyncio.create_task(self.telegram.run_polling(self._polling_stop))
            else:
                await self.telegram.start()

    async def stop(self) -> None:
        """Stop them in reverse order."""
        if self.telegram is not None:
            if self._polling_task is not None and self._polling_stop is not None:
                self._polling_stop.set()
                await self._polling_task
            else:
                await self.telegram.stop()
        if self.wechat is not None:
            await self.wechat.stop()
        await self.webchat.stop()


def build_channels(
    settings: Any,
    handle: TurnHandler,
    outbox: Outbox,
    push: PushRouter,
    redis: Any | None = None,
    telegram_polling: bool = False,
    photos: PhotoSaver | None = None,
) -> Channels:
    """Build every channel whose settings are present, registering push senders on `push`.

    `photos` stores a picture a shopper sends on Telegram or WeChat (`PhotoStore.save`); without
    it those channels answer a picture with "text only"."""
    prefix = f"{getattr(settings, 'redis_prefix', 'shopbot:')}ch:"
    store: ChannelStore = RedisChannelStore(redis, prefix) if redis is not None else InMemoryChannelStore()
    channels = Channels(store=store, webchat=WebChatChannel(handle, outbox, store),
                        telegram_polling=telegram_polling)
    tg_config = TelegramConfig.from_settings(settings)
    if tg_config is not None:
        channels.telegram = TelegramChannel(tg_config, handle, store, polling=telegram_polling, photos=photos)
        push.register("telegram", channels.telegram.sender)
    wx_config = WeChatConfig.from_settings(settings)
    if wx_config is not None:
        channels.wechat = WeChatChannel(wx_config, handle, store, photos=photos)
        if wx_config.app_id and wx_config.app_secret:
            push.register("wechat", channels.wechat.sender)
    return channels
