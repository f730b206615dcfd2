"""Channel-neutral messages: what every channel turns its wire format into, and renders back.

See ../shared/contracts/channels.md. A channel adapter (bot/channels/*) builds an
`IncomingMessage`, the dialogue engine answers with `Reply` objects, and the channel renders
them (REST JSON, Telegram inline keyboards, WeChat XML, web chat cards).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_PAYLOAD_RE = re.compile(r"^/(?P<intent>[A-Za-z_][A-Za-z0-9_]*)(?P<entities>\{.*\})?\s*$", re.DOTALL)


@dataclass(frozen=True)
class IncomingMessage:
    """One message from a shopper, whatever channel it came through."""

    channel: str
    sender_id: str
    text: str = ""
    language: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def conversation_id(self) -> str:
        return conversation_id(self.channel, self.sender_id)

    def intent_payload(self) -> tuple[str, dict[str, Any]] | None:
        """`/intent{"entity": value}` bypasses the NLU, exactly as in Rasa; None otherwise."""
        return parse_intent_payload(self.text)


def conversation_id(channel: str, sender_id: str) -> str:
    return f"{channel}:{sender_id}"


def button_payload(intent: str, **entities: Any) -> str:
    """A button payload: `/intent` or `/intent{"entity": value}` (what parse_intent_payload reads)."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def parse_intent_payload(text: str) -> tuple[str, dict[str, Any]] | None:
    """Parse `/intent` or `/intent{json}`; None when the text is not such a payload."""
    m = _PAYLOAD_RE.match(text.strip())
    if not m:
        return None
    raw = m.group("entities")
    entities: dict[str, Any] = {}
    if raw:
        try:
            loaded = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):  # not JSON, or nested past the parser's stack
            return None
        if not isinstance(loaded, dict):
            return None
        entities = loaded
    return m.group("intent"), entities


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Reply:
    """One bot message: text, buttons, an image URL and/or a structured `custom` payload."""

    text: str | None = None
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    custom: dict[str, Any] | None = None

    def to_dict(self, recipient_id: str) -> dict[str, Any]:
        """The REST channel's JSON shape (contracts/channels.md)."""
        out: dict[str, Any] = {"recipient_id": recipient_id}
        if self.text is not None:
            out["text"] = self.text
        if self.buttons:
            out["buttons"] = [b.to_dict() for b in self.buttons]
        if self.image is not None:
            out["image"] = self.image
        if self.custom is not None:
            out["custom"] = self.custom
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data.get("text"),
            buttons=tuple(Button(b["title"], b["payload"]) for b in data.get("buttons") or ()),
            image=data.get("image"),
            custom=data.get("custom"),
        )
