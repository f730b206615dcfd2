"""The REST channel, Rasa-compatible (contracts/channels.md).

`POST /webhooks/rest/webhook` {"sender", "message"} → the replies as a JSON array;
`GET /webhooks/rest/outbox?sender=` → the pushed replies waiting for that sender (removed).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.json_body import BadJson, parse_json
from bot.turns import TurnHandler
from dialogue.messages import IncomingMessage, conversation_id
from tracking.outbox import Outbox

CHANNEL = "rest"


class RestMessage(BaseModel):
    """The body of `POST /webhooks/rest/webhook` (Rasa's REST input shape); other keys are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")

    sender: str = Field(min_length=1, max_length=200)
    message: str
    metadata: dict[str, Any] | None = None
    language: Literal["zh", "en"] | None = None

    @field_validator("sender")
    @classmethod
    def _not_blank(cls, sender: str) -> str:
        if not sender.strip():
            raise ValueError("must not be blank")
        return sender


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _invalid(exc: ValidationError) -> str:
    """The first problem, as "'field': what is wrong"."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "body"
    return f"'{where}': {first['msg']}"


def build_rest_router(handle: TurnHandler, outbox: Outbox) -> APIRouter:
    router = APIRouter(tags=["rest channel"])

    @router.post("/webhooks/rest/webhook")
    async def webhook(request: Request) -> Any:
        raw = await request.body()
        try:
            body = parse_json(raw)
        except BadJson as exc:
            return _error(400, "body must be a JSON object" if exc.kind == "syntax" else str(exc))
        if not isinstance(body, dict):
            return _error(400, "body must be a JSON object")
        try:
            sent = RestMessage.model_validate(body)
        except ValidationError as exc:
            return _error(400, _invalid(exc))
        msg = IncomingMessage(CHANNEL, sent.sender, sent.message, sent.language, sent.metadata or {})
        replies = await handle(msg)
        return [r.to_dict(sent.sender) for r in replies]

    @router.get("/webhooks/rest/outbox")
    async def outbox_route(sender: str = Query(..., min_length=1, max_length=200)) -> Any:
        return await outbox.drain(conversation_id(CHANNEL, sender))

    return router
