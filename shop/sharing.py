"""Sharing (issue 18.5): a shopper shares a product; the link (and its QR code) opens the chat
on that product for whoever follows it, on the web chat (`/?s=<share_id>`) or Telegram
(`t.me/<bot>?start=<share_id>`). Each opening and each order placed after one is counted.

A share id is short, URL- and Telegram-safe (`[A-Za-z0-9_-]`, Telegram's start parameter).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

SHARE_ID = re.compile(r"^s[A-Za-z0-9_-]{6,40}$")


def new_share_id() -> str:
    return "s" + secrets.token_urlsafe(8)


def is_share_id(value: str) -> bool:
    return bool(SHARE_ID.match(value or ""))


@dataclass(frozen=True)
class Share:
    share_id: str
    product_id: str
    shopper_id: str  # who shared
    channel: str
    created_at: datetime
    opens: int = 0
    orders: int = 0


class ShareRepository(Protocol):
    async def add(self, share: Share) -> None: ...

    async def get(self, share_id: str) -> Share | None:
        """With its counts of openings and orders."""
        ...

    async def count_open(self, share_id: str) -> bool:
        """One more opening; False when there is no such share."""
        ...

    async def count_order(self, share_id: str, order_id: str) -> bool:
        """An order placed after opening the share (counted once per order); False when counted."""
        ...


@dataclass(frozen=True)
class SharedLink:
    share_id: str
    url: str  # opens the web chat on the product
    qr_url: str  # the same link as a QR code (PNG)


def share_url(base_url: str, share_id: str) -> str:
    """Where a share link leads: the web chat page, which opens on the shared product."""
    return f"{base_url.rstrip('/')}/?s={share_id}"


class ShareService:
    """Shares of products: make a link, open it, count what it led to."""

    def __init__(self, repo: ShareRepository, now: Callable[[], datetime], base_url: str) -> None:
        self.repo = repo
        self._now = now
        self.base_url = base_url.rstrip("/")

    async def create(self, product_id: str, shopper_id: str, channel: str) -> SharedLink:
        share = Share(new_share_id(), product_id, shopper_id, channel, self._now())
        await self.repo.add(share)
        return self.link(share.share_id)

    def link(self, share_id: str) -> SharedLink:
        return SharedLink(share_id, share_url(self.base_url, share_id), f"{self.base_url}/shares/{share_id}/qr.png")

    async def open(self, share_id: str) -> str | None:
        """The shared product (the opening counted); None for an unknown share."""
        if not is_share_id(share_id):
            return None
        share = await self.repo.get(share_id)
        if share is None:
            return None
        await self.repo.count_open(share_id)
        return share.product_id

    async def order_placed(self, share_id: str, order_id: str) -> None:
        if is_share_id(share_id):
            await self.repo.count_order(share_id, order_id)
