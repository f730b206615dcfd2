"""Shoppers and channel identities in SQL (SQLite / PostgreSQL).

With a cipher (the bootstrap always gives one), the personal fields — receiver name, phone,
address, e-mail — are stored envelope-encrypted (integrations/accounts/crypto.py); values
written before encryption was on are read as they are and encrypted by `shopbot keys rotate`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Index, String, Table, Text, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.accounts.crypto import PREFIX, EnvelopeCipher
from integrations.db.base import metadata
from shop.shoppers import PROFILE_FIELDS, Shopper, UnknownShopper, new_shopper_id

shoppers = Table(
    "shoppers",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("display_name", String(200)),
    Column("language", String(8)),
    Column("receiver_name", Text),  # encrypted (migration 0010_shopper_pii)
    Column("phone", Text),
    Column("address", Text),
    Column("email", Text),
    Column("phone_key", String(64)),  # keyed hash of the phone (migration 0018_pii_lookup)
    Index("ix_shoppers_phone_key", "phone_key"),
)

shopper_identities = Table(
    "shopper_identities",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("sender_id", String(200), primary_key=True),
    Column("shopper_id", String(40), ForeignKey("shoppers.id"), nullable=False, index=True),
)


MAX_CACHED_IDENTITIES = 100_000
IDENTITY_CACHE_SECONDS = 5.0
PERSONAL_FIELDS = ("receiver_name", "phone", "address", "email")


def phone_digits(phone: str) -> str:
    """The digits a phone number is hashed by: 138 0013 8000, +86 13800138000 → 13800138000."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


class SQLShopperRepository:
    def __init__(self, engine: AsyncEngine, cipher: EnvelopeCipher | None = None,
                 hash_key: bytes | None = None) -> None:
        self._engine = engine
        self._cipher = cipher
        self._hash_key = hash_key  # ACCOUNT_HASH_KEY: keys the phone hash shoppers are found by
        # identity → shopper id, remembered for IDENTITY_CACHE_SECONDS: a sign-in on another
        # worker re-points an identity, which this worker then sees within that time
        self._ids: dict[tuple[str, str], tuple[str, float]] = {}

    async def by_identity(self, channel: str, sender_id: str, display_name: str | None = None) -> Shopper:
        found = await self._find(channel, sender_id)
        if found is not None:
            return found
        sid = new_shopper_id()
        try:
            async with self._engine.begin() as conn:
                await conn.execute(shoppers.insert().values(
                    id=sid, created_at=datetime.now(UTC), display_name=display_name))
                await conn.execute(shopper_identities.insert().values(
                    channel=channel, sender_id=sender_id, shopper_id=sid))
        except IntegrityError:
            pass  # another worker created it first: theirs wins
        found = await self._find(channel, sender_id)
        assert found is not None
        return found

    async def _find(self, channel: str, sender_id: str) -> Shopper | None:
        cached = self._ids.get((channel, sender_id))
        sid = cached[0] if cached is not None and cached[1] > time.monotonic() else None
        if sid is None:
            stmt = select(shopper_identities.c.shopper_id).where(
                shopper_identities.c.channel == channel, shopper_identities.c.sender_id == sender_id)
            async with self._engine.connect() as conn:
                sid = (await conn.execute(stmt)).scalar_one_or_none()
            if sid is None:
                return None
            if len(self._ids) >= MAX_CACHED_IDENTITIES:
                self._ids.clear()
            self._ids[(channel, sender_id)] = (sid, time.monotonic() + IDENTITY_CACHE_SECONDS)
        return await self.get(sid)

    async def get(self, shopper_id: str) -> Shopper | None:
        found = await self._load(shoppers.c.id == shopper_id)
        return found[0] if found else None

    async def find_by_phone(self, phone: str) -> list[Shopper]:
        """The shoppers whose saved phone is this number, read in one round trip (keyed hash)."""
        key = self.phone_key(phone)
        return [] if key is None else await self._load(shoppers.c.phone_key == key)

    async def _load(self, where: Any) -> list[Shopper]:
        ident = shopper_identities.c
        stmt = (  # the shoppers and their identities in one round trip (a row per identity)
            select(shoppers, ident.channel, ident.sender_id)
            .outerjoin(shopper_identities, ident.shopper_id == shoppers.c.id)
            .where(where)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        by_id: dict[str, list[Any]] = {}
        for r in rows:
            by_id.setdefault(r["id"], []).append(r)
        found = []
        for group in by_id.values():
            row = group[0]
            created = row["created_at"]
            if created.tzinfo is None:
                created = created.replace(tzinfo=UTC)
            identities = tuple((r["channel"], r["sender_id"]) for r in group if r["channel"] is not None)
            found.append(Shopper(id=row["id"], created_at=created, identities=identities,
                                 **{f: self._read(f, row[f]) for f in PROFILE_FIELDS}))
        return found

    def _read(self, name: str, value: str | None) -> str | None:
        if value is None or name not in PERSONAL_FIELDS or self._cipher is None:
            return value
        if not value.startswith(PREFIX + "."):
            return value  # written before encryption was on
        return self._cipher.decrypt(value)

    def _write(self, name: str, value: str | None) -> str | None:
        if value is None or name not in PERSONAL_FIELDS or self._cipher is None:
            return value
        return self._cipher.encrypt(value)

    def phone_key(self, phone: str) -> str | None:
        """The keyed hash (HMAC-SHA256) of a phone number's digits; None without a hash key."""
        digits = phone_digits(phone)
        if self._hash_key is None or not digits:
            return None
        return hmac.new(self._hash_key, f"shopper-phone:{digits}".encode(), hashlib.sha256).hexdigest()

    async def by_phone(self, phone: str) -> list[str]:
        """The ids of shoppers whose saved phone is this number (found by its keyed hash)."""
        key = self.phone_key(phone)
        if key is None:
            return []
        async with self._engine.connect() as conn:
            return list((await conn.execute(select(shoppers.c.id).where(shoppers.c.phone_key == key))).scalars())

    async def update_profile(self, shopper_id: str, **fields: str | None) -> Shopper:
        unknown = set(fields) - set(PROFILE_FIELDS)
        if unknown:
            raise ValueError(f"not profile fields: {sorted(unknown)}")
        async with self._engine.begin() as conn:
            values = {name: self._write(name, value) for name, value in fields.items()}
            if "phone" in fields:
                phone = fields["phone"]
                values["phone_key"] = None if phone is None else self.phone_key(phone)
            result = await conn.execute(shoppers.update().where(shoppers.c.id == shopper_id).values(**values))
            if result.rowcount == 0:
                raise UnknownShopper(shopper_id)
        shopper = await self.get(shopper_id)
        assert shopper is not None
        return shopper

    async def link_identity(self, channel: str, sender_id: str, shopper_id: str) -> None:
        ident = shopper_identities.c
        async with self._engine.begin() as conn:
            exists = (await conn.execute(select(shoppers.c.id).where(shoppers.c.id == shopper_id))).first()
            if exists is None:
                raise UnknownShopper(shopper_id)
            moved = await conn.execute(update(shopper_identities)
                                       .where(ident.channel == channel, ident.sender_id == sender_id)
                                       .values(shopper_id=shopper_id))
            if moved.rowcount == 0:
                await conn.execute(shopper_identities.insert().values(
                    channel=channel, sender_id=sender_id, shopper_id=shopper_id))
        self._ids.pop((channel, sender_id), None)

    async def encrypt_all(self) -> int:
        """Encrypt the personal fields still in plain text, re-wrap the others under the
        current master key and give each saved phone its keyed hash (`shopbot keys rotate`);
        the rows changed."""
        if self._cipher is None:
            return 0
        cipher = self._cipher
        changed = 0
        cols = [shoppers.c[f] for f in PERSONAL_FIELDS]
        async with self._engine.begin() as conn:
            for row in (await conn.execute(select(shoppers.c.id, shoppers.c.phone_key, *cols))).mappings().all():
                values: dict[str, str | None] = {}
                phone = self._read("phone", row["phone"])
                key = None if phone is None else self.phone_key(phone)
                if key != row["phone_key"] and (key is not None or phone is None):
                    values["phone_key"] = key
                for f in PERSONAL_FIELDS:
                    value = row[f]
                    if value is None:
                        continue
                    new = cipher.rewrap(value) if value.startswith(PREFIX + ".") else cipher.encrypt(value)
                    if new != value:
                        values[f] = new
                if values:
                    await conn.execute(shoppers.update().where(shoppers.c.id == row["id"]).values(**values))
                    changed += 1
        return changed
