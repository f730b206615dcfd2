"""Shoppers and their channel identities: one shopper may reach us on several channels."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Shopper:
    id: str
    created_at: datetime
    display_name: str | None = None
    language: str | None = None
    receiver_name: str | None = None
    phone: str | None = None
    address: str | None = None
    email: str | None = None
    identities: tuple[tuple[str, str], ...] = field(default=())  # (channel, sender_id)


PROFILE_FIELDS = ("display_name", "language", "receiver_name", "phone", "address", "email")


def new_shopper_id() -> str:
    return "U" + uuid.uuid4().hex[:16]


class ShopperRepository(Protocol):
    async def by_identity(self, channel: str, sender_id: str, display_name: str | None = None) -> Shopper:
        """The shopper behind a channel identity, created on first contact."""
        ...

    async def get(self, shopper_id: str) -> Shopper | None: ...

    async def update_profile(self, shopper_id: str, **fields: str | None) -> Shopper: ...

    async def link_identity(self, channel: str, sender_id: str, shopper_id: str) -> None:
        """Sign a channel identity in to a shopper's account: from now on it is that shopper
        (orders, tickets, alerts, cart and addresses follow). `UnknownShopper` when none."""
        ...


class UnknownShopper(LookupError):
    """No shopper has that id."""
