"""Shoppers' names, phones, addresses and e-mails are encrypted at rest (issue 19.4), on SQLite and
PostgreSQL; values stored before encryption was on are still read, and `encrypt_all` (run by
`shopbot keys rotate`) encrypts them."""

from __future__ import annotations

from sqlalchemy import text

from bot import db
from integrations.accounts.crypto import EnvelopeCipher, new_master_key, parse_master_keys
from integrations.db.shoppers_repo import SQLShopperRepository

PROFILE = {"receiver_name": "韩梅梅", "phone": "13800138000", "address": "上海市浦东新区世纪大道100号",
           "email": "hanmeimei@example.com"}


async def raw_row(engine, shopper_id):
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT receiver_name, phone, address, email FROM shoppers WHERE id = :id"),
                                  {"id": shopper_id})).one()
    return " ".join(str(v) for v in row)


async def test_profile_fields_are_unreadable_in_the_database(db_url):
    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    cipher = EnvelopeCipher(parse_master_keys(f"k1:{new_master_key()}"), "k1")
    try:
        plain = SQLShopperRepository(engine)  # as before this change
        old = await plain.by_identity("telegram", "42")
        await plain.update_profile(old.id, **PROFILE)
        repo = SQLShopperRepository(engine, cipher)
        assert {f: getattr(await repo.get(old.id), f) for f in PROFILE} == PROFILE  # legacy rows still read

        new = await repo.by_identity("webchat", "b1")
        await repo.update_profile(new.id, **PROFILE)
        stored = await raw_row(engine, new.id)
        assert not any(value in stored for value in PROFILE.values())
        assert {f: getattr(await repo.get(new.id), f) for f in PROFILE} == PROFILE

        assert await repo.encrypt_all() == 1  # the legacy row
        stored = await raw_row(engine, old.id)
        assert "13800138000" not in stored and "韩梅梅" not in stored
        assert (await repo.get(old.id)).phone == "13800138000"
    finally:
        await engine.dispose()


async def test_a_shopper_is_found_by_phone_written_any_way_in_one_read(db_url):
    """The console's search by phone: "+86 138 0013 8000" finds the shopper saved with 13800138000,
    decrypted, with their channels; another number finds nobody."""
    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    cipher = EnvelopeCipher(parse_master_keys(f"k1:{new_master_key()}"), "k1")
    try:
        repo = SQLShopperRepository(engine, cipher, hash_key=b"k" * 32)
        shopper = await repo.by_identity("telegram", "77")
        await repo.update_profile(shopper.id, **PROFILE)
        other = await repo.by_identity("webchat", "w2")
        await repo.update_profile(other.id, phone="13900139000")
        found = await repo.find_by_phone("+86 138 0013 8000")
        assert [(s.id, s.phone, s.receiver_name, s.identities) for s in found] == [
            (shopper.id, "13800138000", "韩梅梅", (("telegram", "77"),))]
        assert await repo.find_by_phone("13700137000") == []
        assert [s.id for s in found] == await repo.by_phone("13800138000")
    finally:
        await engine.dispose()
