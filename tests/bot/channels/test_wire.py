"""build_channels: a channel whose settings are absent is off; senders are registered."""

from __future__ import annotations

from types import SimpleNamespace

from bot.channels.wire import build_channels
from bot.push import PushRouter
from dialogue.messages import IncomingMessage, Reply
from tracking.outbox import InMemoryOutbox


async def handle(message: IncomingMessage) -> list[Reply]:
    return [Reply(text="hi")]


def paths(channels) -> set[str]:
    return {route.path for router in channels.routers for route in router.routes}


def test_only_the_web_chat_without_settings() -> None:
    push = PushRouter(InMemoryOutbox())
    channels = build_channels(SimpleNamespace(), handle, InMemoryOutbox(), push)
    assert channels.telegram is None and channels.wechat is None
    assert paths(channels) == {"/", "/webchat/static/{name}", "/webchat/messages", "/webchat/ws"}
    assert push._senders == {}


async def test_configured_channels_mount_their_webhooks_and_senders() -> None:
    settings = SimpleNamespace(telegram_token="1:x", telegram_webhook_secret="s", wechat_token="t",
                               wechat_app_id="wx1", wechat_app_secret="sec", public_url=None)
    push = PushRouter(InMemoryOutbox())
    channels = build_channels(settings, handle, InMemoryOutbox(), push)
    assert {"/webhooks/telegram", "/webhooks/wechat"} <= paths(channels)
    assert set(push._senders) == {"telegram", "wechat"}
    assert channels.telegram is not None and channels.telegram.config.api_base_url == "https://api.telegram.org"
