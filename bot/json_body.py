"""Reading JSON request bodies safely: too deep, not JSON or not encodable is a client error.

`json.loads` accepts what nothing downstream can handle: 20,000 nested arrays (RecursionError
in the parser or in whoever walks the value later) and `"\\ud800"`, a lone UTF-16 surrogate
that no UTF-8 encoder, database or JSON answer accepts. `parse_json` turns all of them into
`BadJson`; `JsonGuard` (ASGI middleware) refuses a JSON body holding a lone surrogate before any
route, FastAPI's validated models included, sees it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_DEPTH = 32  # nesting a request body may have (objects and arrays); ours need 3
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class BadJson(ValueError):
    """A request body that is not JSON (`kind` syntax), nests too deep (deep) or holds a lone
    surrogate (surrogate)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def parse_json(raw: bytes | str) -> Any:
    """The JSON value of a request body; BadJson when it is not one the bot can work with."""
    try:
        value = json.loads(raw)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise BadJson("body is not JSON", "syntax") from None
    except RecursionError:
        raise BadJson(f"body nests deeper than {MAX_DEPTH} levels", "deep") from None
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    check_value(value, strings=_SURROGATE_ESCAPE.search(data) is not None)
    return value


def check_value(value: Any, *, strings: bool = True) -> None:
    """BadJson when `value` nests deeper than MAX_DEPTH or (`strings`) holds a lone surrogate."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > MAX_DEPTH:
                raise BadJson(f"body nests deeper than {MAX_DEPTH} levels", "deep")
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, item in items:
                if strings and isinstance(key, str):
                    _check_text(key)
                stack.append((item, depth + 1))
        elif strings and isinstance(node, str):
            _check_text(node)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadJson("body holds a lone UTF-16 surrogate (not valid Unicode text)", "surrogate") from None


class JsonGuard:
    """400 for a JSON request body that holds a lone surrogate escape (`"\\ud800"`) or nests too deep.

    Only bodies whose bytes contain a `\\uD8..`–`\\uDF..` escape or more than MAX_DEPTH opening
    brackets are parsed here; every other body passes through untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        first: Message | None = None
        while more:
            message = await receive()
            if message["type"] != "http.request":
                first = message
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        suspicious = _SURROGATE_ESCAPE.search(body) is not None or body.count(b"[") + body.count(b"{") > MAX_DEPTH
        if suspicious and first is None:
            try:
                parse_json(body)
            except BadJson as exc:
                if exc.kind != "syntax":  # a syntax error is the route's to answer, in its words
                    await JSONResponse({"error": str(exc)}, status_code=400)(scope, receive, send)
                    return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return first or {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _is_json(scope: Scope) -> bool:
    if scope.get("method") not in ("POST", "PUT", "PATCH"):
        return False
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return b"json" in value.lower()
    return True  # no content type: FastAPI and our routes may still read it as JSON
