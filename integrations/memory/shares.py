"""The in-memory twin of the share repository (tests, scripts)."""

from __future__ import annotations

from dataclasses import replace

from shop.sharing import Share


class InMemoryShareRepository:
    def __init__(self) -> None:
        self._shares: dict[str, Share] = {}
        self._orders: dict[str, set[str]] = {}

    async def add(self, share: Share) -> None:
        self._shares[share.share_id] = share
        self._orders[share.share_id] = set()

    async def get(self, share_id: str) -> Share | None:
        share = self._shares.get(share_id)
        return None if share is None else replace(share, orders=len(self._orders[share_id]))

    async def count_open(self, share_id: str) -> bool:
        share = self._shares.get(share_id)
        if share is None:
            return False
        self._shares[share_id] = replace(share, opens=share.opens + 1)
        return True

    async def count_order(self, share_id: str, order_id: str) -> bool:
        if share_id not in self._orders or order_id in self._orders[share_id]:
            return False
        self._orders[share_id].add(order_id)
        return True
