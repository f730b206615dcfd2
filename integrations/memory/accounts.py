"""The in-process twins of `SQLAccountRepository` and `SQLCodeStore` (tests)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from shop.accounts import Account, AccountExists, Purpose, VerificationCode


class InMemoryAccountRepository:
    def __init__(self) -> None:
        self._accounts: dict[str, Account] = {}
        self._by_key: dict[str, str] = {}

    async def by_address_key(self, address_key: str) -> Account | None:
        aid = self._by_key.get(address_key)
        return None if aid is None else self._accounts[aid]

    async def get(self, account_id: str) -> Account | None:
        return self._accounts.get(account_id)

    async def by_shopper(self, shopper_id: str) -> Account | None:
        return next((a for a in self._accounts.values() if a.shopper_id == shopper_id), None)

    async def add(self, account: Account, address_key: str) -> None:
        if address_key in self._by_key or await self.by_shopper(account.shopper_id) is not None:
            raise AccountExists()
        self._accounts[account.id] = account
        self._by_key[address_key] = account.id

    async def set_password(self, account_id: str, password_hash: str) -> None:
        self._accounts[account_id] = replace(self._accounts[account_id], password_hash=password_hash)


class InMemoryCodeStore:
    def __init__(self) -> None:
        self._codes: dict[str, VerificationCode] = {}
        self._requests: list[tuple[str, datetime]] = []

    async def add(self, code: VerificationCode) -> None:
        self._codes[code.id] = code

    async def latest(self, address_key: str, purpose: Purpose) -> VerificationCode | None:
        mine = [c for c in self._codes.values() if c.address_key == address_key and c.purpose is purpose]
        return max(mine, key=lambda c: c.created_at, default=None)

    async def record_attempt(self, code_id: str, used: bool) -> None:
        code = self._codes[code_id]
        self._codes[code_id] = replace(code, attempts=code.attempts + 1, used=code.used or used)

    async def count_since(self, key: str, since: datetime) -> int:
        return sum(1 for k, at in self._requests if k == key and at >= since)

    async def note_request(self, key: str, at: datetime) -> None:
        self._requests.append((key, at))
