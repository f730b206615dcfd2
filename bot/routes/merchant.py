"""The merchant API: orders to accept and ship, after-sales tickets to answer.

Every call carries `X-Merchant-Key`; keys come from `MERCHANT_API_KEYS`
(`merchant_id:key,merchant_id:key`), compared in constant time, or were issued when the
merchant's application was approved (looked up by their SHA-256; a suspended merchant's key
no longer works). A missing or unknown key is 401; another merchant's order or ticket is 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from dialogue.presentation.orders import order_payload, shipment_payload, ticket_payload
from shop.aftersales import (
    AfterSalesTicket,
    IllegalTicketTransition,
    InvalidTicket,
    TicketNotFound,
    TicketService,
    TicketStatus,
)
from shop.catalog import GroupDeal
from shop.ordering import OrderService
from shop.orders import IllegalTransition, Order, OrderNotFound, OrderStatus
from shop.payments import PaymentError
from shop.shipments import ShipmentService
from shop.spot_checks import (
    DelistingNotFound,
    IllegalQualityTransition,
    MissingReason,
    NewListing,
    ProductLister,
    QualityService,
)
from shop.taxonomy import NODES as TAXONOMY

HEADER = "X-Merchant-Key"


def parse_merchant_keys(setting: str) -> dict[str, str]:
    """`m1:key1,m2:key2` → {"m1": "key1", ...}; blanks are skipped."""
    keys: dict[str, str] = {}
    for part in setting.split(","):
        merchant, sep, key = part.strip().partition(":")
        if sep and merchant.strip() and key.strip():
            keys[merchant.strip()] = key.strip()
    return keys


class ShipRequest(BaseModel):
    carrier_code: str = Field(min_length=1, max_length=40)
    tracking_number: str = Field(min_length=1, max_length=100)


class ListingRequest(BaseModel):
    platform: str = Field(min_length=1, max_length=32, description="taobao, jd or pdd")
    title: str = Field(min_length=2, max_length=200)
    title_en: str = Field(default="", max_length=200)
    brand: str = Field(min_length=1, max_length=60)
    category: str = Field(min_length=1, max_length=64, description="a kind of the taxonomy, e.g. phones, snacks")
    price: Decimal = Field(gt=0, le=10_000_000, max_digits=12, decimal_places=2)
    stock: int = Field(ge=0, le=10_000_000)
    keywords: list[str] = Field(default_factory=list, max_length=20)
    group_price: Decimal | None = Field(default=None, gt=0, le=10_000_000, max_digits=12, decimal_places=2,
                                        description="a group buy (拼团) price, below `price`")
    group_size: int = Field(default=2, ge=2, le=100, description="people a group needs")
    group_hours: int = Field(default=24, ge=1, le=168, description="hours a group stays open")


class AppealRequest(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class AnswerRequest(BaseModel):
    decision: Literal["approve", "reject"]
    note: str = Field(default="", max_length=2000)


class ReturnAddressRequest(BaseModel):
    address: str = Field(min_length=8, max_length=300, description="receiver, phone and address in one line")


def _order_json(order: Order) -> dict[str, Any]:
    out = order_payload(order)
    out.update(
        platform=order.platform,
        platform_order_id=order.platform_order_id,
        receiver_name=order.receiver_name,
        phone=order.phone,
        address=order.address,
        accepted=order.accepted_at is not None,
        created_at=order.created_at.isoformat(),
    )
    return out


def _ticket_json(ticket: AfterSalesTicket) -> dict[str, Any]:
    out = ticket_payload(ticket)
    out.update(
        line_no=ticket.line_no,
        reason=ticket.reason,
        photos=list(ticket.photos),
        deadline_at=ticket.deadline_at.isoformat(),
        resolution=ticket.resolution,
        refund_amount=None if ticket.refund_amount is None else str(ticket.refund_amount),
        return_address=ticket.return_address or None,
        return_parcel=({"carrier_code": ticket.return_carrier, "tracking_number": ticket.return_tracking_number}
                       if ticket.return_tracking_number else None),
    )
    return out


def build_merchant_router(
    orders: OrderService, shipments: ShipmentService, tickets: TicketService, keys: Mapping[str, str],
    issued: Callable[[str], Awaitable[str | None]] | None = None,
    quality: QualityService | None = None, lister: ProductLister | None = None,
) -> APIRouter:
    """`issued`: the merchant an issued key belongs to, None when unknown or no longer valid
    (MerchantOnboarding.merchant_for_key); `quality`: delistings and appeals; `lister`: where
    merchants list products (the demo platforms)."""
    router = APIRouter(prefix="/merchant", tags=["merchant"])
    pairs = [(m, k.encode()) for m, k in keys.items()]

    async def merchant_id(request: Request) -> str:
        given = request.headers.get(HEADER)
        if not given:
            raise HTTPException(401, f"missing {HEADER}", headers={"WWW-Authenticate": HEADER})
        found = None
        for merchant, key in pairs:  # compare with every key, in constant time each
            if hmac.compare_digest(given.encode(), key):
                found = merchant
        if found is None and issued is not None:
            found = await issued(given)
        if found is None:
            raise HTTPException(401, "unknown merchant key", headers={"WWW-Authenticate": HEADER})
        return found

    async def own_order(order_id: str, merchant: str) -> Order:
        try:
            order = await orders.get(order_id)
        except OrderNotFound:
            raise HTTPException(404, f"no order {order_id}") from None
        if order.merchant != merchant:
            raise HTTPException(403, f"order {order_id} belongs to another merchant")
        return order

    async def own_ticket(ticket_id: str, merchant: str) -> AfterSalesTicket:
        try:
            ticket = await tickets.get(ticket_id)
        except TicketNotFound:
            raise HTTPException(404, f"no ticket {ticket_id}") from None
        if ticket.merchant != merchant:
            raise HTTPException(403, f"ticket {ticket_id} belongs to another merchant")
        return ticket

    @router.get("/orders")
    async def list_orders(
        status: OrderStatus | None = None, merchant: str = Depends(merchant_id)
    ) -> dict[str, Any]:
        found = await orders.find(
            merchant=merchant, statuses=[status] if status else None, limit=100
        )
        return {"orders": [_order_json(o) for o in found]}

    @router.post("/orders/{order_id}/accept")
    async def accept(order_id: str, merchant: str = Depends(merchant_id)) -> dict[str, Any]:
        await own_order(order_id, merchant)
        try:
            return _order_json(await orders.accept(order_id, merchant))
        except IllegalTransition as exc:
            raise HTTPException(409, str(exc)) from exc

    @router.post("/orders/{order_id}/ship")
    async def ship(order_id: str, req: ShipRequest, merchant: str = Depends(merchant_id)) -> dict[str, Any]:
        await own_order(order_id, merchant)
        try:
            shipment = await shipments.ship(
                order_id, req.carrier_code, req.tracking_number, f"merchant:{merchant}"
            )
        except IllegalTransition as exc:
            raise HTTPException(409, str(exc)) from exc
        return {"order": _order_json(await orders.get(order_id)), "shipment": shipment_payload(shipment)}

    @router.get("/tickets")
    async def list_tickets(
        status: TicketStatus | None = None, merchant: str = Depends(merchant_id)
    ) -> dict[str, Any]:
        found = await tickets.list_for_merchant(merchant, [status] if status else None)
        out = [_ticket_json(t) for t in found]
        for item, ticket in zip(out, found, strict=True):  # where the shopper's return parcel is now
            if item["return_parcel"]:
                parcel = await shipments.repo.get_by_parcel(ticket.return_carrier, ticket.return_tracking_number)
                item["return_parcel"]["status"] = parcel.status.value if parcel is not None else None
        return {"tickets": out}

    @router.get("/return-address")
    async def get_return_address(merchant: str = Depends(merchant_id)) -> dict[str, Any]:
        """Where shoppers send returns, exchanges and repairs (shown to them when a ticket is approved)."""
        return {"merchant": merchant, "address": await tickets.addresses.return_address(merchant)}

    @router.put("/return-address")
    async def set_return_address(req: ReturnAddressRequest, merchant: str = Depends(merchant_id)) -> dict[str, Any]:
        """Set the return address (tickets approved from now on carry it)."""
        address = " ".join(req.address.split())
        try:
            await tickets.addresses.set_return_address(merchant, address)
        except InvalidTicket as exc:
            raise HTTPException(404, str(exc)) from exc
        return {"merchant": merchant, "address": address}

    @router.post("/tickets/{ticket_id}/answer")
    async def answer(
        ticket_id: str, req: AnswerRequest, merchant: str = Depends(merchant_id)
    ) -> dict[str, Any]:
        await own_ticket(ticket_id, merchant)
        try:
            ticket = await tickets.answer(ticket_id, merchant, req.decision == "approve", req.note)
        except (IllegalTicketTransition, InvalidTicket) as exc:
            raise HTTPException(409, str(exc)) from exc
        except PaymentError as exc:
            raise HTTPException(502, f"refund failed: {exc}") from exc
        return _ticket_json(ticket)

    @router.post("/tickets/{ticket_id}/return-received")
    async def return_received(ticket_id: str, merchant: str = Depends(merchant_id)) -> dict[str, Any]:
        await own_ticket(ticket_id, merchant)
        try:
            ticket = await tickets.confirm_return_received(ticket_id, merchant)
        except IllegalTicketTransition as exc:
            raise HTTPException(409, str(exc)) from exc
        except PaymentError as exc:
            raise HTTPException(502, f"refund failed: {exc}") from exc
        return _ticket_json(ticket)

    @router.post("/products", status_code=201, responses={400: {"description": "unknown platform or kind"},
                                                           404: {"description": "listing is not available"}})
    async def list_product(req: ListingRequest, merchant: str = Depends(merchant_id)) -> dict[str, Any]:
        """List a new product; shoppers find it in search at once (spot checks may sample it)."""
        if lister is None:
            raise HTTPException(404, "listing products is not available here")
        platform = req.platform.strip().lower()
        if req.category not in TAXONOMY:
            raise HTTPException(400, f"unknown category {req.category[:64]!r}")
        if req.group_price is not None and req.group_price >= req.price:
            raise HTTPException(400, "group_price must be below price")
        group = GroupDeal(req.group_price, req.group_size, req.group_hours) if req.group_price is not None else None
        listing = NewListing(platform=platform, title=" ".join(req.title.split()),
                             title_en=" ".join(req.title_en.split()), brand=req.brand.strip(),
                             category=req.category, price=req.price, stock=req.stock,
                             keywords=tuple(k.strip()[:40] for k in req.keywords if k.strip()), group=group)
        try:
            listed = await lister.list_product(merchant, listing)
        except KeyError:
            raise HTTPException(400, f"unknown platform {platform[:32]!r}") from None
        if quality is not None and quality.after_change is not None:
            await quality.after_change()  # searches cached before it was listed
        return {"product_id": listed.product_id, "platform": listed.platform,
                "platform_product_id": listed.platform_product_id, "title": listed.title,
                "category": listed.category, "merchant": merchant}

    def desk() -> QualityService:
        if quality is None:
            raise HTTPException(404, "delistings are not available here")
        return quality

    @router.get("/delistings")
    async def delistings(merchant: str = Depends(merchant_id)) -> dict[str, Any]:
        """This merchant's delisted products (why, when, and the appeal if any)."""
        return {"delistings": [d.to_dict() for d in await desk().delistings(merchant=merchant)]}

    @router.post("/delistings/{delisting_id}/appeal", responses={400: {"description": "say why"},
                                                                 404: {"description": "no such delisting"},
                                                                 409: {"description": "appealed already"}})
    async def appeal(delisting_id: str, req: AppealRequest, merchant: str = Depends(merchant_id)) -> dict[str, Any]:
        """Ask a reviewer to list a delisted product again (once per delisting)."""
        try:
            return (await desk().appeal(merchant, delisting_id, req.text)).to_dict()
        except DelistingNotFound:
            raise HTTPException(404, f"no delisting {delisting_id}") from None
        except MissingReason as exc:
            raise HTTPException(400, str(exc)) from exc
        except IllegalQualityTransition as exc:
            raise HTTPException(409, str(exc)) from exc

    @router.get("/standing")
    async def standing(merchant: str = Depends(merchant_id)) -> dict[str, Any]:
        """Spot checks passed and failed, and whether the merchant is suspended."""
        s = await desk().standing(merchant)
        return {"merchant": merchant, "passed_checks": s.passed_checks, "failed_checks": s.failed_checks,
                "suspended": s.suspended, "reason": s.reason}

    return router
