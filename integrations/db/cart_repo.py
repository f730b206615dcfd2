"""Cart lines in SQL (SQLite / PostgreSQL): one row per shopper, offer and variant."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Integer, String, Table, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.base import metadata
from shop.cart import (
    MAX_LINES,
    MAX_QUANTITY,
    CartFull,
    CartLine,
    LineNotFound,
    check_quantity,
    new_line_id,
    variant_key,
)

cart_lines = Table(
    "cart_lines",
    metadata,
    Column("line_id", String(40), primary_key=True),
    Column("shopper_id", String(40), nullable=False, index=True),
    Column("product_id", String(100), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("title", String(300), nullable=False),
    Column("variant", String(300), nullable=False),  # shop.cart.variant_key
    Column("quantity", Integer, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("shopper_id", "product_id", "platform", "variant", name="uq_cart_lines_offer"),
)


def _variant(text: str) -> tuple[tuple[str, str], ...]:
    pairs = [part.split("=", 1) for part in text.split(";") if "=" in part]
    return tuple(sorted((k, v) for k, v in pairs))


def _line(row: Any) -> CartLine:
    added = row.added_at if row.added_at.tzinfo else row.added_at.replace(tzinfo=UTC)
    return CartLine(row.line_id, row.shopper_id, row.product_id, row.platform, row.title,
                    _variant(row.variant), row.quantity, added)


class SQLCartRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def lines(self, shopper_id: str) -> list[CartLine]:
        c = cart_lines.c
        stmt = select(cart_lines).where(c.shopper_id == shopper_id).order_by(c.added_at, c.line_id)
        async with self._engine.connect() as conn:
            return [_line(r) for r in (await conn.execute(stmt))]

    async def add(self, shopper_id: str, product_id: str, platform: str, title: str,
                  variant: Mapping[str, str], quantity: int) -> CartLine:
        check_quantity(quantity)
        key = variant_key(variant)
        c = cart_lines.c
        same = (c.shopper_id == shopper_id, c.product_id == product_id, c.platform == platform, c.variant == key)
        for _ in range(2):  # a concurrent add of the same offer: the second try raises its line
            async with self._engine.begin() as conn:
                row = (await conn.execute(select(cart_lines).where(*same))).first()
                if row is not None:
                    new = min(MAX_QUANTITY, row.quantity + quantity)
                    await conn.execute(cart_lines.update().where(c.line_id == row.line_id).values(quantity=new))
                    return replace(_line(row), quantity=new)
                count = (await conn.execute(select(func.count()).select_from(cart_lines)
                                            .where(c.shopper_id == shopper_id))).scalar_one()
                if count >= MAX_LINES:
                    raise CartFull(shopper_id)
                line = CartLine(new_line_id(), shopper_id, product_id, platform, title[:300], _variant(key),
                                quantity, datetime.now(UTC))
                try:
                    await conn.execute(cart_lines.insert().values(
                        line_id=line.line_id, shopper_id=shopper_id, product_id=product_id, platform=platform,
                        title=line.title, variant=key, quantity=quantity, added_at=line.added_at))
                except IntegrityError:
                    continue
                return line
        raise CartFull(shopper_id)  # pragma: no cover - two conflicting inserts in a row

    async def _get(self, shopper_id: str, line_id: str) -> CartLine:
        c = cart_lines.c
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(cart_lines).where(c.shopper_id == shopper_id,
                                                               c.line_id == line_id))).first()
        if row is None:
            raise LineNotFound(line_id)
        return _line(row)

    async def set_quantity(self, shopper_id: str, line_id: str, quantity: int) -> CartLine:
        line = await self._get(shopper_id, line_id)
        check_quantity(quantity)
        c = cart_lines.c
        async with self._engine.begin() as conn:
            await conn.execute(cart_lines.update().where(c.shopper_id == shopper_id, c.line_id == line_id)
                               .values(quantity=quantity))
        return replace(line, quantity=quantity)

    async def remove(self, shopper_id: str, line_id: str) -> CartLine:
        line = await self._get(shopper_id, line_id)
        c = cart_lines.c
        async with self._engine.begin() as conn:
            await conn.execute(cart_lines.delete().where(c.shopper_id == shopper_id, c.line_id == line_id))
        return line

    async def clear(self, shopper_id: str) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(cart_lines.delete().where(cart_lines.c.shopper_id == shopper_id))
        return int(result.rowcount or 0)
