"""The conversation tracker: an event log reduced to the current state.

State is never stored on its own: `DialogueState` is what folding the events gives, so a
tracker loaded on another worker, or after a restart, is the same conversation.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from tracking import events as ev
from tracking.events import Event


@dataclass
class FlowFrame:
    flow: str
    frame: dict[str, Any] = field(default_factory=dict)


@dataclass
class DialogueState:
    slots: dict[str, Any] = field(default_factory=dict)
    flows: list[FlowFrame] = field(default_factory=list)  # a stack; the last is active
    paused: bool = False
    language: str | None = None
    latest_text: str | None = None
    latest_parse: dict[str, Any] = field(default_factory=dict)
    turns: int = 0

    def apply(self, event: Event) -> None:
        t, d = event.type, event.data
        if t == ev.USER:
            self.latest_text = d.get("text")
            self.latest_parse = d.get("parse") or {}
            self.turns += 1
        elif t == ev.SLOT:
            if d.get("value") is None:
                self.slots.pop(d["name"], None)
            else:
                self.slots[d["name"]] = d["value"]
        elif t == ev.FLOW_STARTED:
            self.flows.append(FlowFrame(d["flow"], copy.deepcopy(d.get("frame") or {})))
        elif t == ev.FLOW_UPDATED:
            for frame in reversed(self.flows):
                if frame.flow == d["flow"]:
                    frame.frame = copy.deepcopy(d.get("frame") or {})
                    break
        elif t == ev.FLOW_ENDED:
            for i in range(len(self.flows) - 1, -1, -1):
                if self.flows[i].flow == d["flow"]:
                    del self.flows[i]
                    break
        elif t == ev.PAUSED:
            self.paused = True
        elif t == ev.RESUMED:
            self.paused = False
        elif t == ev.LANGUAGE:
            self.language = d.get("language")
        elif t == ev.RESTARTED:
            lang = self.language
            self.__init__()  # type: ignore[misc]
            self.language = lang


class Tracker:
    """One conversation: its saved events, the ones added this turn, and the reduced state."""

    def __init__(self, conversation_id: str, events: list[Event] | None = None) -> None:
        self.conversation_id = conversation_id
        self.events: list[Event] = []
        self.new_events: list[Event] = []
        self.state = DialogueState()
        for e in events or []:
            self.events.append(e)
            self.state.apply(e)

    def add(self, event: Event) -> None:
        self.events.append(event)
        self.new_events.append(event)
        self.state.apply(event)

    def take_new_events(self) -> list[Event]:
        new, self.new_events = self.new_events, []
        return new

    @property
    def active_flow(self) -> FlowFrame | None:
        return self.state.flows[-1] if self.state.flows else None

    def slot(self, name: str, default: Any = None) -> Any:
        return self.state.slots.get(name, default)

    def transcript(self) -> list[dict[str, Any]]:
        """User and bot messages in order, for the support console and tests."""
        out: list[dict[str, Any]] = []
        for e in self.events:
            if e.type == ev.USER:
                out.append({"from": "user", "text": e.data.get("text"), "time": e.timestamp})
            elif e.type == ev.BOT:
                reply = e.data.get("reply") or {}
                out.append({"from": reply.get("sender", "bot"), "text": reply.get("text"),
                            "reply": reply, "time": e.timestamp})
        return out
