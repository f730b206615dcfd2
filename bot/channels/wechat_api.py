"""WeChat Official Account server API: access token, customer-service messages, the menu, media.

`WeChatApi` speaks HTTPS JSON to `WECHAT_API_BASE_URL` (default api.weixin.qq.com) with httpx.
The access token (`/cgi-bin/token`) is cached in a `ChannelStore` until shortly before it
expires, so several workers share one token (fetching a new one invalidates the old one at
WeChat). An expired/invalid-token answer (40001, 40014, 42001) refreshes it once.

Errors: `WeChatApiError` (an errcode answer or an HTTP failure) — callers on the push path
turn it into `bot.push.ChannelSendError`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from bot.channels.store import ChannelStore, InMemoryChannelStore

TOKEN_KEY = "wx:access_token"
TOKEN_ERRORS = {40001, 40014, 42001}
DEFAULT_MENU: list[dict[str, Any]] = [
    {"type": "click", "name": "帮助", "key": "/help"},
    {"type": "click", "name": "我的订单", "key": "/check_order"},
    {
        "name": "更多",
        "sub_button": [
            {"type": "click", "name": "物流查询", "key": "/track_shipment"},
            {"type": "click", "name": "降价提醒", "key": "/list_price_alerts"},
            {"type": "click", "name": "售后进度", "key": "/check_ticket"},
            {"type": "click", "name": "人工客服", "key": "/human_handoff"},
        ],
    },
]


class WeChatApiError(Exception):
    """The WeChat API answered with an errcode, or could not be reached."""

    def __init__(self, message: str, errcode: int | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode


class WeChatApi:
    """Client of the Official Account server API (token, message/custom/send, menu/create)."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        base_url: str = "https://api.weixin.qq.com",
        store: ChannelStore | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._app_id = app_id
        self._app_secret = app_secret
        self._base = base_url.rstrip("/")
        self._store: ChannelStore = store or InMemoryChannelStore()
        self._http = http
        self._owns_http = http is None
        self._lock: asyncio.Lock | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=10.0)
        return self._http

    async def close(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    async def access_token(self, refresh: bool = False) -> str:
        """The cached access token, fetched from `/cgi-bin/token` when missing or expired."""
        if not refresh:
            cached = await self._store.get(TOKEN_KEY)
            if cached:
                return cached
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if not refresh:
                cached = await self._store.get(TOKEN_KEY)
                if cached:
                    return cached
            data = await self._request(
                "GET",
                "/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self._app_id, "secret": self._app_secret},
            )
            token = data.get("access_token")
            if not isinstance(token, str) or not token:
                raise WeChatApiError(f"no access_token in answer: {data}")
            expires = float(data.get("expires_in") or 7200)
            await self._store.set(TOKEN_KEY, token, max(60.0, expires - 300.0))
            return token

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            resp = await self._client().request(method, self._base + path, **kwargs)
            resp.raise_for_status()
            data = resp.json()
        except (httpx.HTTPError, json.JSONDecodeError) as exc:
            raise WeChatApiError(f"{path}: {exc}") from exc
        if not isinstance(data, dict):
            raise WeChatApiError(f"{path}: unexpected answer")
        errcode = data.get("errcode")
        if errcode:
            raise WeChatApiError(f"{path}: {errcode} {data.get('errmsg')}", int(errcode))
        return data

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        content = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        for attempt in (0, 1):
            token = await self.access_token(refresh=attempt == 1)
            try:
                return await self._request(
                    "POST", path, params={"access_token": token}, content=content, headers=headers
                )
            except WeChatApiError as exc:
                if exc.errcode in TOKEN_ERRORS and attempt == 0:
                    continue
                raise
        raise AssertionError("unreachable")

    async def send_custom(self, openid: str, message: dict[str, Any]) -> None:
        """Send one customer-service message (`message` is `{"msgtype": ..., <type>: {...}}`)."""
        await self._post("/cgi-bin/message/custom/send", {"touser": openid, **message})

    async def get_media(self, media_id: str, max_bytes: int) -> bytes:
        """Download a temporary media file a follower sent (`/cgi-bin/media/get`): the file's bytes.

        WeChat answers an error as JSON instead of the file; a file over `max_bytes` is refused
        before it is read whole (`WeChatApiError` either way)."""
        for attempt in (0, 1):
            token = await self.access_token(refresh=attempt == 1)
            params = {"access_token": token, "media_id": media_id}
            try:
                async with self._client().stream("GET", self._base + "/cgi-bin/media/get", params=params) as resp:
                    resp.raise_for_status()
                    ctype = resp.headers.get("content-type", "")
                    body = bytearray()
                    async for chunk in resp.aiter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            raise WeChatApiError(f"media {media_id}: over {max_bytes} bytes")
            except httpx.HTTPError as exc:
                raise WeChatApiError(f"/cgi-bin/media/get: {exc}") from exc
            if not (ctype.startswith(("application/json", "text/plain")) and body.lstrip().startswith(b"{")):
                return bytes(body)
            try:
                data = json.loads(bytes(body))
            except json.JSONDecodeError as exc:
                raise WeChatApiError(f"/cgi-bin/media/get: {exc}") from exc
            errcode = int(data.get("errcode") or 0) if isinstance(data, dict) else 0
            if errcode in TOKEN_ERRORS and attempt == 0:
                continue
            raise WeChatApiError(f"/cgi-bin/media/get: {errcode} {data}", errcode or None)
        raise AssertionError("unreachable")

    async def create_menu(self, buttons: list[dict[str, Any]]) -> None:
        """Replace the account's custom menu (`/cgi-bin/menu/create`)."""
        await self._post("/cgi-bin/menu/create", {"button": buttons})


async def setup_menu(api: WeChatApi, buttons: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Install the menu (the default one unless given); click keys are intent payloads."""
    menu = buttons if buttons is not None else DEFAULT_MENU
    await api.create_menu(menu)
    return menu
