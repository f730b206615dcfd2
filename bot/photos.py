"""Shoppers' photos (after-sales: a cracked screen, a wrong colour): stored under
`VAR_DIR/photos/` with a random name, served at `/photos/<name>`, and handed to the dialogue as
`/photo{"url": "/photos/<name>"}` so they go with the shopper's ticket in progress.

`POST /webchat/photos?sender=<id>&language=zh|en` takes the picture as the raw request body
(`Content-Type: image/jpeg`, `image/png` or `image/webp`, at most MAX_BYTES) and answers like
`POST /webchat/messages`: `{"replies": [...]}`. A file that is not one of those images (by its
first bytes, whatever the header says) is refused with 415 and a sentence in the page's language.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse

from bot.channels.webchat import SENDER_RE
from dialogue import responses
from dialogue.messages import IncomingMessage

MAX_BYTES = 5 * 1024 * 1024
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{20,40}\.(jpg|png|webp|pdf)$")
TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "pdf": "application/pdf"}


PhotoSaver = Callable[[bytes], Awaitable[str]]  # PhotoStore.save: bytes in, `/photos/<name>` out


class PhotoRejected(ValueError):
    """Not a JPEG, PNG or WebP picture, or too big."""


def photo_text(url: str) -> str:
    """The message a stored photo becomes for the dialogue: `/photo{"url": "/photos/<name>"}`."""
    return "/photo" + json.dumps({"url": url})


def sniff(data: bytes, pdf: bool = False) -> str:
    """The picture's kind by its first bytes: jpg, png or webp, or pdf when allowed (`PhotoRejected` otherwise)."""
    if pdf and data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    raise PhotoRejected("not a JPEG, PNG or WebP picture")


class PhotoStore:
    """Photos as files under one directory (created on first use), served under `prefix`.

    Merchants' qualification documents use the same store in their own directory, with PDF
    allowed and a prefix only reviewers can read (bot/console/merchant_reviews.py)."""

    def __init__(self, directory: Path, prefix: str = "/photos/", pdf: bool = False) -> None:
        self.directory = directory
        self.prefix = prefix
        self.pdf = pdf

    async def save(self, data: bytes) -> str:
        """Store the picture; its URL path, `<prefix><random>.<kind>` (`/photos/…` by default)."""
        if not data or len(data) > MAX_BYTES:
            raise PhotoRejected(f"a photo is 1 byte to {MAX_BYTES} bytes")
        name = f"{secrets.token_urlsafe(18)}.{sniff(data, self.pdf)}"

        def write() -> None:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / name).write_bytes(data)

        await asyncio.to_thread(write)
        return f"{self.prefix}{name}"

    def path(self, name: str) -> Path | None:
        if not NAME_RE.match(name):
            return None
        found = self.directory / name
        return found if found.is_file() else None


def build_photos_router(store: PhotoStore, handle: Any) -> APIRouter:
    router = APIRouter(tags=["photos"])

    @router.post("/webchat/photos", responses={415: {"description": "not a JPEG/PNG/WebP picture, or too big"}})
    async def upload(request: Request, sender: str, language: str | None = None) -> Any:
        if not SENDER_RE.match(sender):
            raise HTTPException(status_code=400, detail="bad sender id")
        lang = language if language in ("zh", "en") else "zh"
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BYTES:
                break
        try:
            url = await store.save(bytes(body))
        except PhotoRejected:
            return JSONResponse({"detail": responses.text("photo_rejected", lang)}, status_code=415)
        text = photo_text(url)
        message = IncomingMessage("webchat", sender, text, lang,
                                  {"channel": "webchat", "sender_id": sender, "ui_language": lang})
        replies = await handle(message)
        return {"url": url, "replies": [r.to_dict(sender) for r in replies]}

    @router.get("/photos/{name}", include_in_schema=False)
    async def photo(name: str) -> FileResponse:
        found = store.path(name)
        if found is None:
            raise HTTPException(status_code=404, detail="no such photo")
        return FileResponse(found, media_type=TYPES[name.rsplit(".", 1)[1]],
                            headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"})

    return router
