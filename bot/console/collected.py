"""What the bot collected about a conversation (slots, flows, last search, cart, orders,
tickets) and the after-sales tickets view; a deployment may run without search or after-sales."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fastapi import HTTPException

from bot.console.readable import order_status_label, profile, ticket_labels
from dialogue.presentation.orders import order_payload, ticket_payload
from shop.accounts import AccountError, AccountService
from shop.aftersales import TicketService
from shop.alerts import AlertService
from shop.handoff import HandoffRequest
from shop.merchants import MerchantOnboarding
from shop.ordering import OrderService
from shop.search import SearchAggregator
from shop.shoppers import ShopperRepository
from tracking.tracker import Tracker

audit = logging.getLogger("shopbot.audit")  # who approved or refused what (staff decisions on money)

TICKET_STATUSES_OPEN = ("open", "merchant_processing", "arbitration")


@dataclass(frozen=True)
class ConsoleBackends:
    """The shop services the console reads and acts on; None where this deployment has none."""

    shoppers: ShopperRepository
    search: SearchAggregator | None = None
    orders: OrderService | None = None
    aftersales: TicketService | None = None
    alerts: AlertService | None = None
    merchants: MerchantOnboarding | None = None
    accounts: AccountService | None = None  # a search by phone finds account holders by the keyed hash


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _ticket(t: Any, language: str | None = None) -> dict[str, Any]:
    """A ticket with its type and status in words (`service_label`, `status_label`, zh by default)."""
    payload = ticket_payload(t)
    return payload | ticket_labels(payload, language) | {"reason": t.reason, "merchant": t.merchant, "shopper_id": t.shopper_id,
                             "created_at": t.created_at.isoformat(), "deadline_at": t.deadline_at.isoformat(),
                             "resolution": t.resolution, "photos": list(t.photos),
                             "refund_amount": None if t.refund_amount is None else str(t.refund_amount),
                             "return_address": t.return_address or None,
                             "return_parcel": ({"carrier_code": t.return_carrier,
                                                "tracking_number": t.return_tracking_number}
                                               if t.return_tracking_number else None)}


async def collected_for(services: ConsoleBackends, tracker: Tracker, request: HandoffRequest,
                        language: str | None = None) -> dict[str, Any]:
    """The side panel: slots and flows from the tracker; orders, tickets and alerts when wired;
    `profile`: all of it as titled lines of text in `language` (the console's, zh by default)."""
    slots = dict(tracker.state.slots)
    out: dict[str, Any] = {
        "slots": _jsonable(slots),
        "flows": [f.flow for f in tracker.state.flows],
        "language": tracker.state.language,
        "last_search": _jsonable(slots.get("last_search")),
        "cart": _jsonable(slots.get("cart")),
        "orders": None,
        "tickets": None,
        "alerts": None,
    }
    shopper = await services.shoppers.by_identity(request.channel, request.recipient_id)
    orders = services.orders
    if orders is not None:
        out["orders"] = [_jsonable(order_payload(o)) | {"status_label": order_status_label(o.status.value, language)}
                         for o in await orders.list_for_shopper(shopper.id)]
    aftersales = services.aftersales
    if aftersales is not None:
        out["tickets"] = [_ticket(t, language) for t in await aftersales.list_for_shopper(shopper.id)]
    if services.alerts is not None:
        out["alerts"] = [{"alert_id": a.id, "product_id": a.product_id, "product_title": a.product_title,
                          "target_price": str(a.target_price), "status": a.status.value}
                         for a in await services.alerts.list_alerts(shopper.id)]
    out["profile"] = profile(out, shopper, language)
    return out


async def tickets_view(services: ConsoleBackends, status: str | None, language: str | None = None) -> dict[str, Any]:
    """After-sales tickets waiting for someone (or of one status)."""
    aftersales = services.aftersales
    if aftersales is None:
        return {"available": False, "tickets": []}
    from shop.aftersales import TicketStatus

    try:
        statuses = [TicketStatus(status)] if status else [TicketStatus(s) for s in TICKET_STATUSES_OPEN]
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="unknown ticket status") from exc
    rows = await aftersales.repo.find(statuses=statuses, limit=100)
    return {"available": True, "tickets": [_ticket(t, language) for t in rows]}


async def answer_ticket(services: ConsoleBackends, ticket_id: str, approve: bool, note: str, staff: str, *,
                        supervisor: bool = False, agent_limit: Decimal = Decimal(0)) -> dict[str, Any]:
    """Approve or reject: for the merchant while it awaits them, as the platform in arbitration.

    Approving a refund above `agent_limit` (REFUND_AGENT_LIMIT) needs a supervisor (403); who
    decided is recorded in the ticket's events (`staff:<username>`) and in the audit log.
    """
    aftersales = services.aftersales
    if aftersales is None:
        raise HTTPException(status_code=404, detail="after-sales is not available")
    from shop.aftersales import TicketError, TicketNotFound, TicketStatus
    from shop.payments import PaymentError

    actor = f"staff:{staff}"
    try:
        ticket = await aftersales.get(ticket_id)
        amount = await aftersales.refund_amount(ticket) if approve else None
        if amount is not None and not supervisor and amount > agent_limit:
            audit.warning("refused: %s may not approve refund of %s on ticket %s (agent limit %s)",
                          actor, amount, ticket_id, agent_limit)
            raise HTTPException(status_code=403, detail=f"a refund of {amount} needs a supervisor "
                                                        f"(agents may approve up to {agent_limit})")
        note = note or f"support:{staff}"
        if ticket.status is TicketStatus.ARBITRATION:
            moved = await aftersales.arbitrate(ticket_id, approve, note, actor=actor)
        else:
            moved = await aftersales.answer(ticket_id, ticket.merchant, approve, note, actor=actor)
        audit.info("%s %s ticket %s (%s, refund %s): now %s", actor, "approved" if approve else "rejected",
                   ticket_id, ticket.service_type.value, amount, moved.status.value)
    except TicketNotFound as exc:
        raise HTTPException(status_code=404, detail="no such ticket") from exc
    except (TicketError, PaymentError) as exc:  # PaymentError: nothing left to refund, not paid
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    return {"ticket": _ticket(moved)}


async def shoppers_by_phone(services: ConsoleBackends, phone: str) -> set[str]:
    """Shoppers with this full phone number: saved on their profile or their account's, both
    found by a keyed hash (the stored values are encrypted); nothing for a partial number."""
    found: set[str] = set()
    by_phone = getattr(services.shoppers, "by_phone", None)
    if by_phone is not None:
        found.update(await by_phone(phone))
    if services.accounts is not None:
        try:
            address = services.accounts.parse_address(phone)
        except AccountError:
            return found
        account = await services.accounts.accounts.by_address_key(services.accounts.address_key(address))
        if account is not None:
            found.add(account.shopper_id)
    return found
