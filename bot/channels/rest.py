"""The REST channel, Rasa-compatible (contracts/channels.md).

`POST /webhooks/rest/webhook` {"sender", "message"} → the replies as a JSON array;
`GET /webhooks/rest/outbox?sender=` → the pushed replies waiting for that sender (removed).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from bot.json_body import BadJson, parse_json
from bot.turns import TurnHandler
from dialogue.messages import IncomingMessage, conversation_id
from tracking.outbox import Outbox

CHANNEL = "rest"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


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
        sender, message = body.get("sender"), body.get("message")
        if not isinstance(sender, str) or not sender.strip():
            return _error(400, "'sender' must be a non-empty string")
        if len(sender) > 200:
            return _error(400, "'sender' must be at most 200 characters")
        if not isinstance(message, str):
            return _error(400, "'message' must be a string")
        metadata = body.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            return _error(400, "'metadata' must be an object")
        language = body.get("language")
        if language is not None and language not in ("zh", "en"):
            return _error(400, "'language' must be zh or en")
        msg = IncomingMessage(CHANNEL, sender, message, language, metadata or {})
        replies = await handle(msg)
        return [r.to_dict(sender) for r in replies]

    @router.get("/webhooks/rest/outbox")
    async def outbox_route(sender: str = Query(..., min_length=1, max_length=200)) -> Any:
        return await outbox.drain(conversation_id(CHANNEL, sender))

    return router
