"""Accounts in SQL (SQLite and PostgreSQL): the address is encrypted at rest, found by its keyed
hash, and its data key is re-wrapped when the master key rotates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot import db
from integrations.accounts.crypto import CipherError, EnvelopeCipher, new_master_key, parse_master_keys
from integrations.db.accounts_repo import SQLAccountRepository
from shop.accounts import Account, AccountExists, Address, AddressKind

OLD = f"k1:{new_master_key()}"
NEW = f"k2:{new_master_key()}"


def cipher(keys: str) -> EnvelopeCipher:
    masters = parse_master_keys(keys)
    return EnvelopeCipher(masters, keys.split(":")[0])


@pytest.fixture
async def engine(db_url):
    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    yield engine
    await engine.dispose()


def account(aid: str = "A1", shopper: str = "S1", phone: str = "+8613800138000") -> Account:
    return Account(aid, shopper, Address(AddressKind.PHONE, phone), "$argon2id$x", datetime.now(UTC))


async def test_the_phone_is_stored_encrypted_and_found_by_its_keyed_hash(engine):
    repo = SQLAccountRepository(engine, cipher(OLD))
    await repo.add(account(), "hash-1")
    async with engine.connect() as conn:
        raw = " ".join(str(v) for v in (await conn.execute(text("SELECT * FROM accounts"))).one())
    assert "13800138000" not in raw and "8000" not in raw.replace("hash-1", "")
    found = await repo.by_address_key("hash-1")
    assert found is not None and found.address.value == "+8613800138000"
    assert (await repo.by_shopper("S1")).id == "A1"
    with pytest.raises(AccountExists):
        await repo.add(account("A2", "S2"), "hash-1")


async def test_rotation_rewraps_every_data_key_under_the_new_master_key(engine):
    await SQLAccountRepository(engine, cipher(OLD)).add(account(), "hash-1")
    rotated = SQLAccountRepository(engine, cipher(f"{NEW},{OLD}"))
    assert await rotated.rewrap() == 1
    assert await rotated.rewrap() == 0
    only_new = SQLAccountRepository(engine, cipher(NEW))  # the old master key can now be dropped
    assert (await only_new.get("A1")).address.value == "+8613800138000"
    with pytest.raises(CipherError):
        await SQLAccountRepository(engine, cipher(OLD)).get("A1")
