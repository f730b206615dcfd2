"""Rendering helpers shared by the channels: language, polite texts, splitting, card summaries.

Replies are channel-neutral (`dialogue.messages.Reply`); `text` always carries a readable
version of any `custom` payload, so a text-only channel (WeChat, a Telegram fallback) can
rely on it. These helpers add what a text channel still needs: a summary when a reply has
only a payload, the "text only" answer, and splitting for length limits.
"""

from __future__ import annotations

from typing import Any

from dialogue import responses
from dialogue.messages import Reply
from dialogue.presentation.money import format_money


def channel_text(key: str, language: str) -> str:
    """A text a channel says itself (`channel_busy`, `error_generic`…), from the response catalogs."""
    return responses.text(key, language)


def guess_language(text: str) -> str:
    """`zh` when the text has CJK characters, else `en` (for channels whose messages carry no locale)."""
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"


def numbered_buttons(reply: Reply, choices: list[str], language: str) -> list[str]:
    """The default rendering of buttons for a channel without them: a hint, then "1. title"…
    numbered after `choices`, to which their payloads are appended (`pick_numbered` maps a
    typed number back to its payload)."""
    if not reply.buttons:
        return []
    lines = [channel_text("channel_choose_hint", language)]
    for button in reply.buttons:
        choices.append(button.payload)
        lines.append(f"{len(choices)}. {button.title}")
    return lines


def pick_numbered(text: str, choices: list[str]) -> str | None:
    """The payload of the button whose number the shopper typed; None for anything else."""
    typed = text.strip()
    if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= len(choices):
        return choices[int(typed) - 1]
    return None


def language_of(code: str | None) -> str:
    """Normalise a client language code (`zh-hans`, `en-US`, None) to `zh` or `en`."""
    if code and code.lower().startswith("zh"):
        return "zh"
    if code and code.lower().startswith("en"):
        return "en"
    return "zh"


def text_only_reply(code: str | None) -> str:
    """The polite answer to a sticker, voice message or photo, in the user's language."""
    return channel_text("channel_text_only", language_of(code))


def _price(item: dict[str, Any]) -> str:
    price = item.get("price")
    return format_money(price, None, item.get("currency") or "CNY") if price is not None else ""


def item_line(item: dict[str, Any]) -> str:
    """One product as a line: `title · ¥price · platform`."""
    parts = [str(item.get("title") or item.get("id") or ""), _price(item), str(item.get("platform") or "")]
    return " · ".join(p for p in parts if p)


def custom_summary(custom: dict[str, Any] | None) -> str:
    """A readable fallback for a payload that came without text (contracts/channels.md)."""
    if not custom:
        return ""
    kind = custom.get("type")
    if kind == "products":
        return "\n".join(f"{i}. {item_line(it)}" for i, it in enumerate(custom.get("items") or [], 1))
    if kind == "product":
        return item_line(custom.get("item") or {})
    if kind == "order":
        return f"{custom.get('order_id', '')} {custom.get('status', '')} {custom.get('total', '')}".strip()
    if kind == "shipment":
        events = custom.get("events") or []
        last = events[-1].get("description", "") if events else ""
        return f"{custom.get('order_id', '')} {custom.get('carrier', '')} {custom.get('status', '')} {last}".strip()
    if kind == "ticket":
        return f"{custom.get('ticket_id', '')} {custom.get('service_type', '')} {custom.get('status', '')}".strip()
    return ""


def reply_text(reply: Reply) -> str:
    """The text to show for a reply: its own text, or a summary of its payload."""
    if reply.text:
        return reply.text
    return custom_summary(reply.custom)


def product_image(reply: Reply) -> str | None:
    """The image of a single-product payload (`custom.type == "product"`), if any."""
    if reply.custom and reply.custom.get("type") == "product":
        url = (reply.custom.get("item") or {}).get("image_url")
        return str(url) if url else None
    return None


def absolute_url(url: str, base: str | None) -> str:
    """Make a server-relative URL (`/charts/x.png`) absolute against the public base URL."""
    if url.startswith("/") and base:
        return base.rstrip("/") + url
    return url


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into chunks of at most `limit` characters, at line breaks where possible."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    if rest:
        chunks.append(rest)
    return chunks


def split_utf8(text: str, limit_bytes: int) -> list[str]:
    """Split `text` so every chunk is at most `limit_bytes` bytes in UTF-8 (WeChat's limits)."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        for ch in line:
            n = len(ch.encode())
            if size + n > limit_bytes:
                chunks.append("".join(current))
                current, size = [], 0
            current.append(ch)
            size += n
    if current:
        chunks.append("".join(current))
    return [c.rstrip("\n") for c in chunks] or [""]
