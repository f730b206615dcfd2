"""One turn's context: the message, its parse, the tracker, and helpers flows use to answer."""

from __future__ import annotations

from typing import Any

from dialogue import responses
from dialogue.messages import Button, IncomingMessage, Reply
from dialogue.ports import Services
from dialogue.presentation.money import format_money
from nlu.types import ParseResult
from shop.shoppers import Shopper
from tracking import events as ev
from tracking.tracker import FlowFrame, Tracker

__all__ = ["Services", "TurnContext"]


class TurnContext:
    def __init__(self, msg: IncomingMessage, tracker: Tracker, parse: ParseResult, language: str,
                 services: Services, shopper: Shopper | None = None) -> None:
        self.msg = msg
        self.tracker = tracker
        self.parse = parse
        self.language = language
        self.services = services
        self.shopper = shopper
        self.replies: list[Reply] = []
        self.aside = False  # set by an answer given beside a pending question (e.g. the cart shown): it is asked again

    # --- reading ---------------------------------------------------------------------
    @property
    def intent(self) -> str:
        return self.parse.intent.name

    def entity(self, name: str) -> Any:
        e = self.parse.first(name)
        return None if e is None else e.value

    def entities(self, name: str) -> list[Any]:
        return self.parse.values(name)

    def slot(self, name: str, default: Any = None) -> Any:
        return self.tracker.slot(name, default)

    @property
    def active_frame(self) -> FlowFrame | None:
        return self.tracker.active_flow

    # --- answering -------------------------------------------------------------------
    def t(self, key: str, **fields: Any) -> str:
        return responses.text(key, self.language, **fields)

    def money(self, amount: Any) -> str:
        return format_money(amount, self.language)

    def say(self, key: str, *, buttons: tuple[Button, ...] | list[Button] = (), custom: dict[str, Any] | None = None,
            image: str | None = None, **fields: Any) -> None:
        self.replies.append(Reply(text=self.t(key, **fields), buttons=tuple(buttons), custom=custom, image=image))

    def say_lines(self, lines: list[str], *, buttons: tuple[Button, ...] | list[Button] = (),
                  custom: dict[str, Any] | None = None, image: str | None = None) -> None:
        """One reply made of several catalog texts already rendered with `t()`."""
        self.replies.append(Reply(text="\n".join(lines), buttons=tuple(buttons), custom=custom, image=image))

    def reply_text(self, text: str, *, buttons: tuple[Button, ...] | list[Button] = (),
                   custom: dict[str, Any] | None = None) -> None:
        """A reply whose text was rendered elsewhere (e.g. a service's own catalog helper)."""
        self.replies.append(Reply(text=text, buttons=tuple(buttons), custom=custom))

    def reply(self, reply: Reply) -> None:
        self.replies.append(reply)

    # --- state -----------------------------------------------------------------------
    def set_slot(self, name: str, value: Any) -> None:
        if self.tracker.slot(name) != value:
            self.tracker.add(ev.slot_set(name, value))

    def start_flow(self, flow: str, frame: dict[str, Any] | None = None) -> None:
        self.tracker.add(ev.flow_started(flow, frame))

    def update_frame(self, flow: str, frame: dict[str, Any]) -> None:
        self.tracker.add(ev.flow_updated(flow, frame))

    def end_flow(self, flow: str) -> None:
        self.tracker.add(ev.flow_ended(flow))

    def end_all_flows(self) -> None:
        for frame in reversed(list(self.tracker.state.flows)):
            self.tracker.add(ev.flow_ended(frame.flow))
