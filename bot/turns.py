"""The turn handler every channel calls: the engine, timed, with failures turned into a polite reply."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.observability import Metrics
from dialogue import responses
from dialogue.engine import DialogueEngine
from dialogue.language import choose_language
from dialogue.messages import IncomingMessage, Reply

log = logging.getLogger(__name__)

TurnHandler = Callable[[IncomingMessage], Awaitable[list[Reply]]]


def build_turn_handler(engine: DialogueEngine, metrics: Metrics) -> TurnHandler:
    async def handle(msg: IncomingMessage) -> list[Reply]:
        try:
            with metrics.timed_turn(msg.channel):
                return await engine.handle(msg)
        except Exception:  # the edge: logged and counted, never a stack trace to the shopper
            log.exception("turn failed", extra={"conversation": msg.conversation_id})
            lang = choose_language(None, msg.text or "", None, msg.language)
            return [Reply(text=responses.text("error_generic", lang))]

    return handle
