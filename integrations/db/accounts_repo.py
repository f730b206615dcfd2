"""Accounts and verification codes in SQL (SQLite / PostgreSQL).

An account's address is stored encrypted (`EnvelopeCipher`: a data key per row, wrapped by the
master key) and found by its keyed hash (`address_key`, unique); codes are kept as keyed
hashes only. `code_requests` counts requests per address and per requester for the rate limits.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, Text, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.accounts.crypto import EnvelopeCipher
from integrations.db.base import metadata
from shop.accounts import Account, AccountExists, Address, AddressKind, Purpose, VerificationCode

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("shopper_id", String(40), nullable=False, unique=True),
    Column("address_kind", String(8), nullable=False),
    Column("address_key", String(64), nullable=False, unique=True),
    Column("address_enc", Text, nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

verification_codes = Table(
    "verification_codes",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("address_key", String(64), nullable=False, index=True),
    Column("purpose", String(16), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("used", Boolean, nullable=False, default=False),
)

code_requests = Table(
    "code_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("counter", String(100), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

account_sessions = Table(
    "account_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the cookie's token
    Column("account_id", String(40), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

KEEP_REQUESTS = timedelta(days=1)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class SQLAccountRepository:
    def __init__(self, engine: AsyncEngine, cipher: EnvelopeCipher) -> None:
        self._engine = engine
        self._cipher = cipher

    def _account(self, row: Any) -> Account:
        address = Address(AddressKind(row.address_kind), self._cipher.decrypt(row.address_enc))
        return Account(row.id, row.shopper_id, address, row.password_hash, _utc(row.created_at))

    async def _one(self, where: Any) -> Account | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(accounts).where(where))).first()
        return None if row is None else self._account(row)

    async def by_address_key(self, address_key: str) -> Account | None:
        return await self._one(accounts.c.address_key == address_key)

    async def get(self, account_id: str) -> Account | None:
        return await self._one(accounts.c.id == account_id)

    async def by_shopper(self, shopper_id: str) -> Account | None:
        return await self._one(accounts.c.shopper_id == shopper_id)

    async def add(self, account: Account, address_key: str) -> None:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(accounts.insert().values(
                    id=account.id, shopper_id=account.shopper_id, address_kind=account.address.kind.value,
                    address_key=address_key, address_enc=self._cipher.encrypt(account.address.value),
                    password_hash=account.password_hash, created_at=account.created_at))
        except IntegrityError:
            raise AccountExists() from None

    async def set_password(self, account_id: str, password_hash: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(update(accounts).where(accounts.c.id == account_id)
                               .values(password_hash=password_hash))

    async def rewrap(self, batch: int = 500) -> int:
        """Re-wrap every address's data key under the current master key; rows changed."""
        changed = 0
        async with self._engine.begin() as conn:
            rows = (await conn.execute(select(accounts.c.id, accounts.c.address_enc))).all()
            for row in rows:
                new = self._cipher.rewrap(row.address_enc)
                if new != row.address_enc:
                    await conn.execute(update(accounts).where(accounts.c.id == row.id).values(address_enc=new))
                    changed += 1
        return changed


def _code(row: Any) -> VerificationCode:
    return VerificationCode(row.id, row.address_key, Purpose(row.purpose), row.code_hash, _utc(row.created_at),
                            _utc(row.expires_at), row.attempts, bool(row.used))


class SQLCodeStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, code: VerificationCode) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(verification_codes.insert().values(
                id=code.id, address_key=code.address_key, purpose=code.purpose.value, code_hash=code.code_hash,
                created_at=code.created_at, expires_at=code.expires_at, attempts=code.attempts, used=code.used))
            # spent and expired codes of that address are of no more use
            await conn.execute(delete(verification_codes).where(
                verification_codes.c.address_key == code.address_key,
                verification_codes.c.expires_at < code.created_at - KEEP_REQUESTS))

    async def latest(self, address_key: str, purpose: Purpose) -> VerificationCode | None:
        c = verification_codes.c
        stmt = (select(verification_codes).where(c.address_key == address_key, c.purpose == purpose.value)
                .order_by(c.created_at.desc()).limit(1))
        async with self._engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        return None if row is None else _code(row)

    async def record_attempt(self, code_id: str, used: bool) -> None:
        c = verification_codes.c
        values: dict[str, Any] = {"attempts": c.attempts + 1}
        if used:
            values["used"] = True
        async with self._engine.begin() as conn:
            await conn.execute(update(verification_codes).where(c.id == code_id).values(**values))

    async def count_since(self, key: str, since: datetime) -> int:
        c = code_requests.c
        async with self._engine.connect() as conn:
            return int((await conn.execute(select(func.count()).where(c.counter == key, c.at >= since)))
                       .scalar_one())

    async def note_request(self, key: str, at: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(code_requests.insert().values(counter=key, at=at))
            await conn.execute(delete(code_requests).where(code_requests.c.counter == key,
                                                           code_requests.c.at < at - KEEP_REQUESTS))


class SQLAccountSessions:
    """Web sessions of shoppers: a row per sign-in, named by the hash of the cookie's token."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, id_hash: str, account_id: str, csrf_token: str, created_at: datetime,
                  expires_at: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(account_sessions.insert().values(
                id_hash=id_hash, account_id=account_id, csrf_token=csrf_token, created_at=created_at,
                expires_at=expires_at))
            await conn.execute(delete(account_sessions).where(account_sessions.c.account_id == account_id,
                                                              account_sessions.c.expires_at < created_at))

    async def get(self, id_hash: str) -> tuple[str, str, datetime] | None:
        """(account id, CSRF token, expiry) of a session, or None."""
        c = account_sessions.c
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(c.account_id, c.csrf_token, c.expires_at)
                                      .where(c.id_hash == id_hash))).first()
        return None if row is None else (row.account_id, row.csrf_token, _utc(row.expires_at))

    async def delete(self, id_hash: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(account_sessions).where(account_sessions.c.id_hash == id_hash))

    async def delete_all(self, account_id: str) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(account_sessions).where(account_sessions.c.account_id == account_id))
        return int(result.rowcount or 0)
