"""A local Bot API server stub: Telegram's HTTP shapes, every call recorded.

Serves `/bot<token>/<method>` for getMe, sendMessage, sendPhoto, sendMediaGroup, answerCallbackQuery,
setWebhook, deleteWebhook, getUpdates and getFile, and file downloads at `/file/bot<token>/<file_path>`
(files put there with `add_file`), with Bot API response envelopes
(`{"ok": true, "result": ...}`, `{"ok": false, "error_code": ..., "description": ...}`).
Parameters arrive form-encoded (PTB's HTTPXRequest) or as JSON; nested values (reply_markup)
are decoded from their JSON strings so tests can compare them as dicts.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

BOT_USER = {
    "id": 7000001,
    "is_bot": True,
    "first_name": "ShopBot",
    "username": "shopbot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class BotApiStub:
    token: str
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    fail_methods: dict[str, tuple[int, str]] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # file_id -> (file_path, content)
    downloads: list[str] = field(default_factory=list)
    _message_id: int = 100
    _updates_ready: asyncio.Event | None = None

    def outgoing(self) -> list[Call]:
        """The calls a user would notice (everything but getMe/getUpdates/webhook set-up)."""
        quiet = {"getMe", "getUpdates", "deleteWebhook", "setWebhook", "close", "logOut"}
        return [c for c in self.calls if c.method not in quiet]

    def add_file(self, file_id: str, content: bytes, file_path: str | None = None) -> dict[str, Any]:
        """Keep a file a user sent; its PhotoSize-like description (file_id, file_unique_id, file_size)."""
        self.files[file_id] = (file_path or f"photos/file_{len(self.files)}.jpg", content)
        return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(content)}

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (polling)."""
        self.updates.append(update)
        if self._updates_ready is not None:
            self._updates_ready.set()

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait (bounded) until `count` calls of `method` were recorded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [c for c in self.calls if c.method == method]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.01)
        raise AssertionError(f"{method} not called {count} times: {self.calls}")

    def app(self) -> FastAPI:
        api = FastAPI()

        @api.api_route("/bot{token}/{method}", methods=["GET", "POST"])
        async def bot_method(token: str, method: str, request: Request) -> JSONResponse:
            if token != self.token:
                return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
            params = await _params(request)
            if method != "getUpdates":
                self.calls.append(Call(method, params))
            if method in self.fail_methods:
                code, description = self.fail_methods[method]
                return JSONResponse({"ok": False, "error_code": code, "description": description}, code)
            try:
                return JSONResponse({"ok": True, "result": await self._result(method, params)})
            except _ApiError as exc:
                return JSONResponse({"ok": False, "error_code": exc.code, "description": exc.description}, exc.code)

        @api.get("/file/bot{token}/{file_path:path}")
        async def download(token: str, file_path: str) -> Response:
            if token != self.token:
                return Response(status_code=401)
            for path, content in self.files.values():
                if path == file_path:
                    self.downloads.append(file_path)
                    return Response(content, media_type="application/octet-stream")
            return Response(status_code=404)

        return api

    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getFile":
            found = self.files.get(str(params.get("file_id")))
            if found is None:
                raise _ApiError(400, "Bad Request: invalid file_id")
            path, content = found
            return {"file_id": params["file_id"], "file_unique_id": f"u-{params['file_id']}",
                    "file_size": len(content), "file_path": path}
        if method in {"setWebhook", "deleteWebhook", "answerCallbackQuery"}:
            return True
        if method == "getUpdates":
            if self._updates_ready is None:
                self._updates_ready = asyncio.Event()
            if not self.updates:
                try:
                    await asyncio.wait_for(self._updates_ready.wait(), 0.5)
                except TimeoutError:
                    pass
            self._updates_ready.clear()
            offset = int(params.get("offset") or 0)
            batch = [u for u in self.updates if u["update_id"] >= offset]
            self.updates = batch
            return batch
        if method == "sendMediaGroup":
            out = []
            for media in params.get("media") or []:
                self._message_id += 1
                out.append({"message_id": self._message_id, "date": int(time.time()),
                            "chat": {"id": int(params["chat_id"]), "type": "private"}, "from": BOT_USER,
                            "caption": media.get("caption", ""),
                            "photo": [{"file_id": "AgAD-photo", "file_unique_id": "AQAD-photo", "width": 320,
                                       "height": 320}]})
            return out
        if method in {"sendMessage", "sendPhoto"}:
            self._message_id += 1
            message: dict[str, Any] = {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT_USER,
            }
            if method == "sendMessage":
                message["text"] = params.get("text", "")
            else:
                message["photo"] = [
                    {"file_id": "AgAD-photo", "file_unique_id": "AQAD-photo", "width": 320, "height": 320}
                ]
            return message
        return True


async def _params(request: Request) -> dict[str, Any]:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        body = await request.body()
        return json.loads(body) if body else {}
    form = await request.form()
    out: dict[str, Any] = {}
    for key, value in form.multi_items():
        if not isinstance(value, str):
            out[key] = {"filename": value.filename}
            continue
        if value[:1] in "{[":
            try:
                out[key] = json.loads(value)
                continue
            except json.JSONDecodeError:
                pass
        out[key] = value
    return out
