"""Group buys and their members, in SQL (migration 0017_group_buys)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Integer, Numeric, String, Table, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.base import metadata
from shop.group_buys import GroupBuy, GroupMember, GroupStatus, MemberStatus

group_buys = Table(
    "group_buys",
    metadata,
    Column("group_id", String(48), primary_key=True),
    Column("product_id", String(100), nullable=False, index=True),
    Column("platform", String(20), nullable=False),
    Column("platform_product_id", String(64), nullable=False),
    Column("title", String(300), nullable=False),
    Column("group_price", Numeric(12, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("size", Integer, nullable=False),
    Column("starter_id", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("reason", String(40), nullable=False, server_default=""),
    Column("closed_at", DateTime(timezone=True), nullable=True),
)

group_buy_members = Table(
    "group_buy_members",
    metadata,
    Column("group_id", String(48), ForeignKey("group_buys.group_id", ondelete="CASCADE"), primary_key=True),
    Column("shopper_id", String(200), primary_key=True),
    Column("order_id", String(20), nullable=False, unique=True),
    Column("channel", String(40), nullable=False),
    Column("recipient_id", String(200), nullable=False),
    Column("language", String(8), nullable=False),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
)


def _utc(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def _group(row: Any) -> GroupBuy:
    return GroupBuy(row.group_id, row.product_id, row.platform, row.platform_product_id, row.title,
                    Decimal(row.group_price).quantize(Decimal("0.01")), row.currency, row.size, row.starter_id,
                    _utc(row.created_at) or row.created_at, _utc(row.expires_at) or row.expires_at,
                    GroupStatus(row.status), row.reason, _utc(row.closed_at))


def _member(row: Any) -> GroupMember:
    return GroupMember(row.group_id, row.shopper_id, row.order_id, row.channel, row.recipient_id, row.language,
                       _utc(row.joined_at) or row.joined_at, MemberStatus(row.status))


class SqlGroupBuyRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, group: GroupBuy) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(group_buys.insert().values(
                group_id=group.group_id, product_id=group.product_id, platform=group.platform,
                platform_product_id=group.platform_product_id, title=group.title[:300],
                group_price=group.group_price, currency=group.currency, size=group.size,
                starter_id=group.starter_id, created_at=group.created_at, expires_at=group.expires_at,
                status=group.status.value, reason=group.reason, closed_at=group.closed_at))

    async def get(self, group_id: str) -> GroupBuy | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(group_buys).where(group_buys.c.group_id == group_id))).first()
        return None if row is None else _group(row)

    async def add_member(self, member: GroupMember) -> bool:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(group_buy_members.insert().values(
                    group_id=member.group_id, shopper_id=member.shopper_id, order_id=member.order_id,
                    channel=member.channel, recipient_id=member.recipient_id, language=member.language,
                    joined_at=member.joined_at, status=member.status.value))
        except IntegrityError:
            return False
        return True

    async def members(self, group_id: str) -> list[GroupMember]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(group_buy_members).where(group_buy_members.c.group_id == group_id)
                                       .order_by(group_buy_members.c.joined_at, group_buy_members.c.order_id))).all()
        return [_member(r) for r in rows]

    async def member_by_order(self, order_id: str) -> GroupMember | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(group_buy_members)
                                      .where(group_buy_members.c.order_id == order_id))).first()
        return None if row is None else _member(row)

    async def set_member_status(self, group_id: str, shopper_id: str, status: MemberStatus) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(update(group_buy_members)
                               .where(group_buy_members.c.group_id == group_id,
                                      group_buy_members.c.shopper_id == shopper_id)
                               .values(status=status.value))

    async def close(self, group_id: str, status: GroupStatus, reason: str, at: datetime) -> bool:
        async with self._engine.begin() as conn:
            result = await conn.execute(update(group_buys)
                                        .where(group_buys.c.group_id == group_id,
                                               group_buys.c.status == GroupStatus.OPEN.value)
                                        .values(status=status.value, reason=reason, closed_at=at))
        return bool(result.rowcount)

    async def open_groups(self, *, expired_by: datetime | None = None, product_id: str | None = None,
                          platform: str | None = None) -> list[GroupBuy]:
        query = select(group_buys).where(group_buys.c.status == GroupStatus.OPEN.value)
        if expired_by is not None:
            query = query.where(group_buys.c.expires_at <= expired_by)
        if product_id is not None:
            query = query.where(group_buys.c.product_id == product_id)
        if platform is not None:
            query = query.where(group_buys.c.platform == platform)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query.order_by(group_buys.c.expires_at).limit(1000))).all()
        return [_group(r) for r in rows]
