"""Greet, goodbye, thanks, help: one-turn flows (out of scope counts as a miss in the engine)."""

from __future__ import annotations

from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from dialogue.messages import Button


class Greet(Flow):
    name = "greet"
    intents = ("greet",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        ctx.say("greet")


class Goodbye(Flow):
    name = "goodbye"
    intents = ("goodbye",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        ctx.say("goodbye")


class Thank(Flow):
    name = "thank"
    intents = ("thank",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        ctx.say("thank")


class Help(Flow):
    name = "help"
    intents = ("help",)
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        ctx.say("help", buttons=[
            Button(ctx.t("help_buttons_search"), '/search_product{"product": "%s"}'
                   % ("手机" if ctx.language == "zh" else "phone")),
            Button(ctx.t("help_buttons_orders"), "/check_order"),
        ])


FLOWS: tuple[type[Flow], ...] = (Greet, Goodbye, Thank, Help)
