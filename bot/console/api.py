"""The console's HTTP API under /console/api (JSON), the page at /console and its static files.

Every call needs a session cookie (401 without one); state-changing calls also need the
session's CSRF token in `X-CSRF-Token` (403 otherwise). An agent may read a waiting
conversation or one they hold; only a supervisor may read or answer one another agent holds
(403), and only a supervisor sees the queue statistics.
"""

import logging
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from bot.console.auth import COOKIE_NAME, AuthError, check_teams
from bot.console.collected import answer_ticket, collected_for, shoppers_by_phone, tickets_view
from bot.console.masking import known_values, scrub
from bot.console.readable import CHANNELS, display_name, lang_of, queue_row, readable_transcript
from bot.console.setup import ConsoleParts
from bot.console.tools import canned_replies, fill_typed, pick_products
from bot.console.ws import add_websocket_route
from dialogue.messages import Reply
from dialogue.presentation.money import format_money as money
from shop.handoff import (
    AlreadyTaken,
    AuditEntry,
    HandoffClosed,
    HandoffNotFound,
    HandoffRequest,
    NotYours,
    Role,
    StaffMember,
    StaffSession,
    Team,
)
from shop.masking import mask_phone
from tracking.store import TrackerStore

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "console"
STATIC_FILES = {"console.js": "text/javascript", "console.css": "text/css"}
audit = logging.getLogger("shopbot.audit")
PAGE_CSP = ("default-src 'self'; img-src 'self' data: http: https:; connect-src 'self' ws: wss:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class TextBody(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class ProductBody(BaseModel):
    product_id: str = Field(min_length=1, max_length=100)


class TeamsBody(BaseModel):
    teams: list[str] = Field(max_length=4)


class TransferBody(BaseModel):
    """`to`: an agent's username, or `team:pre_sales` / `team:after_sales`; `note`: for whoever takes over."""

    to: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=2000)


class RevealBody(BaseModel):
    """One personal value of the conversation's shopper, to be shown in clear."""

    field: Literal["display_name", "receiver_name", "phone", "email", "address"]


class AnswerBody(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=2000)


class Staff:
    """The logged-in staff member of a request."""

    def __init__(self, member: StaffMember, session: StaffSession) -> None:
        self.member, self.session = member, session

    @property
    def username(self) -> str:
        return self.member.username

    @property
    def supervisor(self) -> bool:
        return self.member.role is Role.SUPERVISOR


def _forbidden(message: str) -> HTTPException:
    return HTTPException(status_code=403, detail=message)


def _masked(phone: str | None) -> str | None:
    """138****5678: enough to recognise, not to dial."""
    return mask_phone(phone) if phone else None


def can_read(staff: Staff, request: HandoffRequest) -> bool:
    return staff.supervisor or request.agent_id in (None, staff.username)


def build_console_router(parts: ConsoleParts, store: TrackerStore) -> APIRouter:
    """Routes of the console; mount with `app.include_router(...)`."""
    router = APIRouter(tags=["support console"])
    auth, desk, services = parts.auth, parts.desk, parts.backends

    async def audited(actor: str, action: str, subject: str, detail: str = "") -> None:
        """One line of the staff audit trail (kept in the database) and of the `shopbot.audit` log."""
        await parts.audit.record(AuditEntry(parts.clock.now(), actor, action, subject, detail))
        audit.info("staff:%s %s %s %s", actor, action, subject, detail)

    async def current(request: Request) -> Staff:
        found = await auth.resolve(request.cookies.get(COOKIE_NAME))
        if found is None:
            raise HTTPException(status_code=401, detail="log in first")
        return Staff(*found)

    async def writer(request: Request, staff: Annotated[Staff, Depends(current)]) -> Staff:
        if not auth.csrf_ok(staff.session, request.headers.get("x-csrf-token")):
            raise _forbidden("missing or wrong X-CSRF-Token")
        return staff

    async def supervisor(staff: Annotated[Staff, Depends(current)]) -> Staff:
        if not staff.supervisor:
            raise _forbidden("supervisors only")
        return staff

    async def supervisor_writer(staff: Annotated[Staff, Depends(writer)]) -> Staff:
        if not staff.supervisor:
            raise _forbidden("supervisors only")
        return staff

    async def handoff(handoff_id: str) -> HandoffRequest:
        try:
            return await desk.queue.get(handoff_id)
        except HandoffNotFound as exc:
            raise HTTPException(status_code=404, detail="no such conversation in the queue") from exc

    async def readable(handoff_id: str, staff: Annotated[Staff, Depends(current)]) -> HandoffRequest:
        request = await handoff(handoff_id)
        if not can_read(staff, request):
            raise _forbidden("this conversation is held by another agent")
        return request

    async def held(handoff_id: str, staff: Annotated[Staff, Depends(writer)]) -> HandoffRequest:
        """Open and taken: by this agent (by anyone, for a supervisor)."""
        request = await handoff(handoff_id)
        if not request.open:
            raise HTTPException(status_code=409, detail="the conversation is back with the bot")
        if request.agent_id is None:
            raise HTTPException(status_code=409, detail="take the conversation first")
        if not staff.supervisor and request.agent_id != staff.username:
            raise _forbidden("this conversation is held by another agent")
        return request

    # --- page -------------------------------------------------------------------------
    @router.get("/console", include_in_schema=False)
    async def page() -> Response:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html",
                            headers={"Content-Security-Policy": PAGE_CSP, "X-Frame-Options": "DENY"})

    @router.get("/console/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in STATIC_FILES:
            raise HTTPException(status_code=404, detail="not found")
        return FileResponse(STATIC_DIR / name, media_type=STATIC_FILES[name])

    # --- session ----------------------------------------------------------------------
    throttle = parts.throttle

    def _locked_out(seconds: float) -> JSONResponse:
        wait = max(1, math.ceil(seconds))
        return JSONResponse(
            {"detail": f"too many failed logins: this account or address is locked for {wait} s",
             "locked_for_seconds": wait},
            status_code=429, headers={"Retry-After": str(wait)})

    @router.post("/console/api/login", responses={
        401: {"description": "wrong username or password (the same answer for both)"},
        429: {"description": "too many failed logins: locked out, see Retry-After"}})
    async def login(body: LoginBody, request: Request) -> Response:
        address = request.client.host if request.client else "unknown"
        if (left := await throttle.blocked_for(body.username, address)) > 0:
            return _locked_out(left)  # not even checked: a locked account costs no argon2 time
        try:
            member, session, cookie = await auth.login(body.username, body.password)
        except AuthError as exc:
            await audited(body.username.strip().lower()[:64], "login_failed", address)
            if (blocked := await throttle.failed(body.username, address)) > 0:
                return _locked_out(blocked)
            raise HTTPException(status_code=401, detail=str(exc)) from exc
        await throttle.succeeded(body.username)
        await audited(member.username, "login", address)
        resp = JSONResponse({"user": member.to_dict(), "csrf_token": session.csrf_token})
        resp.set_cookie(COOKIE_NAME, cookie, max_age=int(parts.config.session_lifetime.total_seconds()),
                        httponly=True, samesite="strict", secure=parts.config.secure_cookies, path="/console")
        return resp

    @router.post("/console/api/logout")
    async def logout(staff: Annotated[Staff, Depends(writer)]) -> Response:
        await auth.logout(staff.session)
        resp = JSONResponse({"ok": True})
        resp.delete_cookie(COOKIE_NAME, path="/console")
        return resp

    @router.get("/console/api/me")
    async def me(staff: Annotated[Staff, Depends(current)]) -> dict[str, Any]:
        return {"user": staff.member.to_dict(), "csrf_token": staff.session.csrf_token,
                "features": {"products": services.search is not None,
                             "tickets": services.aftersales is not None},
                "sla": {"amber_seconds": parts.config.sla_amber.total_seconds(),
                        "red_seconds": parts.config.sla_red.total_seconds()}}

    @router.get("/console/api/staff")
    async def staff_list(staff: Annotated[Staff, Depends(current)]) -> list[dict[str, Any]]:
        return [m.to_dict() | {"teams": list(await auth.repo.teams_of(m.username))} for m in await auth.repo.list()]

    @router.put("/console/api/staff/{username}/teams", responses={400: {"description": "unknown team"},
                                                                  404: {"description": "no such staff member"}})
    async def set_teams(username: str, body: TeamsBody, staff: Annotated[Staff, Depends(supervisor_writer)]
                        ) -> dict[str, Any]:
        """A supervisor puts a staff member in teams (pre_sales, after_sales); audited."""
        member = await auth.repo.get(username)
        if member is None:
            raise HTTPException(status_code=404, detail="no such staff member")
        try:
            teams = check_teams(body.teams)
        except AuthError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        await auth.repo.set_teams(member.username, teams)
        await audited(staff.username, "set_teams", member.username, ",".join(teams))
        return member.to_dict() | {"teams": list(teams)}

    @router.get("/console/api/canned")
    async def canned(staff: Annotated[Staff, Depends(current)], language: str = "zh",
                     handoff_id: str | None = None) -> list[str]:
        """Canned replies in `language`; with `handoff_id`, their {name} / {order_id} filled for
        that shopper (a reply whose variable has no value there is left out)."""
        lang = language if language in ("zh", "en") else "zh"
        request = None
        if handoff_id:
            request = await handoff(handoff_id)
            if not can_read(staff, request):
                raise _forbidden("this conversation is held by another agent")
        return await canned_replies(services, lang, request)

    @router.get("/console/api/products")
    async def products(staff: Annotated[Staff, Depends(current)], q: str = "", lang: str = "zh") -> dict[str, Any]:
        """The product picker: the catalog searched by words, priced as the shopper sees it."""
        if not q.strip():
            raise HTTPException(status_code=400, detail="type some words to search for")
        return await pick_products(services, q, lang_of(lang))

    # --- queues -------------------------------------------------------------------------
    @router.get("/console/api/queues")
    async def queues(staff: Annotated[Staff, Depends(current)], lang: str = "zh") -> dict[str, Any]:
        """Open conversations: each with the shopper's name, channel, last message, time waited and
        `sla` (ok, amber, red after CONSOLE_SLA_AMBER_SECONDS / CONSOLE_SLA_RED_SECONDS in the queue)."""
        open_ = await desk.queue.repo.list_open()
        now, config = parts.clock.now(), parts.config
        rows: dict[str, dict[str, Any]] = {}
        for r in open_:
            tracker = await store.load(r.conversation_id)
            shopper = await services.shoppers.by_identity(r.channel, r.recipient_id)
            rows[r.id] = queue_row(r, scrub(tracker.transcript(), known_values(shopper)), shopper, now, language=lang_of(lang),
                                   amber_seconds=config.sla_amber.total_seconds(),
                                   red_seconds=config.sla_red.total_seconds())
        waiting = []
        for r in open_:
            if r.waiting:
                position, wait = await desk.queue.place(r)
                waiting.append(rows[r.id] | {"position": position, "expected_wait_seconds": int(wait.total_seconds())})
        callbacks = []
        for r in await desk.queue.callbacks():
            shopper = await services.shoppers.by_identity(r.channel, r.recipient_id)
            callbacks.append(r.to_dict() | {"display_name": display_name(shopper, r.channel, r.recipient_id, lang_of(lang)),
                                            "phone": _masked(shopper.phone)})
        teams = await auth.repo.teams_of(staff.username)
        return {"waiting": waiting,
                "mine": [rows[r.id] for r in open_ if r.agent_id == staff.username],
                "teams": list(teams),  # the staff member's teams; "team": what was routed to them
                "team": [rows[r.id] for r in open_ if r.team is not None and r.team in teams],
                "active": [rows[r.id] for r in open_ if not r.waiting],
                "callbacks": callbacks}

    @router.get("/console/api/stats")
    async def stats(staff: Annotated[Staff, Depends(supervisor)]) -> dict[str, Any]:
        return (await desk.queue.stats()).to_dict()

    # --- one conversation -----------------------------------------------------------------
    @router.get("/console/api/handoffs/{handoff_id}")
    async def detail(request: Annotated[HandoffRequest, Depends(readable)], lang: str = "zh") -> dict[str, Any]:
        """`lang` (zh, en): the console's language for statuses, choices and the profile."""
        tracker = await store.load(request.conversation_id)
        shopper = await services.shoppers.by_identity(request.channel, request.recipient_id)
        who = {"display_name": display_name(shopper, request.channel, request.recipient_id, lang_of(lang)),
               "channel_label": CHANNELS[lang_of(lang)].get(request.channel, request.channel)}
        known = known_values(shopper)  # personal data masked; a supervisor reveals one value (`reveal`)
        collected = await collected_for(services, tracker, request, lang_of(lang))
        return {"handoff": request.to_dict() | who,
                "transcript": scrub(readable_transcript(tracker.transcript(), lang_of(lang)), known),
                "collected": scrub({k: v for k, v in collected.items() if k != "profile"}, known)
                | {"profile": collected["profile"]},
                "notes": [n.to_dict() for n in await desk.queue.repo.notes_for_conversation(
                    request.conversation_id)]}

    @router.post("/console/api/handoffs/{handoff_id}/reveal", responses={
        403: {"description": "agents may not reveal personal data (the attempt is audited)"},
        404: {"description": "no such conversation, or the shopper has no such value"}})
    async def reveal(body: RevealBody, handoff_id: str, staff: Annotated[Staff, Depends(writer)]) -> dict[str, Any]:
        """One of the conversation's shopper's personal values in clear, for a supervisor; every
        reveal and every refused attempt is a line of the staff audit trail (who, what, whose, when)."""
        request = await handoff(handoff_id)
        shopper = await services.shoppers.by_identity(request.channel, request.recipient_id)
        whose, what = f"shopper:{shopper.id}", f"{body.field} (conversation {handoff_id})"
        if not staff.supervisor:
            await audited(staff.username, "reveal_refused", whose, what)
            raise _forbidden("only a supervisor may reveal a shopper's personal data")
        value = getattr(shopper, body.field)
        if not value:
            raise HTTPException(status_code=404, detail="the shopper has no such value")
        await audited(staff.username, "reveal", whose, what)
        return {"field": body.field, "value": value}

    @router.get("/console/api/search")
    async def search(staff: Annotated[Staff, Depends(current)], q: str = "", lang: str = "zh") -> dict[str, Any]:
        """Conversations in the queue of the shopper with this full phone number (found by its keyed
        hash: the stored numbers are encrypted), of the order or ticket with this id, or whose name
        (display or receiver's, read decrypted from the few open conversations) contains these
        words; shown masked as the queue."""
        q = q.strip()[:64]
        if not q:
            raise HTTPException(status_code=400, detail="type a name, a full phone number, an order or ticket id")
        wanted = await shoppers_by_phone(services, q) if sum(ch.isdigit() for ch in q) >= 7 else set()
        if services.orders is not None:
            from shop.orders import OrderNotFound

            try:
                wanted.add((await services.orders.get(q)).shopper_id)
            except OrderNotFound:
                pass
        if services.aftersales is not None:
            from shop.aftersales import TicketNotFound

            try:
                wanted.add((await services.aftersales.get(q.upper())).shopper_id)
            except TicketNotFound:
                pass
        by_name = q.casefold() if not any(ch.isdigit() for ch in q) else ""
        now, config = parts.clock.now(), parts.config
        found = []
        for r in await desk.queue.repo.list_open() if wanted or by_name else ():
            shopper = await services.shoppers.by_identity(r.channel, r.recipient_id)
            named = by_name and any(by_name in (n or "").casefold() for n in (shopper.display_name, shopper.receiver_name))
            if shopper.id in wanted or named:
                tracker = await store.load(r.conversation_id)
                found.append(queue_row(r, scrub(tracker.transcript(), known_values(shopper)), shopper, now,
                                       language=lang_of(lang), amber_seconds=config.sla_amber.total_seconds(),
                                       red_seconds=config.sla_red.total_seconds()))
        return {"results": found}

    @router.post("/console/api/handoffs/{handoff_id}/take")
    async def take(handoff_id: str, staff: Annotated[Staff, Depends(writer)]) -> dict[str, Any]:
        await handoff(handoff_id)
        try:
            taken = await desk.take(handoff_id, staff.username, staff.member.display_name)
        except AlreadyTaken as exc:
            raise HTTPException(status_code=409, detail="another agent took it first") from exc
        except HandoffClosed as exc:
            raise HTTPException(status_code=409, detail="the conversation is back with the bot") from exc
        await audited(staff.username, "take", handoff_id)
        return {"handoff": taken.to_dict()}

    @router.post("/console/api/handoffs/{handoff_id}/reply")
    async def reply(body: TextBody, request: Annotated[HandoffRequest, Depends(held)],
                    staff: Annotated[Staff, Depends(writer)]) -> dict[str, Any]:
        text = await fill_typed(services, request, body.text)
        await desk.send(request, staff.username, Reply(text=text), staff.member.display_name)
        shopper = await services.shoppers.by_identity(request.channel, request.recipient_id)
        return {"ok": True, "text": scrub(text, known_values(shopper))}  # what was sent, as staff see it

    @router.post("/console/api/handoffs/{handoff_id}/product")
    async def product(body: ProductBody, request: Annotated[HandoffRequest, Depends(held)],
                      staff: Annotated[Staff, Depends(writer)]) -> dict[str, Any]:
        if services.search is None:
            raise HTTPException(status_code=404, detail="product search is not available")
        from dialogue.presentation.products import product_payload

        found = await services.search.get_product(body.product_id)
        if found is None:
            raise HTTPException(status_code=404, detail="no such product")
        try:
            payload = product_payload(found, request.language)
        except ValueError as exc:
            raise HTTPException(status_code=409, detail="the product has no offer now") from exc
        item = payload["item"]
        await desk.send(request, staff.username,
                        Reply(text=f"{item.get('title')} {money(item.get('price'), request.language)}",
                              image=item.get("image_url") or None, custom=payload))
        return {"ok": True, "item": item}

    @router.post("/console/api/handoffs/{handoff_id}/notes")
    async def add_note(body: TextBody, handoff_id: str, staff: Annotated[Staff, Depends(writer)]) -> dict[str, Any]:
        request = await handoff(handoff_id)
        if not can_read(staff, request):
            raise _forbidden("this conversation is held by another agent")
        note = await desk.queue.add_note(handoff_id, staff.username, body.text)
        return {"note": note.to_dict()}

    @router.post("/console/api/handoffs/{handoff_id}/transfer")
    async def transfer(body: TransferBody, request: Annotated[HandoffRequest, Depends(held)],
                       staff: Annotated[Staff, Depends(writer)]) -> dict[str, Any]:
        """To an agent (they hold it at once) or to a team (back in the queue for that team);
        the note is kept with the conversation's private notes for whoever takes over."""
        to = body.to.strip().lower()
        holder = None if staff.supervisor else staff.username
        note = body.note.strip()
        try:
            if to.startswith("team:"):
                try:
                    team = Team(to.removeprefix("team:"))
                except ValueError as exc:
                    raise HTTPException(status_code=404, detail="no such team") from exc
                if note:
                    await desk.queue.add_note(request.id, staff.username, f"→ {team.value}: {note}")
                moved = await desk.transfer_to_team(request.id, holder, team)
            else:
                target = await auth.repo.get(to)
                if target is None or target.role is Role.MERCHANT_REVIEWER:
                    raise HTTPException(status_code=404, detail="no such agent")
                if target.username == request.agent_id:
                    raise HTTPException(status_code=400, detail="the conversation is already theirs")
                if note:
                    await desk.queue.add_note(request.id, staff.username, f"→ {target.username}: {note}")
                moved = await desk.transfer(request.id, holder, target.username, target.display_name)
        except (NotYours, HandoffClosed) as exc:
            raise HTTPException(status_code=409, detail="the conversation changed hands; reload") from exc
        await audited(staff.username, "transfer", request.id, f"from {request.agent_id} to {to}")
        return {"handoff": moved.to_dict()}

    @router.post("/console/api/handoffs/{handoff_id}/handback")
    async def hand_back(request: Annotated[HandoffRequest, Depends(held)], staff: Annotated[Staff, Depends(writer)]) -> dict[str, Any]:
        try:
            closed = await desk.hand_back(request.id, staff.username, staff.member.display_name)
        except HandoffClosed as exc:
            raise HTTPException(status_code=409, detail="the conversation is back with the bot") from exc
        await audited(staff.username, "hand_back", request.id)
        return {"handoff": closed.to_dict()}

    # --- after-sales tickets ----------------------------------------------------------------
    @router.get("/console/api/tickets")
    async def tickets(staff: Annotated[Staff, Depends(current)], status: str | None = None,
                      lang: str = "zh") -> dict[str, Any]:
        # a reason the shopper typed may hold a phone number or an e-mail address: masked
        return dict(scrub(await tickets_view(services, status, lang_of(lang)), {}))

    @router.post("/console/api/tickets/{ticket_id}/answer", responses={
        403: {"description": "a refund above REFUND_AGENT_LIMIT needs a supervisor"}})
    async def answer(ticket_id: str, body: AnswerBody, staff: Annotated[Staff, Depends(writer)]) -> dict[str, Any]:
        try:
            answered = await answer_ticket(services, ticket_id, body.approve, body.note, staff.username,
                                           supervisor=staff.supervisor, agent_limit=parts.config.refund_agent_limit)
        except HTTPException as exc:
            if exc.status_code == 403:  # above the agent's refund limit: the attempt is kept too
                await audited(staff.username, "ticket_refused", ticket_id, str(exc.detail))
            raise
        ticket = answered["ticket"]
        await audited(staff.username, "ticket_approve" if body.approve else "ticket_reject", ticket_id,
                      f"{ticket.get('service_type')} refund {ticket.get('refund_amount')} → {ticket.get('status')}"
                      + (f"; {body.note}" if body.note else ""))
        return dict(scrub(answered, {}))

    @router.get("/console/api/audit")
    async def audit_trail(staff: Annotated[Staff, Depends(supervisor)], actor: str | None = None) -> dict[str, Any]:
        """The staff audit trail, newest first (supervisors only)."""
        return {"entries": [e.to_dict() for e in await parts.audit.recent(200, actor)]}

    add_websocket_route(router, parts)
    return router
