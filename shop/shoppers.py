"""Shoppers and their channel identities: one shopper may reach us on several channels."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol


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


class UnknownShopper(LookupError):
    """No shopper has that id."""


class InMemoryShopperRepository:
    def __init__(self) -> None:
        self._shoppers: dict[str, Shopper] = {}
        self._by_identity: dict[tuple[str, str], str] = {}

    async def by_identity(self, channel: str, sender_id: str, display_name: str | None = None) -> Shopper:
        sid = self._by_identity.get((channel, sender_id))
        if sid is not None:
            return self._shoppers[sid]
        shopper = Shopper(id=new_shopper_id(), created_at=datetime.now(UTC), display_name=display_name,
                          identities=((channel, sender_id),))
        self._shoppers[shopper.id] = shopper
        self._by_identity[(channel, sender_id)] = shopper.id
        return shopper

    async def get(self, shopper_id: str) -> Shopper | None:
        return self._shoppers.get(shopper_id)

    async def update_profile(self, shopper_id: str, **fields: str | None) -> Shopper:
        if shopper_id not in self._shoppers:
            raise UnknownShopper(shopper_id)
        unknown = set(fields) - set(PROFILE_FIELDS)
        if unknown:
            raise ValueError(f"not profile fields: {sorted(unknown)}")
        changes: dict[str, Any] = dict(fields)  # only profile fields, checked above
        self._shoppers[shopper_id] = replace(self._shoppers[shopper_id], **changes)
        return self._shoppers[shopper_id]
