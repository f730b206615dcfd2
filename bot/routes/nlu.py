"""`POST /model/parse`: the Rasa-compatible NLU endpoint, as a FastAPI route (inside the main
app) and as a bare ASGI app (the standalone `shopbot nlu serve`, where every request is this one
and the framework's routing would only cost time)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from bot.json_body import BadJson, parse_json
from nlu.types import Parser

log = logging.getLogger(__name__)
BAD_BODY = {"error": "body must be JSON with a string 'text'"}
LONG_TEXT = 200  # longer messages are parsed off the event loop inside the main app


def read_request(raw: bytes) -> tuple[str, str | None, dict[str, Any]] | None:
    """(text, language, body) of a parse request, or None when the body is not one."""
    try:
        body: Any = parse_json(raw or b"null")
    except BadJson:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return None
    language = body.get("language") if isinstance(body.get("language"), str) else None
    return body["text"], language, body


def answer(result: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Rasa's response shape, echoing `message_id` when the request had one."""
    out: dict[str, Any] = result.to_rasa()
    if "message_id" in body:
        out["message_id"] = body["message_id"]
    return out


def build_router(get_parser: Callable[[], Parser | None]) -> APIRouter:
    """A router with `POST /model/parse`; `get_parser()` returns the current parser (None: loading)."""
    router = APIRouter()

    @router.post("/model/parse")
    async def parse(request: Request) -> JSONResponse:
        req = read_request(await request.body())
        if req is None:
            return JSONResponse(BAD_BODY, status_code=400)
        parser = get_parser()
        if parser is None:
            return JSONResponse({"error": "NLU model is not loaded yet"}, status_code=503)
        text, language, body = req
        if len(text) < LONG_TEXT:
            result = parser.parse(text, language)
        else:
            result = await run_in_threadpool(parser.parse, text, language)
        return JSONResponse(answer(result, body))

    return router


class MicroBatcher:
    """Parses the requests that arrive together as one batch (`parse_many`): a flush is scheduled
    for the next turn of the event loop, so every request read in this turn joins it, and while a
    batch is parsed the next one gathers; a lone request is a batch of one."""

    def __init__(self, parser: Parser) -> None:
        self.parser = parser
        self.many: Callable[..., list[Any]] | None = getattr(parser, "parse_many", None)
        self.pending: list[tuple[str, str | None, asyncio.Future[Any]]] = []

    async def parse(self, text: str, language: str | None) -> Any:
        if self.many is None:
            return self.parser.parse(text, language)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self.pending:
            loop.call_soon(self._flush)
        self.pending.append((text, language, future))
        return await future

    def _flush(self) -> None:
        batch, self.pending = self.pending, []
        assert self.many is not None
        try:
            results = self.many([t for t, _l, _f in batch], [lg for _t, lg, _f in batch])
        except Exception as exc:  # noqa: BLE001 - every waiting request gets the error
            for _t, _l, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_t, _l, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)


def parse_asgi_app(parser: Parser) -> Callable[..., Any]:
    """A bare ASGI app serving only `POST /model/parse` (and `GET /` for a liveness check);
    concurrent requests are parsed in micro-batches. Wrap it in `BodySizeLimit`."""
    batcher = MicroBatcher(parser)

    async def send_json(send: Callable[..., Any], status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        if path == "/" and method in ("GET", "HEAD"):
            await send_json(send, 200, {"status": "ok", "service": "shopbot NLU"})
            return
        if path != "/model/parse":
            await send_json(send, 404, {"error": f"no route {path}; this server answers POST /model/parse"})
            return
        if method != "POST":
            await send_json(send, 405, {"error": "use POST"})
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        req = read_request(b"".join(chunks))
        if req is None:
            await send_json(send, 400, BAD_BODY)
            return
        text, language, body = req
        try:
            result = await batcher.parse(text, language)
        except Exception:  # the client gets an answer, the log the trace
            log.exception("parse failed")
            await send_json(send, 500, {"error": "the NLU model failed on this message"})
            return
        await send_json(send, 200, answer(result, body))

    return app
