"""Conversation events: the append-only log a tracker is reduced from.

Every event is a type, a timestamp and a JSON-able `data` dict, so every store can keep it
as one row / one list element. Constructors below name the kinds the dialogue uses.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

USER = "user"  # the shopper said something: {"text", "parse"}
BOT = "bot"  # the bot answered: {"reply"} (Reply.to_dict shape, without recipient)
SLOT = "slot"  # {"name", "value"}
FLOW_STARTED = "flow_started"  # {"flow", "frame"}
FLOW_UPDATED = "flow_updated"  # {"flow", "frame"}: the top frame's new state
FLOW_ENDED = "flow_ended"  # {"flow"}
PAUSED = "paused"  # a human agent holds the conversation: {"reason"}
RESUMED = "resumed"  # the bot speaks again: {"reason"}
LANGUAGE = "language"  # {"language"}
RESTARTED = "restarted"  # forget everything before this event


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any] = field(default_factory=dict)
    timestamp: float = field(default_factory=time.time)

    def to_json(self) -> str:
        return json.dumps(
            {"type": self.type, "data": self.data, "timestamp": self.timestamp},
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Event:
        obj = json.loads(raw)
        return cls(type=obj["type"], data=obj.get("data") or {}, timestamp=float(obj["timestamp"]))


def user_uttered(text: str, parse: dict[str, Any] | None = None) -> Event:
    return Event(USER, {"text": text, "parse": parse or {}})


def bot_uttered(reply: dict[str, Any]) -> Event:
    return Event(BOT, {"reply": reply})


def slot_set(name: str, value: Any) -> Event:
    return Event(SLOT, {"name": name, "value": value})


def flow_started(flow: str, frame: dict[str, Any] | None = None) -> Event:
    return Event(FLOW_STARTED, {"flow": flow, "frame": frame or {}})


def flow_updated(flow: str, frame: dict[str, Any]) -> Event:
    return Event(FLOW_UPDATED, {"flow": flow, "frame": frame})


def flow_ended(flow: str) -> Event:
    return Event(FLOW_ENDED, {"flow": flow})


def paused(reason: str) -> Event:
    return Event(PAUSED, {"reason": reason})


def resumed(reason: str) -> Event:
    return Event(RESUMED, {"reason": reason})


def language_set(language: str) -> Event:
    return Event(LANGUAGE, {"language": language})


def restarted() -> Event:
    return Event(RESTARTED, {})
