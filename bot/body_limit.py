"""413 for request bodies over a limit, as ASGI middleware (the main app and the standalone NLU
server)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024


class BodySizeLimit:
    """413 for request bodies over the limit, whether announced (Content-Length) or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES,
                 paths: Mapping[str, int] | None = None) -> None:
        """`paths`: a larger limit for these exact paths (a photo upload)."""
        self.app, self.max_bytes = app, max_bytes
        self.paths = dict(paths or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.paths.get(scope.get("path", ""), self.max_bytes)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _too_large(scope, receive, send)
                return
        seen = 0

        async def limited_receive():  # type: ignore[no-untyped-def]
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _too_large(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    resp = JSONResponse({"error": f"request body over {MAX_BODY_BYTES // 1024} KiB"}, status_code=413)
    await resp(scope, receive, send)
