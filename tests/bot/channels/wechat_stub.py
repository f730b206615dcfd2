"""A local WeChat API server stub: /cgi-bin/token, message/custom/send, menu/create, media/get.

Answers with WeChat's JSON shapes (`{"access_token", "expires_in"}`, `{"errcode", "errmsg"}`),
checks app id/secret and the access token on every call, and records what was sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

APP_ID = "wx1234567890abcdef"
APP_SECRET = "appsecret-0123456789abcdef01234567"


@dataclass
class WeChatApiStub:
    token_fetches: int = 0
    valid_token: str | None = None
    sent: list[dict[str, Any]] = field(default_factory=list)
    menus: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)  # media_id -> the file a follower sent

    def expire_token(self) -> None:
        """Make the issued token invalid, as WeChat does when it expires (errcode 42001)."""
        self.valid_token = None

    def app(self) -> FastAPI:
        api = FastAPI()

        @api.get("/cgi-bin/token")
        async def token(grant_type: str = "", appid: str = "", secret: str = "") -> JSONResponse:
            if grant_type != "client_credential" or appid != APP_ID or secret != APP_SECRET:
                return JSONResponse({"errcode": 40013, "errmsg": "invalid appid"})
            self.token_fetches += 1
            self.valid_token = f"ACCESS_TOKEN_{self.token_fetches}"
            return JSONResponse({"access_token": self.valid_token, "expires_in": 7200})

        async def checked(request: Request, into: list[dict[str, Any]]) -> JSONResponse:
            given = request.query_params.get("access_token")
            if given is None or given != self.valid_token:
                code = 42001 if given and given.startswith("ACCESS_TOKEN_") else 40001
                return JSONResponse({"errcode": code, "errmsg": "access_token expired or invalid"})
            into.append(json.loads((await request.body()).decode("utf-8")))
            return JSONResponse({"errcode": 0, "errmsg": "ok"})

        @api.post("/cgi-bin/message/custom/send")
        async def custom_send(request: Request) -> JSONResponse:
            return await checked(request, self.sent)

        @api.post("/cgi-bin/menu/create")
        async def menu_create(request: Request) -> JSONResponse:
            return await checked(request, self.menus)

        @api.get("/cgi-bin/media/get")
        async def media_get(access_token: str = "", media_id: str = "") -> Response:
            if access_token != self.valid_token:
                return JSONResponse({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"})
            if media_id not in self.media:
                return JSONResponse({"errcode": 40007, "errmsg": "invalid media_id"})
            return Response(self.media[media_id], media_type="image/jpeg",
                            headers={"Content-disposition": f'attachment; filename="{media_id}.jpg"'})

        return api
