"""WeChat rendering: replies become customer-service shaped messages (text split to WeChat's
length, a product as a news article); buttons become numbered choices kept per follower in the
channel store, and a typed number is turned back into the button's payload."""

from __future__ import annotations

import json
from typing import Any

from bot.channels.render import (
    channel_text,
    guess_language,
    numbered_buttons,
    pick_numbered,
    reply_text,
    split_utf8,
)
from bot.channels.store import ChannelStore
from dialogue.messages import Reply
from dialogue.presentation.money import format_money

CHOICES_TTL = 24 * 3600.0
TEXT_BYTES = 2000  # WeChat truncates text messages past ~2048 bytes

WxMessage = dict[str, Any]  # {"msgtype": "text", "text": {"content": ...}} (the custom-send shape)


class WeChatRenderer:
    """Replies → WeChat messages, and numbered choices back to payloads."""

    def __init__(self, store: ChannelStore) -> None:
        self._store = store

    async def render(self, openid: str, replies: list[Reply]) -> list[WxMessage]:
        """Replies → customer-service shaped messages; buttons become numbered choices."""
        out: list[WxMessage] = []
        texts: list[str] = []
        payloads: list[str] = []
        for reply in replies:
            article = _article(reply)
            text = reply.text if article is not None else reply_text(reply)
            lang = guess_language(text or "中")
            lines = [text] if text else []
            if reply.image:
                lines.append(f"{channel_text('channel_image', lang)}: {reply.image}")
            lines += numbered_buttons(reply, payloads, lang)
            if article is not None:  # the card first, its text after it
                if texts:
                    out.extend(_texts("\n\n".join(texts)))
                    texts = []
                out.append({"msgtype": "news", "news": {"articles": [article]}})
            if lines:
                texts.append("\n".join(lines))
        if texts:
            out.extend(_texts("\n\n".join(texts)))
        if payloads:
            await self._store.set(f"wx:choices:{openid}", json.dumps(payloads), CHOICES_TTL)
        elif replies:
            await self._store.delete(f"wx:choices:{openid}")
        return out

    async def choice(self, openid: str, text: str) -> str | None:
        if not text.strip().isdigit():
            return None
        raw = await self._store.get(f"wx:choices:{openid}")
        return pick_numbered(text, [str(p) for p in json.loads(raw)]) if raw else None



def _texts(text: str) -> list[WxMessage]:
    return [{"msgtype": "text", "text": {"content": c}} for c in split_utf8(text, TEXT_BYTES) if c]


def _article(reply: Reply) -> dict[str, str] | None:
    if not reply.custom or reply.custom.get("type") != "product":
        return None
    item = reply.custom.get("item") or {}
    if not item.get("url"):
        return None
    price = format_money(item["price"], None, item.get("currency") or "CNY") if item.get("price") is not None else ""
    return {
        "title": str(item.get("title") or item.get("id") or ""),
        "description": " · ".join(p for p in (price, str(item.get("platform") or "")) if p),
        "url": str(item["url"]),
        "picurl": str(item.get("image_url") or ""),
    }
