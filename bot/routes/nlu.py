"""`POST /model/parse`: the Rasa-compatible NLU endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from nlu.types import Parser


def build_router(get_parser: Callable[[], Parser | None]) -> APIRouter:
    """A router with `POST /model/parse`; `get_parser()` returns the current parser (None: loading)."""
    router = APIRouter()

    @router.post("/model/parse")
    async def parse(request: Request) -> JSONResponse:
        try:
            body: Any = json.loads(await request.body() or b"null")
        except (ValueError, UnicodeDecodeError):
            return JSONResponse({"error": "body must be JSON with a string 'text'"}, status_code=400)
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return JSONResponse({"error": "body must be JSON with a string 'text'"}, status_code=400)
        parser = get_parser()
        if parser is None:
            return JSONResponse({"error": "NLU model is not loaded yet"}, status_code=503)
        language = body.get("language") if isinstance(body.get("language"), str) else None
        text: str = body["text"]
        if len(text) < 200:
            result = parser.parse(text, language)
        else:
            result = await run_in_threadpool(parser.parse, text, language)
        out = result.to_rasa()
        if "message_id" in body:
            out["message_id"] = body["message_id"]
        return JSONResponse(out)

    return router
