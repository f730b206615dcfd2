"""Spot checks and delistings in the support console (issue 20.3, 20.4): the check queue
(sampled by the `spot_checks` job), pass or fail with a reason, appealed delistings to decide.

Merchant reviewers and supervisors only (403 for agents); the console's session cookie and CSRF
token. Every decision is a line of the `shopbot.audit` log. The page is /console/spot-checks.

No `from __future__ import annotations` here: FastAPI resolves the `Reviewer` alias from the
evaluated annotations.
"""

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from bot.console.api import PAGE_CSP, STATIC_DIR
from bot.console.merchant_reviews import reviewer_dependency
from bot.console.setup import ConsoleParts
from shop.handoff import StaffMember
from shop.spot_checks import (
    CheckNotFound,
    CheckStatus,
    DelistingNotFound,
    DelistingStatus,
    IllegalQualityTransition,
    MissingReason,
    QualityService,
)

audit = logging.getLogger("shopbot.audit")


class CheckResultBody(BaseModel):
    passed: bool
    reason: str = Field(min_length=1, max_length=2000)


class AppealDecisionBody(BaseModel):
    relist: bool
    note: str = Field(min_length=1, max_length=2000)


def build_spot_check_router(parts: ConsoleParts, quality: QualityService | None) -> APIRouter:
    router = APIRouter(tags=["support console"])
    auth = parts.auth
    base = "/console/api/spot-checks"

    def desk() -> QualityService:
        if quality is None:
            raise HTTPException(status_code=404, detail="spot checks are not available")
        return quality

    reviewer = reviewer_dependency(auth)

    Reviewer = Annotated[StaffMember, Depends(reviewer)]

    @router.get("/console/spot-checks", include_in_schema=False)
    async def page() -> Response:
        return FileResponse(STATIC_DIR / "spot_checks.html", media_type="text/html",
                            headers={"Content-Security-Policy": PAGE_CSP, "X-Frame-Options": "DENY"})

    @router.get("/console/spot-checks/static/spot_checks.js", include_in_schema=False)
    async def script() -> Response:
        return FileResponse(STATIC_DIR / "spot_checks.js", media_type="text/javascript")

    @router.get(base, responses={400: {"description": "unknown status"}})
    async def queue(member: Reviewer, status: str | None = None) -> dict[str, Any]:
        """Checks waiting for a result (oldest first), or those of one status."""
        try:
            statuses = [CheckStatus(status)] if status else None
        except ValueError as exc:
            raise HTTPException(status_code=400, detail="unknown check status") from exc
        return {"checks": [c.to_dict() for c in await desk().queue(statuses)]}

    @router.post(base + "/{check_id}/result", responses={404: {"description": "no such check"},
                                                         409: {"description": "decided already"}})
    async def result(check_id: str, body: CheckResultBody, member: Reviewer) -> dict[str, Any]:
        """Pass or fail a check; a failure delists the product and may suspend the merchant."""
        try:
            decision = await desk().decide(check_id, member.username, body.passed, body.reason)
        except CheckNotFound as exc:
            raise HTTPException(status_code=404, detail="no such check") from exc
        except IllegalQualityTransition as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        except MissingReason as exc:
            raise HTTPException(status_code=400, detail="a reason is needed") from exc
        check = decision.check
        audit.info("staff:%s spot check %s of %s (%s %s): %s, %s", member.username, check.id, check.merchant,
                   check.platform, check.product_id, check.status.value, check.reason)
        standing = decision.standing
        return {"check": check.to_dict(),
                "delisting": decision.delisting.to_dict() if decision.delisting else None,
                "merchant": {"merchant": standing.merchant, "passed_checks": standing.passed_checks,
                             "failed_checks": standing.failed_checks, "suspended": standing.suspended,
                             "suspended_now": decision.suspended_now},
                "flagged_orders": list(decision.flagged_orders)}

    @router.get("/console/api/delistings", responses={400: {"description": "unknown status"}})
    async def delistings(member: Reviewer, status: str | None = None) -> dict[str, Any]:
        """Delistings, newest first (`status=appealed`: appeals waiting for a decision)."""
        try:
            statuses = [DelistingStatus(status)] if status else None
        except ValueError as exc:
            raise HTTPException(status_code=400, detail="unknown delisting status") from exc
        return {"delistings": [d.to_dict() for d in await desk().delistings(statuses=statuses)]}

    @router.post("/console/api/delistings/{delisting_id}/decision",
                 responses={404: {"description": "no such delisting"}, 409: {"description": "not appealed"}})
    async def decide_appeal(delisting_id: str, body: AppealDecisionBody, member: Reviewer) -> dict[str, Any]:
        """Relist the product (appeal upheld) or keep it delisted."""
        try:
            moved = await desk().decide_appeal(delisting_id, member.username, body.relist, body.note)
        except DelistingNotFound as exc:
            raise HTTPException(status_code=404, detail="no such delisting") from exc
        except IllegalQualityTransition as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        except MissingReason as exc:
            raise HTTPException(status_code=400, detail="a reason is needed") from exc
        audit.info("staff:%s appeal on delisting %s (%s %s): %s, %s", member.username, moved.id, moved.merchant,
                   moved.product_id, moved.status.value, moved.decision_note)
        return moved.to_dict()

    return router
