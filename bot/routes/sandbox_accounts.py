"""`GET /sandbox/verification-codes?to=<phone or e-mail>` (SANDBOX on): the codes the sandbox
SMS and e-mail senders sent there, newest first (contracts/channels.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from integrations.accounts.senders import SandboxCodeSender
from shop.accounts import AccountService, BadAddress


def build_sandbox_accounts_router(service: AccountService, sender: SandboxCodeSender) -> APIRouter:
    router = APIRouter(prefix="/sandbox", tags=["sandbox"])

    @router.get("/verification-codes", responses={400: {"description": "not a phone number or e-mail address"}})
    async def verification_codes(to: str = Query(..., max_length=254)) -> Any:
        """The codes sent to that phone number or e-mail address (written as a shopper would)."""
        try:
            address = service.parse_address(to)
        except BadAddress:
            return JSONResponse({"error": "to: not a phone number or e-mail address"}, status_code=400)
        return [{"code": m.code, "sent_at": m.sent_at.isoformat()}
                for m in sender.sent_to(address.value) if m.code is not None]

    return router
