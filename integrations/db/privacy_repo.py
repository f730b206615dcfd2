"""Erasing a shopper's personal data where accounting keeps the record (issue 19.4): the orders
stay, with the receiver's name, phone and address blanked; the account row goes; a group buy's
member row stays without the chat identity it was told on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.db.accounts_repo import accounts
from integrations.db.cart_repo import cart_lines
from integrations.db.group_buys_repo import group_buy_members
from integrations.db.orders_tables import orders

ERASED = "—"


class SQLPersonalData:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def erase(self, shopper_id: str) -> int:
        """Blank the personal fields of the shopper's orders and delete their account, in one
        transaction; the orders changed."""
        async with self._engine.begin() as conn:
            changed = await conn.execute(update(orders).where(orders.c.shopper_id == shopper_id)
                                         .values(receiver_name=ERASED, phone=ERASED, address=ERASED))
            await conn.execute(delete(accounts).where(accounts.c.shopper_id == shopper_id))
            # group buys keep who was in a group (its orders), not where to reach them
            await conn.execute(update(group_buy_members).where(group_buy_members.c.shopper_id == shopper_id)
                               .values(recipient_id=ERASED))
        return int(changed.rowcount or 0)

    async def expire_carts(self, before: datetime) -> int:
        """Cart lines added before `before` are dropped (retention); how many."""
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(cart_lines).where(cart_lines.c.added_at < before))
        return int(result.rowcount or 0)
