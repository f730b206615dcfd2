"""Share routes (issue 18.5): the QR code of a share link and a share's counts.

`GET /shares/{share_id}/qr.png` is the link as a QR code (PNG, made with `qrcode`) for a phone
to scan; `GET /shares/{share_id}` its counts: how often it was opened, how many orders followed.
Both 404 for an unknown share.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

import qrcode
from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from shop.sharing import ShareRepository, is_share_id, share_url


def qr_png(text: str) -> bytes:
    image = qrcode.make(text, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def build_share_router(repo: ShareRepository, base_url: str,
                       group_exists: Callable[[str], Awaitable[bool]] | None = None) -> APIRouter:
    """`group_exists`: a group buy's id is a share link's parameter too (its QR code is served here)."""
    router = APIRouter(prefix="/shares", tags=["shares"])

    async def known(share_id: str) -> Any:
        share = await repo.get(share_id) if is_share_id(share_id) else None
        if share is None:
            raise HTTPException(404, f"unknown share {share_id}")
        return share

    @router.get("/{share_id}/qr.png")
    async def qr(share_id: str) -> Response:
        """The share link (or group buy link) as a QR code."""
        if not (group_exists is not None and await group_exists(share_id)):
            share_id = (await known(share_id)).share_id
        return Response(qr_png(share_url(base_url, share_id)), media_type="image/png",
                        headers={"Cache-Control": "public, max-age=86400"})

    @router.get("/{share_id}")
    async def stats(share_id: str) -> dict[str, Any]:
        """What a share led to: openings and orders."""
        share = await known(share_id)
        return {"share_id": share.share_id, "product_id": share.product_id, "opens": share.opens,
                "orders": share.orders, "url": share_url(base_url, share.share_id)}

    return router
