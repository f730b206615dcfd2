"""The turn handler every channel calls: the engine, timed, with failures turned into a polite reply."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from bot.observability import Metrics
from dialogue import responses
from dialogue.engine import DialogueEngine, TurnFailed
from dialogue.language import choose_language
from dialogue.messages import IncomingMessage, Reply

log = logging.getLogger(__name__)

TurnHandler = Callable[[IncomingMessage], Awaitable[list[Reply]]]


def _without_nul(value: Any) -> Any:
    """NUL is no character a shopper types, and PostgreSQL text refuses it: drop it everywhere."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def clean_message(msg: IncomingMessage) -> IncomingMessage:
    """The message without NUL characters in its text, sender or metadata."""
    if "\x00" not in msg.text and "\x00" not in msg.sender_id and not msg.metadata:
        return msg
    return replace(msg, text=_without_nul(msg.text), sender_id=_without_nul(msg.sender_id),
                   metadata=_without_nul(msg.metadata))


def build_turn_handler(engine: DialogueEngine, metrics: Metrics) -> TurnHandler:
    async def handle(msg: IncomingMessage) -> list[Reply]:
        msg = clean_message(msg)
        try:
            with metrics.timed_turn(msg.channel):
                return await engine.handle(msg)
        except TurnFailed as failed:  # the conversation's language is known: answer in it
            log.exception("turn failed", extra={"conversation": msg.conversation_id})
            if failed.replies:  # done and committed, only the transcript was not saved: say so
                return failed.replies
            return [Reply(text=responses.text("error_generic", failed.language))]
        except Exception:  # the edge: logged and counted, never a stack trace to the shopper
            log.exception("turn failed", extra={"conversation": msg.conversation_id})
            text = "" if msg.intent_payload() is not None else msg.text or ""  # a button says no language
            lang = choose_language(None, text, None, msg.language)
            return [Reply(text=responses.text("error_generic", lang))]

    return handle
