"""Personal data in order rows and stored transcripts is encrypted at rest (issue 19.4): a
shopper checks out through the REST channel with a name, phone and address; the raw orders
row, the raw transcript rows (SQLite, PostgreSQL) and the raw Redis list hold none of them in
clear, the app reads them back, `shopbot keys rotate` re-wraps them under a new master key,
and rows written before encryption are encrypted by migration 0018."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text as sql

from bot import db
from integrations.accounts.crypto import EnvelopeCipher, new_master_key, parse_master_keys
from tests.bot.test_cart import say, text
from tests.bot.test_checkout import answer, fill_cart
from tracking import events as ev

NAME, PHONE, STREET = "张三丰", "13912345678", "世纪大道"
ADDRESS = ("上海市浦东新区世纪大道100号3楼", NAME, PHONE, "不用", "微信支付")
SECRETS = (NAME, PHONE, STREET)


def clear(values: list[str]) -> list[str]:
    return [v for v in values if any(s in v for s in SECRETS)]


async def check_out(client: httpx.AsyncClient, sender: str) -> list[str]:
    await fill_cart(client, sender, "我想买蓝牙耳机")
    await say(client, sender, "结算")
    await answer(client, sender, ADDRESS)
    placed = await say(client, sender, "确认下单")
    orders = [r["custom"]["order_id"] for r in placed if (r.get("custom") or {}).get("type") == "order"]
    assert orders, text(placed)
    return orders


async def raw_rows(engine) -> tuple[list[str], list[str]]:
    async with engine.connect() as conn:
        orders = [str(v) for row in (await conn.execute(sql("SELECT receiver_name, phone, address FROM orders"))).all()
                  for v in row]
        events = [r[0] for r in (await conn.execute(sql("SELECT data FROM tracker_events"))).all()]
    return orders, events


async def test_orders_and_transcripts_are_unreadable_in_the_database_and_rotate(settings, db_url, tmp_path):
    from bot.app import create_app

    app = create_app(settings.model_copy(update={"database_url": db_url}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as client:
        runtime = app.state.runtime
        order_ids = await check_out(client, "pii")
        orders, events = await raw_rows(runtime.db_engine)
        assert orders and events
        assert clear(orders) == [] and clear(events) == []
        assert all(v.startswith("v1.") for v in orders + events)
        # … and the app reads them
        order = await runtime.orders.orders.get(order_ids[0])
        assert (order.receiver_name, order.phone, order.address) == (NAME, PHONE, ADDRESS[0])
        said = [e.data.get("text") for e in (await runtime.tracker_store.load("rest:pii")).events if e.type == "user"]
        assert PHONE in said and NAME in said
        mine = text(await say(client, "pii", "我的订单"))
        assert order_ids[0] in mine

    # an operator puts a new master key first and rotates: every value is wrapped by it
    keys = json.loads((Path(settings.var_dir) / "account-keys.json").read_text())
    new = f"k2:{new_master_key()}"
    env = {"DATABASE_URL": db_url, "PATH": "", "VAR_DIR": str(settings.var_dir),
           "ACCOUNT_MASTER_KEYS": f"{new},{keys['master_keys']}", "ACCOUNT_HASH_KEY": keys["hash_key"]}
    out = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot.cli", "keys", "rotate"], env=env,
                                  check=False, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    engine = db.create_engine(db_url)
    try:
        orders, events = await raw_rows(engine)
    finally:
        await engine.dispose()
    assert {v.split(".")[1] for v in orders + events} == {"k2"} and clear(orders + events) == []
    only_new = EnvelopeCipher(parse_master_keys(new), "k2")
    assert PHONE in {only_new.decrypt(v) for v in orders}
    assert any(PHONE in only_new.decrypt(v) for v in events)


@pytest.mark.redis
async def test_redis_transcripts_hold_no_phone_or_name_in_clear(settings, redis_url, redis_prefix):
    from bot.app import create_app

    app = create_app(settings.model_copy(update={"redis_url": redis_url, "redis_prefix": redis_prefix}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as client:
        replies = await say(client, "r-pii", f"收货人{NAME},电话{PHONE},地址上海市浦东新区{STREET}100号")
        assert replies
        raw = Redis.from_url(redis_url)
        try:
            stored = [v.decode() for v in await raw.lrange(f"{redis_prefix}tracker:rest:r-pii", 0, -1)]
        finally:
            await raw.aclose()
        assert stored and clear(stored) == [] and all(v.startswith("v1.") for v in stored)
        said = [e.data.get("text") for e in (await app.state.runtime.tracker_store.load("rest:r-pii")).events
                if e.type == "user"]
        assert said == [f"收货人{NAME},电话{PHONE},地址上海市浦东新区{STREET}100号"]
        assert "购物车是空的" in text(await say(client, "r-pii", "我的购物车"))  # the conversation goes on


async def test_rows_written_before_are_encrypted_by_the_migration(db_url):
    from alembic import command

    from integrations.db.orders_repo import SqlOrderRepository
    from tests.integrations.db.test_orders_repo import created
    from tests.integrations.db.test_orders_repo import order as legacy_order
    from tracking.sql_store import SQLTrackerStore

    cipher = EnvelopeCipher(parse_master_keys(f"k1:{new_master_key()}"), "k1")
    engine = db.create_engine(db_url)
    try:
        await db.upgrade(engine)

        def back_to_before(connection) -> None:  # as a database was before 0018
            cfg = db.alembic_config(db_url)
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0010_shopper_pii")

        async with engine.begin() as conn:
            await conn.run_sync(back_to_before)
        plain = SqlOrderRepository(engine)  # as the app wrote them before this change
        order = legacy_order()
        await plain.add_order(order, created(order))
        await SQLTrackerStore(engine).append("rest:old", [ev.user_uttered(f"电话{PHONE}", {})])
        orders, events = await raw_rows(engine)
        assert order.phone in orders and any(PHONE in e for e in events)

        await db.upgrade(engine, cipher)
        orders, events = await raw_rows(engine)
        assert order.phone not in orders and clear(events) == [] and all(v.startswith("v1.") for v in orders + events)
        assert (await SqlOrderRepository(engine, cipher).get_order(order.id)).phone == order.phone
        assert (await SQLTrackerStore(engine, cipher).load("rest:old")).events[0].data["text"] == f"电话{PHONE}"
    finally:
        await engine.dispose()


@pytest.mark.redis
def test_keys_rotate_rewraps_redis_transcripts_and_encrypts_old_ones(redis_url, redis_prefix, tmp_path):
    from tracking.redis_store import RedisTrackerStore

    old, new, hash_key = f"k1:{new_master_key()}", f"k2:{new_master_key()}", new_master_key()
    key_of = f"{redis_prefix}tracker:rest:"

    async def seed() -> None:
        client = Redis.from_url(redis_url)
        try:
            await RedisTrackerStore(client, redis_prefix).append(  # written before encryption was on
                "rest:legacy", [ev.user_uttered(f"电话{PHONE}", {})])
            await RedisTrackerStore(client, redis_prefix, cipher=EnvelopeCipher(parse_master_keys(old), "k1")).append(
                "rest:recent", [ev.user_uttered(f"收货人{NAME}", {})])
        finally:
            await client.aclose()

    async def stored() -> list[str]:
        client = Redis.from_url(redis_url)
        try:
            return [v.decode() for who in ("legacy", "recent") for v in await client.lrange(key_of + who, 0, -1)]
        finally:
            await client.aclose()

    asyncio.run(seed())
    assert clear(asyncio.run(stored())) != []
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}", "PATH": "", "VAR_DIR": str(tmp_path / "var"),
           "REDIS_URL": redis_url, "REDIS_PREFIX": redis_prefix,
           "ACCOUNT_MASTER_KEYS": f"{new},{old}", "ACCOUNT_HASH_KEY": hash_key}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "keys", "rotate"], env=env, check=False,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    after = asyncio.run(stored())
    assert len(after) == 2 and clear(after) == [] and {v.split(".")[1] for v in after} == {"k2"}
    only_new = EnvelopeCipher(parse_master_keys(new), "k2")
    assert [json.loads(only_new.decrypt(v))["data"]["text"] for v in after] == [f"电话{PHONE}", f"收货人{NAME}"]
