"""The in-process twin of `SQLCartRepository` (tests, and a cart without a database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from shop.cart import MAX_LINES, MAX_QUANTITY, CartFull, CartLine, LineNotFound, check_quantity, new_line_id


class InMemoryCartRepository:
    def __init__(self) -> None:
        self._lines: dict[str, list[CartLine]] = {}

    async def lines(self, shopper_id: str) -> list[CartLine]:
        return list(self._lines.get(shopper_id, []))

    async def add(self, shopper_id: str, product_id: str, platform: str, title: str,
                  variant: Mapping[str, str], quantity: int) -> CartLine:
        check_quantity(quantity)
        cart = self._lines.setdefault(shopper_id, [])
        wanted = tuple(sorted(variant.items()))
        for i, line in enumerate(cart):
            if (line.product_id, line.platform, line.variant) == (product_id, platform, wanted):
                cart[i] = replace(line, quantity=min(MAX_QUANTITY, line.quantity + quantity))
                return cart[i]
        if len(cart) >= MAX_LINES:
            raise CartFull(shopper_id)
        line = CartLine(new_line_id(), shopper_id, product_id, platform, title, wanted, quantity, datetime.now(UTC))
        cart.append(line)
        return line

    def _index(self, shopper_id: str, line_id: str) -> int:
        for i, line in enumerate(self._lines.get(shopper_id, [])):
            if line.line_id == line_id:
                return i
        raise LineNotFound(line_id)

    async def set_quantity(self, shopper_id: str, line_id: str, quantity: int) -> CartLine:
        i = self._index(shopper_id, line_id)
        check_quantity(quantity)
        cart = self._lines[shopper_id]
        cart[i] = replace(cart[i], quantity=quantity)
        return cart[i]

    async def remove(self, shopper_id: str, line_id: str) -> CartLine:
        i = self._index(shopper_id, line_id)
        return self._lines[shopper_id].pop(i)

    async def clear(self, shopper_id: str) -> int:
        return len(self._lines.pop(shopper_id, []))
