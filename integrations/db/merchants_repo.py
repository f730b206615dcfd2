"""Merchant applications in SQL (SQLite / PostgreSQL).

A decision is one conditional UPDATE (… WHERE id = ? AND status = ?) in the same transaction
as its audit event: when two reviewers decide at once, exactly one row changes. The pending
API key is taken the same way (… AND pending_api_key IS NOT NULL): it is shown once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from integrations.db.merchants_tables import merchant_application_events as events_t
from integrations.db.merchants_tables import merchant_applications as apps_t
from shop.clock import as_utc
from shop.merchants import (
    ACTIVE_STATUSES,
    ApplicationEvent,
    ApplicationStatus,
    Document,
    MerchantApplication,
)


def _row(row: Any) -> MerchantApplication:
    return MerchantApplication(
        id=row.id, company_name=row.company_name, credit_code=row.credit_code, licence_number=row.licence_number,
        phone=row.phone, email=row.email, categories=tuple(json.loads(row.categories)),
        documents=tuple(Document(d["kind"], d["number"], d["url"]) for d in json.loads(row.documents)),
        language=row.language, status=ApplicationStatus(row.status), submitted_at=as_utc(row.submitted_at),
        updated_at=as_utc(row.updated_at), status_token_hash=row.status_token_hash, reviewer=row.reviewer,
        reason=row.reason, merchant_id=row.merchant_id, api_key_hash=row.api_key_hash,
        pending_api_key=row.pending_api_key)


def _values(a: MerchantApplication) -> dict[str, Any]:
    return {
        "id": a.id, "company_name": a.company_name, "credit_code": a.credit_code, "licence_number": a.licence_number,
        "phone": a.phone, "email": a.email, "categories": json.dumps(list(a.categories), ensure_ascii=False),
        "documents": json.dumps([d.to_dict() for d in a.documents], ensure_ascii=False), "language": a.language,
        "status": a.status.value, "submitted_at": a.submitted_at.astimezone(UTC), "updated_at": a.updated_at.astimezone(UTC),
        "status_token_hash": a.status_token_hash, "reviewer": a.reviewer, "reason": a.reason, "merchant_id": a.merchant_id,
        "api_key_hash": a.api_key_hash, "pending_api_key": a.pending_api_key}


async def _event(conn: AsyncConnection, e: ApplicationEvent) -> None:
    await conn.execute(insert(events_t).values(application_id=e.application_id, at=e.at.astimezone(UTC),
                                               actor=e.actor, action=e.action, note=e.note))


class SqlMerchantApplications:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, application: MerchantApplication, event: ApplicationEvent) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(insert(apps_t).values(**_values(application)))
            await _event(conn, event)

    async def _one(self, *where: Any) -> MerchantApplication | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(apps_t).where(*where).limit(1))).first()
        return None if row is None else _row(row)

    async def get(self, application_id: str) -> MerchantApplication | None:
        return await self._one(apps_t.c.id == application_id)

    async def by_token_hash(self, token_hash: str) -> MerchantApplication | None:
        return await self._one(apps_t.c.status_token_hash == token_hash)

    async def by_key_hash(self, key_hash: str) -> MerchantApplication | None:
        return await self._one(apps_t.c.api_key_hash == key_hash)

    async def active_for_credit_code(self, credit_code: str) -> MerchantApplication | None:
        return await self._one(apps_t.c.credit_code == credit_code,
                               apps_t.c.status.in_([s.value for s in ACTIVE_STATUSES]))

    async def find(self, statuses: Sequence[ApplicationStatus] | None, limit: int) -> list[MerchantApplication]:
        stmt = select(apps_t).order_by(apps_t.c.submitted_at, apps_t.c.id).limit(limit)
        if statuses is not None:
            stmt = stmt.where(apps_t.c.status.in_([s.value for s in statuses]))
        async with self._engine.connect() as conn:
            return [_row(r) for r in (await conn.execute(stmt)).all()]

    async def transition(self, before: ApplicationStatus, after: MerchantApplication,
                         event: ApplicationEvent) -> bool:
        values = _values(after)
        del values["id"]
        async with self._engine.begin() as conn:
            result = await conn.execute(update(apps_t).where(
                and_(apps_t.c.id == after.id, apps_t.c.status == before.value)).values(**values))
            if result.rowcount != 1:
                return False
            await _event(conn, event)
        return True

    async def take_pending_key(self, application_id: str, event: ApplicationEvent) -> str | None:
        async with self._engine.begin() as conn:
            row = (await conn.execute(select(apps_t.c.pending_api_key).where(apps_t.c.id == application_id))).first()
            if row is None or row.pending_api_key is None:
                return None
            result = await conn.execute(update(apps_t).where(and_(
                apps_t.c.id == application_id, apps_t.c.pending_api_key == row.pending_api_key)).values(
                pending_api_key=None))
            if result.rowcount != 1:
                return None
            await _event(conn, event)
        return str(row.pending_api_key)

    async def events(self, application_id: str) -> list[ApplicationEvent]:
        stmt = select(events_t).where(events_t.c.application_id == application_id).order_by(events_t.c.id)
        async with self._engine.connect() as conn:
            return [ApplicationEvent(r.application_id, as_utc(r.at), r.actor, r.action, r.note)
                    for r in (await conn.execute(stmt)).all()]
