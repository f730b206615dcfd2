"""The in-process twin of `SQLShopperRepository` (tests)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from shop.shoppers import PROFILE_FIELDS, Shopper, UnknownShopper, new_shopper_id


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

    async def link_identity(self, channel: str, sender_id: str, shopper_id: str) -> None:
        if shopper_id not in self._shoppers:
            raise UnknownShopper(shopper_id)
        old = self._by_identity.get((channel, sender_id))
        if old is not None and old != shopper_id:
            prev = self._shoppers[old]
            self._shoppers[old] = replace(prev, identities=tuple(i for i in prev.identities if i != (channel, sender_id)))
        self._by_identity[(channel, sender_id)] = shopper_id
        target = self._shoppers[shopper_id]
        if (channel, sender_id) not in target.identities:
            self._shoppers[shopper_id] = replace(target, identities=(*target.identities, (channel, sender_id)))

    async def by_phone(self, phone: str) -> list[str]:
        """The ids of shoppers whose saved phone is this number (compared by its digits)."""
        from integrations.db.shoppers_repo import phone_digits

        digits = phone_digits(phone)
        return [s.id for s in self._shoppers.values() if digits and s.phone and phone_digits(s.phone) == digits]
