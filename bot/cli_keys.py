"""`shopbot keys`: the master keys of personal data at rest."""

from __future__ import annotations

import asyncio

import typer

from bot.settings import Settings

keys_app = typer.Typer(help="Master keys of shoppers' personal data.", no_args_is_help=True)


@keys_app.command("rotate")
def rotate() -> None:
    """Re-wrap every data key under the current master key (the first of ACCOUNT_MASTER_KEYS),
    and encrypt personal data still in plain text: shoppers' profiles (and their phone hashes),
    the orders' receiver name, phone and address, the stored transcripts (database and Redis).

    Put the new key first and keep the old ones listed, run this, then drop the old ones."""
    from redis.asyncio import Redis

    from bot import db
    from bot.accounts_setup import build_accounts
    from integrations.db.orders_repo import SqlOrderRepository
    from integrations.db.shoppers_repo import SQLShopperRepository
    from shop.clock import SystemClock
    from tracking.redis_store import RedisTrackerStore
    from tracking.sql_store import SQLTrackerStore

    settings = Settings()

    async def main() -> int:
        engine = db.create_engine(settings.database_url)
        try:
            parts = build_accounts(settings, engine, SystemClock())
            await db.upgrade(engine, parts.cipher)
            shoppers = SQLShopperRepository(engine, parts.cipher, parts.service.keyed_hash_key)
            changed = await parts.repo.rewrap() + await shoppers.encrypt_all()
            changed += await SqlOrderRepository(engine, parts.cipher).encrypt_all()
            changed += await SQLTrackerStore(engine, parts.cipher).encrypt_all()
            if settings.redis_url:
                redis = Redis.from_url(settings.redis_url)
                try:
                    changed += await RedisTrackerStore(redis, settings.redis_prefix, cipher=parts.cipher).encrypt_all()
                finally:
                    await redis.aclose()
            return changed
        finally:
            await engine.dispose()

    changed = asyncio.run(main())
    typer.echo(f"re-wrapped {changed} record(s) under master key {build_key_id(settings)}")


def new_key() -> None:
    """Print a new random master key (for ACCOUNT_MASTER_KEYS or ACCOUNT_HASH_KEY)."""
    from integrations.accounts.crypto import new_master_key

    typer.echo(new_master_key())


keys_app.command("new")(new_key)


def build_key_id(settings: Settings) -> str:
    from bot.accounts_setup import load_keys

    return load_keys(settings).current
