"""`shopbot keys rotate`: an operator puts a new master key first and re-wraps every record."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime

import sqlalchemy

from bot import db
from integrations.accounts.crypto import EnvelopeCipher, new_master_key, parse_master_keys
from integrations.db.accounts_repo import SQLAccountRepository
from shop.accounts import Account, Address, AddressKind


def test_rotate_rewraps_under_the_new_key_and_the_old_key_can_go(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    old, new, hash_key = f"k1:{new_master_key()}", f"k2:{new_master_key()}", new_master_key()

    async def seed() -> None:
        engine = db.create_engine(url)
        await db.upgrade(engine)
        repo = SQLAccountRepository(engine, EnvelopeCipher(parse_master_keys(old), "k1"))
        await repo.add(Account("A1", "S1", Address(AddressKind.EMAIL, "lilei@example.com"), "h",
                               datetime.now(UTC)), "key-1")
        await engine.dispose()

    asyncio.run(seed())
    env = {"DATABASE_URL": url, "PATH": "", "VAR_DIR": str(tmp_path / "var"),
           "ACCOUNT_MASTER_KEYS": f"{new},{old}", "ACCOUNT_HASH_KEY": hash_key}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "keys", "rotate"], env=env, check=False,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "re-wrapped 1 record(s) under master key k2" in out.stdout
    stored = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'keys.db'}").connect().execute(
        sqlalchemy.text("SELECT address_enc FROM accounts")).scalar_one()
    assert stored.split(".")[1] == "k2" and "lilei" not in stored
    only_new = EnvelopeCipher(parse_master_keys(new), "k2")
    assert only_new.decrypt(stored) == "lilei@example.com"
