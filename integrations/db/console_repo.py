"""Handoff requests, notes, staff and console sessions in SQL (SQLite / PostgreSQL).

`take` is one conditional UPDATE (… WHERE agent_id IS NULL AND closed_at IS NULL): when two
agents race, the database lets exactly one row change, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from integrations.db.console_tables import (
    handoff_notes,
    handoffs,
    staff,
    staff_audit,
    staff_sessions,
    staff_teams,
)
from shop.clock import as_utc
from shop.handoff import AuditEntry, HandoffRequest, Note, Role, StaffExists, StaffMember, StaffSession


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _opt(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _request(row: Any) -> HandoffRequest:
    return HandoffRequest(
        id=row.id, conversation_id=row.conversation_id, channel=row.channel, recipient_id=row.recipient_id,
        language=row.language, reason=row.reason, requested_at=as_utc(row.requested_at),
        agent_id=row.agent_id, assigned_at=_opt(row.assigned_at), closed_at=_opt(row.closed_at),
        outcome=row.outcome, team=row.team, first_response_at=_opt(row.first_response_at),
        rating=row.rating, rating_comment=row.rating_comment)


def _note(row: Any) -> Note:
    return Note(row.handoff_id, row.conversation_id, row.author, row.text, as_utc(row.created_at))


class SQLHandoffRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, request: HandoffRequest) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(insert(handoffs).values(
                id=request.id, conversation_id=request.conversation_id, channel=request.channel,
                recipient_id=request.recipient_id, language=request.language, reason=request.reason,
                requested_at=_utc(request.requested_at), team=request.team))

    async def _select(self, *where: Any) -> list[HandoffRequest]:
        stmt = select(handoffs).where(*where).order_by(handoffs.c.requested_at, handoffs.c.id)
        async with self._engine.connect() as conn:
            return [_request(r) for r in (await conn.execute(stmt)).all()]

    async def get(self, handoff_id: str) -> HandoffRequest | None:
        rows = await self._select(handoffs.c.id == handoff_id)
        return rows[0] if rows else None

    async def open_for(self, conversation_id: str) -> HandoffRequest | None:
        rows = await self._select(handoffs.c.conversation_id == conversation_id, handoffs.c.closed_at.is_(None))
        return rows[0] if rows else None

    async def list_open(self, agent_id: str | None = None) -> list[HandoffRequest]:
        where: list[ColumnElement[bool]] = [handoffs.c.closed_at.is_(None)]
        if agent_id is not None:
            where.append(handoffs.c.agent_id == agent_id)
        return await self._select(*where)

    async def _update(self, where: Any, **values: Any) -> bool:
        async with self._engine.begin() as conn:
            result = await conn.execute(update(handoffs).where(where).values(**values))
            return result.rowcount == 1

    async def take(self, handoff_id: str, agent_id: str, at: datetime) -> bool:
        return await self._update(
            and_(handoffs.c.id == handoff_id, handoffs.c.agent_id.is_(None), handoffs.c.closed_at.is_(None)),
            agent_id=agent_id, assigned_at=func.coalesce(handoffs.c.assigned_at, _utc(at)))

    async def transfer(self, handoff_id: str, from_agent: str | None, to_agent: str, at: datetime) -> bool:
        where: list[ColumnElement[bool]] = [handoffs.c.id == handoff_id, handoffs.c.closed_at.is_(None)]
        if from_agent is not None:
            where.append(handoffs.c.agent_id == from_agent)
        return await self._update(and_(*where), agent_id=to_agent,
                                  assigned_at=func.coalesce(handoffs.c.assigned_at, _utc(at)))

    async def close(self, handoff_id: str, outcome: str, at: datetime, *, only_waiting: bool = False) -> bool:
        where: list[ColumnElement[bool]] = [handoffs.c.id == handoff_id, handoffs.c.closed_at.is_(None)]
        if only_waiting:
            where.append(handoffs.c.agent_id.is_(None))
        return await self._update(and_(*where), closed_at=_utc(at), outcome=outcome)

    async def to_team(self, handoff_id: str, from_agent: str | None, team: str, at: datetime) -> bool:
        where: list[ColumnElement[bool]] = [handoffs.c.id == handoff_id, handoffs.c.closed_at.is_(None)]
        if from_agent is not None:
            where.append(handoffs.c.agent_id == from_agent)
        return await self._update(and_(*where), agent_id=None, team=team)

    async def responded(self, handoff_id: str, at: datetime) -> None:
        await self._update(and_(handoffs.c.id == handoff_id, handoffs.c.first_response_at.is_(None)),
                           first_response_at=_utc(at))

    async def rate(self, handoff_id: str, score: int, comment: str | None) -> bool:
        values: dict[str, Any] = {"rating": score}
        if comment:
            values["rating_comment"] = comment
        return await self._update(handoffs.c.id == handoff_id, **values)

    async def requested_since(self, since: datetime) -> list[HandoffRequest]:
        return await self._select(handoffs.c.requested_at >= _utc(since))

    async def closed_since(self, since: datetime) -> list[HandoffRequest]:
        return await self._select(handoffs.c.closed_at >= _utc(since))

    async def assigned_since(self, since: datetime) -> list[HandoffRequest]:
        return await self._select(handoffs.c.assigned_at >= _utc(since))

    async def add_note(self, note: Note) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(insert(handoff_notes).values(
                handoff_id=note.handoff_id, conversation_id=note.conversation_id,
                author=note.author, text=note.text, created_at=_utc(note.created_at)))

    async def _notes(self, where: Any) -> list[Note]:
        stmt = select(handoff_notes).where(where).order_by(handoff_notes.c.created_at, handoff_notes.c.id)
        async with self._engine.connect() as conn:
            return [_note(r) for r in (await conn.execute(stmt)).all()]

    async def notes(self, handoff_id: str) -> list[Note]:
        return await self._notes(handoff_notes.c.handoff_id == handoff_id)

    async def notes_for_conversation(self, conversation_id: str) -> list[Note]:
        return await self._notes(handoff_notes.c.conversation_id == conversation_id)


def _member(row: Any) -> StaffMember:
    return StaffMember(row.username, Role(row.role), row.password_hash, row.display_name, as_utc(row.created_at))


class SQLStaffRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, member: StaffMember) -> None:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(staff).values(
                    username=member.username, role=member.role.value, password_hash=member.password_hash,
                    display_name=member.display_name, created_at=_utc(member.created_at)))
        except IntegrityError as exc:
            raise StaffExists(member.username) from exc

    async def get(self, username: str) -> StaffMember | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(staff).where(staff.c.username == username))).first()
        return None if row is None else _member(row)

    async def list(self) -> list[StaffMember]:
        async with self._engine.connect() as conn:
            return [_member(r) for r in (await conn.execute(select(staff).order_by(staff.c.username))).all()]

    async def teams_of(self, username: str) -> tuple[str, ...]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(staff_teams.c.team).where(staff_teams.c.username == username)
                                       .order_by(staff_teams.c.team))).all()
        return tuple(r.team for r in rows)

    async def set_teams(self, username: str, teams: Sequence[str]) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(staff_teams).where(staff_teams.c.username == username))
            for team in dict.fromkeys(teams):
                await conn.execute(insert(staff_teams).values(username=username, team=team))

    async def set_password(self, username: str, password_hash: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(update(staff).where(staff.c.username == username).values(password_hash=password_hash))

    async def add_session(self, session: StaffSession) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(insert(staff_sessions).values(
                id=session.id, username=session.username, csrf_token=session.csrf_token,
                expires_at=_utc(session.expires_at)))

    async def get_session(self, session_id: str) -> StaffSession | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(staff_sessions).where(staff_sessions.c.id == session_id))).first()
        if row is None:
            return None
        return StaffSession(row.id, row.username, row.csrf_token, as_utc(row.expires_at))

    async def delete_session(self, session_id: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(staff_sessions).where(staff_sessions.c.id == session_id))


class SQLAuditLog:
    """The staff audit trail in SQL: insert-only."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record(self, entry: AuditEntry) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(insert(staff_audit).values(
                at=_utc(entry.at), actor=entry.actor, action=entry.action, subject=entry.subject[:200],
                detail=entry.detail))

    async def recent(self, limit: int = 200, actor: str | None = None) -> list[AuditEntry]:
        stmt = select(staff_audit).order_by(staff_audit.c.at.desc(), staff_audit.c.id.desc()).limit(limit)
        if actor is not None:
            stmt = stmt.where(staff_audit.c.actor == actor)
        async with self._engine.connect() as conn:
            return [AuditEntry(as_utc(r.at), r.actor, r.action, r.subject, r.detail)
                    for r in (await conn.execute(stmt)).all()]
