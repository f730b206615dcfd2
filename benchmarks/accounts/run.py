"""Shopper accounts: sign-ins beside the event loop, and finding a shopper by phone on an
encrypted table (issue 19, targets).

    .venv/bin/python -m benchmarks.accounts.run [--part healthz|lookup|shoppers|both] [--clients 16]
        [--seconds 15] [--rows 1000000]

healthz — the app as `shopbot serve` runs it (one uvicorn worker in a subprocess, embedded
SQLite, SANDBOX on, the NLU model of `var/test-models/nlu` when present); an account is made
through the account pages (the code read from the sandbox route), then `--clients` clients sign
in over and over (form, then POST with its CSRF token: an argon2id verify each, in a worker
thread) while one client polls `GET /healthz`. Baseline, same run, same worker: `/healthz`
polled with no sign-ins. Target: p99 of /healthz ≤ 20 ms during the sign-ins.

lookup — a fresh PostgreSQL database (TEST_PG_ADMIN_DSN, removed afterwards) migrated as the
app does, `--rows` accounts written with COPY (each address envelope-encrypted, a data key per
row, and its keyed hash), then 2,000 look-ups of random existing phones through
`SQLAccountRepository.by_address_key` (the keyed hash computed, the row read, the address
decrypted). Baseline, same run: the same look-ups on a table of 1,000 accounts. Target: p99 ≤ 5 ms
on 1,000,000 rows.

shoppers — the same on the shoppers table (`--rows` shoppers, name, phone and address each
envelope-encrypted, the phone's keyed hash in `phone_key`): `SQLShopperRepository.by_phone` then
`get` (decrypting the row), as the console's search by a full phone number does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bot.settings import PROJECT_ROOT

PASSWORD = "violet-tram-Harbour-42"
PG_ADMIN_DSN = os.environ.get("TEST_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field"
    return m.group(1)


async def poll_healthz(url: str, stop: asyncio.Event) -> list[float]:
    times: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        while not stop.is_set():
            t0 = time.perf_counter()
            r = await client.get("/healthz")
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200
            await asyncio.sleep(0.01)
    return times


async def sign_in_loop(url: str, stop: asyncio.Event, phone: str) -> tuple[int, int]:
    done = errors = 0
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        while not stop.is_set():
            form = await client.get("/account/signin")
            r = await client.post("/account/signin", data={"csrf": csrf_of(form.text), "address": phone,
                                                           "password": PASSWORD})
            if r.status_code == 303:
                done += 1
            else:
                errors += 1
            client.cookies.clear()
    return done, errors


async def healthz_part(clients: int, seconds: float) -> None:
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="bench-accounts-"))
    env = {**os.environ, "SANDBOX": "1", "PORT": str(port), "DEMO_CATALOG": "demo", "VAR_DIR": str(tmp / "var"),
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'bench.db'}", "LOG_LEVEL": "WARNING",
           "DEMO_PRICE_WALK_SECONDS": "0", "PYTHONPATH": str(PROJECT_ROOT)}
    model = PROJECT_ROOT / "var" / "test-models" / "nlu"
    if model.exists():
        env["NLU_MODEL_DIR"] = str(model)
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], env=env, cwd=PROJECT_ROOT,  # noqa: ASYNC220
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            while True:
                try:
                    if (await client.get("/healthz")).json().get("status") == "ok":
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the server did not come up")
                await asyncio.sleep(0.5)
            phone = "13800138000"
            form = await client.get("/account/signup")
            sent = await client.post("/account/signup", data={"csrf": csrf_of(form.text), "address": phone})
            code = (await client.get("/sandbox/verification-codes", params={"to": phone})).json()[0]["code"]
            done = await client.post("/account/signup/finish", data={"csrf": csrf_of(sent.text), "address": phone,
                                                                    "code": code, "password": PASSWORD})
            assert done.status_code == 303, done.text[:300]

        stop = asyncio.Event()
        poller = asyncio.create_task(poll_healthz(url, stop))
        await asyncio.sleep(seconds / 3)
        stop.set()
        baseline = await poller

        stop = asyncio.Event()
        poller = asyncio.create_task(poll_healthz(url, stop))
        loops = [asyncio.create_task(sign_in_loop(url, stop, phone)) for _ in range(clients)]
        t0 = time.perf_counter()
        await asyncio.sleep(seconds)
        stop.set()
        during = await poller
        results = await asyncio.gather(*loops)
        elapsed = time.perf_counter() - t0
        signed = sum(d for d, _ in results)
        errors = sum(e for _, e in results)
        print(f"/healthz baseline (no sign-ins): n={len(baseline)} p50 {percentile(baseline, 50):.1f} ms "
              f"p99 {percentile(baseline, 99):.1f} ms")
        print(f"/healthz during {clients} concurrent sign-ins: n={len(during)} p50 {percentile(during, 50):.1f} ms "
              f"p99 {percentile(during, 99):.1f} ms (target ≤ 20 ms)")
        print(f"sign-ins: {signed} in {elapsed:.1f} s ({signed / elapsed:.1f}/s), errors {errors}")
    finally:
        proc.terminate()
        proc.wait(30)


async def lookup_part(rows: int, lookups: int = 2000) -> None:
    import asyncpg

    from bot import db
    from integrations.accounts.addresses import PhoneOrEmailParser
    from integrations.accounts.crypto import EnvelopeCipher, new_master_key, parse_master_keys
    from integrations.db.accounts_repo import SQLAccountRepository
    from shop.accounts import AccountService

    cipher = EnvelopeCipher(parse_master_keys(f"k1:{new_master_key()}"), "k1")
    hash_key = os.urandom(32)
    service = AccountService(None, None, PhoneOrEmailParser(), None, None, {}, None, hash_key)  # type: ignore[arg-type]

    def phone_of(i: int) -> str:
        return f"+86139{i:08d}"

    async def measure(n: int) -> list[float]:
        name = f"bench_accounts_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        base = PG_ADMIN_DSN.rsplit("/", 1)[0]
        engine = db.create_engine(f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}")
        try:
            await db.upgrade(engine)
            conn = await asyncpg.connect(f"{base}/{name}")
            t0 = time.perf_counter()
            now = datetime.now(UTC)
            batch = 50_000
            for start in range(0, n, batch):
                records = []
                for i in range(start, min(n, start + batch)):
                    address = service.parse_address(phone_of(i)) if i < 3 else None
                    value = phone_of(i)
                    key = service.address_key(address) if address else _key(hash_key, value)
                    records.append((f"A{i:015d}", f"S{i:015d}", "phone", key, cipher.encrypt(value),
                                    "$argon2id$bench", now))
                await conn.copy_records_to_table("accounts", records=records, columns=[
                    "id", "shopper_id", "address_kind", "address_key", "address_enc", "password_hash", "created_at"])
            await conn.execute("ANALYZE accounts")
            await conn.close()
            print(f"  {n:,} encrypted accounts written in {time.perf_counter() - t0:.0f} s")
            repo = SQLAccountRepository(engine, cipher)
            times: list[float] = []
            for _ in range(lookups):
                i = random.randrange(n)
                t1 = time.perf_counter()
                found = await repo.by_address_key(service.address_key(service.parse_address(phone_of(i))))
                times.append((time.perf_counter() - t1) * 1000)
                assert found is not None and found.address.value == phone_of(i)
            return times
        finally:
            await engine.dispose()
            admin = await asyncpg.connect(PG_ADMIN_DSN)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()

    small = await measure(1000)
    print(f"baseline, 1,000 accounts: p50 {percentile(small, 50):.2f} ms p99 {percentile(small, 99):.2f} ms")
    big = await measure(rows)
    print(f"{rows:,} accounts: p50 {percentile(big, 50):.2f} ms p99 {percentile(big, 99):.2f} ms (target ≤ 5 ms)")


async def shoppers_part(rows: int, lookups: int = 2000) -> None:
    """A shopper found by a full phone number on the encrypted shoppers table (the console's search):
    `SQLShopperRepository.by_phone` (keyed hash of the digits, index on phone_key) then `get`
    (the row read, its name, phone and address decrypted)."""
    import asyncpg

    from bot import db
    from integrations.accounts.crypto import EnvelopeCipher, new_master_key, parse_master_keys
    from integrations.db.shoppers_repo import SQLShopperRepository

    cipher = EnvelopeCipher(parse_master_keys(f"k1:{new_master_key()}"), "k1")
    hash_key = os.urandom(32)

    def phone_of(i: int) -> str:
        return f"139{i:08d}"

    async def measure(n: int) -> list[float]:
        name = f"bench_shoppers_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        base = PG_ADMIN_DSN.rsplit("/", 1)[0]
        engine = db.create_engine(f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}")
        try:
            await db.upgrade(engine)
            repo = SQLShopperRepository(engine, cipher, hash_key)
            conn = await asyncpg.connect(f"{base}/{name}")
            t0 = time.perf_counter()
            now = datetime.now(UTC)
            batch = 50_000
            for start in range(0, n, batch):
                records = [(f"U{i:016d}", now, cipher.encrypt(f"顾客{i}"), cipher.encrypt(phone_of(i)),
                            cipher.encrypt(f"上海市浦东新区世纪大道{i}号"), repo.phone_key(phone_of(i)))
                           for i in range(start, min(n, start + batch))]
                await conn.copy_records_to_table("shoppers", records=records, columns=[
                    "id", "created_at", "receiver_name", "phone", "address", "phone_key"])
            await conn.execute("ANALYZE shoppers")
            await conn.close()
            print(f"  {n:,} encrypted shoppers written in {time.perf_counter() - t0:.0f} s")
            times: list[float] = []
            for _ in range(lookups):
                i = random.randrange(n)
                t1 = time.perf_counter()
                found = await repo.find_by_phone(phone_of(i))
                times.append((time.perf_counter() - t1) * 1000)
                assert len(found) == 1 and found[0].phone == phone_of(i)
            return times
        finally:
            await engine.dispose()
            admin = await asyncpg.connect(PG_ADMIN_DSN)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()

    small = await measure(1000)
    print(f"baseline, 1,000 shoppers: p50 {percentile(small, 50):.2f} ms p99 {percentile(small, 99):.2f} ms")
    big = await measure(rows)
    print(f"{rows:,} shoppers by phone: p50 {percentile(big, 50):.2f} ms p99 {percentile(big, 99):.2f} ms "
          "(target ≤ 5 ms)")


def _key(hash_key: bytes, e164: str) -> str:
    import hashlib
    import hmac

    return hmac.new(hash_key, f"phone:{e164}".encode(), hashlib.sha256).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=("healthz", "lookup", "shoppers", "both"), default="both")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    if args.part in ("healthz", "both"):
        asyncio.run(healthz_part(args.clients, args.seconds))
    if args.part in ("lookup", "both"):
        asyncio.run(lookup_part(args.rows))
    if args.part in ("shoppers", "both"):
        asyncio.run(shoppers_part(args.rows))


if __name__ == "__main__":
    main()
