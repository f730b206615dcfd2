"""SQL repositories of shipments (with their events and pushes) and after-sales tickets."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.merchant_stats import bump, count_delivery_shipment
from integrations.db.orders_tables import shipment_events, shipment_pushes, shipments, ticket_events, tickets
from integrations.db.statements import guarded_transition, insert_ignore
from integrations.db.uow import begin, connect
from shop.aftersales import AfterSalesTicket, ServiceType, TicketEvent, TicketStatus
from shop.clock import as_utc
from shop.logistics import ShipmentStatus, TrackingEvent
from shop.shipments import Shipment


class SqlShipmentRepository:
    """`shop.shipments.ShipmentRepository` on SQLAlchemy Core."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add_shipment(self, shipment: Shipment) -> bool:
        async with begin(self.engine) as conn:
            added = await insert_ignore(
                conn,
                shipments,
                {
                    "id": shipment.id,
                    "order_id": shipment.order_id,
                    "kind": shipment.kind,
                    "ticket_id": shipment.ticket_id,
                    "carrier_code": shipment.carrier_code,
                    "tracking_number": shipment.tracking_number,
                    "status": shipment.status.value,
                    "open": shipment.open,
                    "created_at": shipment.created_at,
                    "updated_at": shipment.updated_at,
                },
            )
            if added and shipment.kind == "delivery":
                await count_delivery_shipment(conn, shipment.id, shipment.order_id, shipment.created_at)
            return added

    async def _select(self, where: Any, limit: int = 500) -> list[Shipment]:
        async with connect(self.engine) as conn:
            rows = (
                await conn.execute(
                    select(shipments).where(where).order_by(shipments.c.created_at).limit(limit)
                )
            ).all()
            if not rows:
                return []
            ids = [r._mapping["id"] for r in rows]
            evs = await conn.execute(
                select(shipment_events)
                .where(shipment_events.c.shipment_id.in_(ids))
                .order_by(shipment_events.c.seq)
            )
            by_id: dict[str, list[TrackingEvent]] = {i: [] for i in ids}
            for e in evs:
                m = e._mapping
                by_id[m["shipment_id"]].append(
                    TrackingEvent(
                        as_utc(m["time"]), ShipmentStatus(m["status"]), m["location"], m["description"]
                    )
                )
        out = []
        for r in rows:
            m = r._mapping
            out.append(
                Shipment(
                    id=m["id"],
                    order_id=m["order_id"],
                    carrier_code=m["carrier_code"],
                    tracking_number=m["tracking_number"],
                    status=ShipmentStatus(m["status"]),
                    open=bool(m["open"]),
                    created_at=as_utc(m["created_at"]),
                    updated_at=as_utc(m["updated_at"]),
                    kind=m["kind"],
                    ticket_id=m["ticket_id"],
                    events=tuple(by_id[m["id"]]),
                )
            )
        return out

    async def get_by_parcel(self, carrier_code: str, tracking_number: str) -> Shipment | None:
        found = await self._select(
            (shipments.c.carrier_code == carrier_code) & (shipments.c.tracking_number == tracking_number)
        )
        return found[0] if found else None

    async def by_tracking_number(self, tracking_number: str) -> list[Shipment]:
        return await self._select(shipments.c.tracking_number == tracking_number)

    async def for_order(self, order_id: str, kind: str = "delivery") -> Shipment | None:
        found = await self._select((shipments.c.order_id == order_id) & (shipments.c.kind == kind))
        return found[-1] if found else None

    async def list_open(self, limit: int = 500) -> list[Shipment]:
        return await self._select(shipments.c.open.is_(True), limit)

    async def save_events(
        self, shipment_id: str, events: list[TrackingEvent], status: ShipmentStatus, open_: bool, at: datetime
    ) -> None:
        async with begin(self.engine) as conn:
            for seq, e in enumerate(events):
                await insert_ignore(
                    conn,
                    shipment_events,
                    {
                        "shipment_id": shipment_id,
                        "seq": seq,
                        "time": e.time,
                        "status": e.status.value,
                        "location": e.location,
                        "description": e.description,
                    },
                )
            await conn.execute(
                update(shipments)
                .where(shipments.c.id == shipment_id)
                .values(status=status.value, open=open_, updated_at=at)
            )

    async def claim_push(self, shipment_id: str, status: ShipmentStatus, at: datetime) -> bool:
        async with begin(self.engine) as conn:
            return await insert_ignore(
                conn, shipment_pushes, {"shipment_id": shipment_id, "status": status.value, "pushed_at": at}
            )

    async def release_push(self, shipment_id: str, status: ShipmentStatus) -> None:
        async with begin(self.engine) as conn:
            await conn.execute(
                delete(shipment_pushes).where(
                    shipment_pushes.c.shipment_id == shipment_id, shipment_pushes.c.status == status.value
                )
            )


def _ticket(row: Row[Any]) -> AfterSalesTicket:
    m = row._mapping
    return AfterSalesTicket(
        id=m["id"],
        order_id=m["order_id"],
        line_no=m["line_no"],
        service_type=ServiceType(m["service_type"]),
        reason=m["reason"],
        photos=tuple(json.loads(m["photos"])),
        status=TicketStatus(m["status"]),
        merchant=m["merchant"],
        shopper_id=m["shopper_id"],
        deadline_at=as_utc(m["deadline_at"]),
        created_at=as_utc(m["created_at"]),
        updated_at=as_utc(m["updated_at"]),
        resolution=m["resolution"],
        refund_amount=m["refund_amount"],
        quantity=m["quantity"],
        return_address=m["return_address"] or "",
        return_carrier=m["return_carrier"] or "",
        return_tracking_number=m["return_tracking_number"] or "",
    )


def _ticket_event_row(e: TicketEvent) -> dict[str, Any]:
    return {
        "ticket_id": e.ticket_id,
        "at": e.at,
        "from_status": e.from_status.value if e.from_status else None,
        "to_status": e.to_status.value,
        "actor": e.actor,
        "note": e.note,
    }


class SqlTicketRepository:
    """`shop.aftersales.TicketRepository` on SQLAlchemy Core."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(self, ticket: AfterSalesTicket, event: TicketEvent, idempotency_key: str | None) -> bool:
        async with begin(self.engine) as conn:
            added = await insert_ignore(
                conn,
                tickets,
                {
                    "id": ticket.id,
                    "idempotency_key": idempotency_key,
                    "order_id": ticket.order_id,
                    "line_no": ticket.line_no,
                    "quantity": ticket.quantity,
                    "service_type": ticket.service_type.value,
                    "reason": ticket.reason,
                    "photos": json.dumps(list(ticket.photos)),
                    "status": ticket.status.value,
                    "merchant": ticket.merchant,
                    "shopper_id": ticket.shopper_id,
                    "resolution": ticket.resolution,
                    "refund_amount": ticket.refund_amount,
                    "deadline_at": ticket.deadline_at,
                    "created_at": ticket.created_at,
                    "updated_at": ticket.updated_at,
                },
            )
            if added:
                await conn.execute(insert(ticket_events).values(**_ticket_event_row(event)))
                if ticket.service_type is ServiceType.COMPLAINT:
                    await bump(conn, ticket.merchant, complaints=1)
        return added

    async def get(self, ticket_id: str) -> AfterSalesTicket | None:
        async with connect(self.engine) as conn:
            row = (await conn.execute(select(tickets).where(tickets.c.id == ticket_id))).first()
        return _ticket(row) if row else None

    async def get_by_key(self, idempotency_key: str) -> AfterSalesTicket | None:
        async with connect(self.engine) as conn:
            row = (
                await conn.execute(select(tickets).where(tickets.c.idempotency_key == idempotency_key))
            ).first()
        return _ticket(row) if row else None

    async def add_photo(self, ticket_id: str, photo: str, at: datetime) -> bool:
        async with begin(self.engine) as conn:
            row = (await conn.execute(select(tickets.c.photos).where(tickets.c.id == ticket_id))).first()
            if row is None:
                return False
            photos = list(json.loads(row.photos))
            if photo not in photos:
                photos.append(photo)
                await conn.execute(update(tickets).where(tickets.c.id == ticket_id)
                                   .values(photos=json.dumps(photos), updated_at=at))
        return True

    async def update_status(
        self, ticket_id: str, expected: TicketStatus, event: TicketEvent, fields: Mapping[str, Any]
    ) -> bool:
        return await guarded_transition(self.engine, tickets, ticket_events, ticket_id, expected.value,
                                        event.to_status.value, event.at, fields, _ticket_event_row(event))

    async def find(
        self,
        *,
        shopper_id: str | None = None,
        merchant: str | None = None,
        statuses: Sequence[TicketStatus] | None = None,
        due_before: datetime | None = None,
        limit: int = 50,
    ) -> list[AfterSalesTicket]:
        stmt = select(tickets)
        if shopper_id is not None:
            stmt = stmt.where(tickets.c.shopper_id == shopper_id)
        if merchant is not None:
            stmt = stmt.where(tickets.c.merchant == merchant)
        if statuses:
            stmt = stmt.where(tickets.c.status.in_([s.value for s in statuses]))
        if due_before is not None:
            stmt = stmt.where(tickets.c.deadline_at < due_before)
        stmt = stmt.order_by(tickets.c.created_at.desc(), tickets.c.id.desc()).limit(limit)
        async with connect(self.engine) as conn:
            return [_ticket(r) for r in await conn.execute(stmt)]

    async def events(self, ticket_id: str) -> list[TicketEvent]:
        async with connect(self.engine) as conn:
            rows = await conn.execute(
                select(ticket_events)
                .where(ticket_events.c.ticket_id == ticket_id)
                .order_by(ticket_events.c.id)
            )
            return [
                TicketEvent(
                    m["ticket_id"],
                    as_utc(m["at"]),
                    TicketStatus(m["from_status"]) if m["from_status"] else None,
                    TicketStatus(m["to_status"]),
                    m["actor"],
                    m["note"],
                )
                for m in (r._mapping for r in rows)
            ]
