"""Merchant applications in the support console (issue 20.2): the queue, one application with
its documents and audit trail, starting a review, approving, rejecting with a reason;
suspending an approved merchant (their key stops working) and reinstating them.

Only merchant reviewers (`merchant_reviewer`) and supervisors may (403 for agents). The same
session cookie and CSRF token as the rest of the console (bot/console/api.py). Every decision
is an event of the application (who, what, when, why: the audit trail, shown with it) and a
line of the `shopbot.audit` log. The page is /console/merchants.

No `from __future__ import annotations` here: FastAPI resolves the `Reviewer` dependency alias,
local to the router builder, from the evaluated annotations.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from bot.console.api import PAGE_CSP, STATIC_DIR
from bot.console.auth import COOKIE_NAME
from bot.console.setup import ConsoleParts
from bot.photos import TYPES as PHOTO_TYPES
from bot.photos import PhotoStore
from shop.handoff import Role, StaffMember
from shop.merchants import (
    ApplicationNotFound,
    ApplicationStatus,
    IllegalApplicationTransition,
    InvalidApplication,
    MerchantApplication,
    MerchantOnboarding,
)

audit = logging.getLogger("shopbot.audit")
REVIEWER_ROLES = (Role.MERCHANT_REVIEWER, Role.SUPERVISOR)


def reviewer_dependency(auth: Any) -> Callable[[Request], Awaitable[StaffMember]]:
    """The signed-in merchant reviewer or supervisor of a request (401 / 403 otherwise; a change
    needs the session's CSRF token): shared by the application review and the spot-check desk."""

    async def reviewer(request: Request) -> StaffMember:
        found = await auth.resolve(request.cookies.get(COOKIE_NAME))
        if found is None:
            raise HTTPException(status_code=401, detail="log in first")
        member, session = found
        if member.role not in REVIEWER_ROLES:
            raise HTTPException(status_code=403, detail="merchant reviewers and supervisors only")
        if request.method != "GET" and not auth.csrf_ok(session, request.headers.get("x-csrf-token")):
            raise HTTPException(status_code=403, detail="missing or wrong X-CSRF-Token")
        return member

    return reviewer
PAGE_FILES = {"merchants.js": "text/javascript"}


class DecisionBody(BaseModel):
    note: str = Field(default="", max_length=2000)


class RejectBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


def build_merchant_review_router(parts: ConsoleParts, documents: PhotoStore | None = None) -> APIRouter:
    """Routes of the merchant review desk; mount with `app.include_router(...)`. `documents`: the
    scans applicants uploaded, which only reviewers (and supervisors) may open."""
    router = APIRouter(tags=["support console"])
    auth = parts.auth
    base = "/console/api/merchant-applications"

    def onboarding() -> MerchantOnboarding:
        found = parts.backends.merchants
        if found is None:
            raise HTTPException(status_code=404, detail="merchant onboarding is not available")
        return found

    reviewer = reviewer_dependency(auth)

    Reviewer = Annotated[StaffMember, Depends(reviewer)]

    async def detail(application: MerchantApplication) -> dict[str, Any]:
        events = await onboarding().events(application.id)
        return {"application": application.to_dict(), "audit": [e.to_dict() for e in events]}

    async def decide(application_id: str, member: StaffMember, action: str, note: str) -> dict[str, Any]:
        service = onboarding()
        actor = member.username  # the audit trail names staff by username (applicants: "applicant")
        try:
            if action == "review":
                moved = await service.start_review(application_id, actor)
            elif action == "approve":
                moved = await service.approve(application_id, actor, note)
            elif action == "suspend":
                moved = await service.suspend(application_id, actor, note)
            elif action == "reinstate":
                moved = await service.reinstate(application_id, actor, note)
            else:
                moved = await service.reject(application_id, actor, note)
        except ApplicationNotFound as exc:
            raise HTTPException(status_code=404, detail="no such application") from exc
        except IllegalApplicationTransition as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        except InvalidApplication as exc:
            raise HTTPException(status_code=400, detail="a reason is needed") from exc
        audit.info("staff:%s %s merchant application %s (%s, %s): now %s", actor, action, moved.id,
                   moved.company_name, moved.credit_code, moved.status.value)
        return await detail(moved)

    @router.get("/console/merchants", include_in_schema=False)
    async def page() -> Response:
        return FileResponse(STATIC_DIR / "merchants.html", media_type="text/html",
                            headers={"Content-Security-Policy": PAGE_CSP, "X-Frame-Options": "DENY"})

    @router.get("/console/merchants/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in PAGE_FILES:
            raise HTTPException(status_code=404, detail="not found")
        return FileResponse(STATIC_DIR / name, media_type=PAGE_FILES[name])

    @router.get(base, responses={400: {"description": "unknown status"}})
    async def queue(member: Reviewer, status: str | None = None) -> dict[str, Any]:
        """Waiting applications (submitted, under review), oldest first; or those of one status."""
        try:
            statuses = [ApplicationStatus(status)] if status else None
        except ValueError as exc:
            raise HTTPException(status_code=400, detail="unknown application status") from exc
        found = await onboarding().queue(statuses)
        return {"applications": [a.to_dict() for a in found]}

    @router.get(base + "/{application_id}")
    async def one(application_id: str, member: Reviewer) -> dict[str, Any]:
        try:
            return await detail(await onboarding().get(application_id))
        except ApplicationNotFound as exc:
            raise HTTPException(status_code=404, detail="no such application") from exc

    @router.post(base + "/{application_id}/review")
    async def review(application_id: str, member: Reviewer) -> dict[str, Any]:
        return await decide(application_id, member, "review", "")

    @router.post(base + "/{application_id}/approve")
    async def approve(application_id: str, body: DecisionBody, member: Reviewer) -> dict[str, Any]:
        return await decide(application_id, member, "approve", body.note)

    @router.post(base + "/{application_id}/reject", responses={400: {"description": "a reason is needed"}})
    async def reject(application_id: str, body: RejectBody, member: Reviewer) -> dict[str, Any]:
        return await decide(application_id, member, "reject", body.reason)

    @router.post(base + "/{application_id}/suspend", responses={400: {"description": "a reason is needed"}})
    async def suspend(application_id: str, body: RejectBody, member: Reviewer) -> dict[str, Any]:
        """An approved merchant's API key stops working at once."""
        return await decide(application_id, member, "suspend", body.reason)

    @router.post(base + "/{application_id}/reinstate")
    async def reinstate(application_id: str, body: DecisionBody, member: Reviewer) -> dict[str, Any]:
        return await decide(application_id, member, "reinstate", body.note)

    @router.get("/console/api/documents/{name}", responses={404: {"description": "no such document"}})
    async def document(name: str, member: Reviewer) -> FileResponse:
        """A qualification document an applicant uploaded (opened from the review desk)."""
        found = documents.path(name) if documents is not None else None
        if found is None:
            raise HTTPException(status_code=404, detail="no such document")
        return FileResponse(found, media_type=PHOTO_TYPES[name.rsplit(".", 1)[1]],
                            headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
                                     "Content-Security-Policy": "default-src 'none'; img-src 'self'; "
                                                                "object-src 'self'; sandbox"})

    return router
