"""`GET /account/export/{token}`: the JSON file of everything kept about a shopper, behind the
signed link (an hour) the chat gave them for "export my data"."""

from __future__ import annotations

import json

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from bot.privacy import PrivacyDesk


def build_export_router(desk: PrivacyDesk) -> APIRouter:
    router = APIRouter(tags=["account"])

    @router.get("/account/export/{token}", responses={404: {"description": "unknown or expired link"}})
    async def export(token: str) -> Response:
        """Download the shopper's data (JSON)."""
        shopper_id = desk.shopper_of(token)
        if shopper_id is None:
            return JSONResponse({"error": "this link is unknown or has expired (1 hour)"}, status_code=404)
        body = json.dumps(await desk.export(shopper_id), ensure_ascii=False, indent=2)
        return Response(body, media_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="shopbot-my-data.json"',
                                 "Cache-Control": "no-store"})

    return router
