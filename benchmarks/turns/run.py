"""Whole shopping turns through the REST webhook: 16 concurrent shoppers for 30 s on one worker.

    .venv/bin/python -m benchmarks.turns.run [--clients 16] [--seconds 30] [--runs 3] [--backends sqlite,pg]

The app runs as `shopbot serve` would, one uvicorn worker in a subprocess, configured through
the environment: `sqlite` (embedded: SQLite file, in-process trackers and locks) or `pg`
(PostgreSQL + Redis: a fresh database and Redis key prefix, removed afterwards). The demo
platforms run in process with their default latency. Each client plays whole conversations
(greet, search with a budget, refine, details, compare, buy with variant, address, name, phone,
payment, confirm, thanks; zh and en, as a person types them, buttons where a person presses
them) as fast as the answers come, through `POST /webhooks/rest/webhook` over keep-alive HTTP.

Per backend: errors (non-200 answers, transport failures, and the bot's generic error reply),
turns/s, p50/p99, the worker's RSS after each of `--runs` runs (growth first → last), and the
worker's CPU time per turn (which the machine's load inflates much less than the latencies).
Baseline, in the same run against the same worker: `GET /healthz` from the same clients for a
few seconds — what HTTP, uvicorn and the event loop cost without a turn.
Targets (issue 14): no errors, p99 ≤ 300 ms on both backends, RSS growth ≤ 5% across 3 runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from benchmarks.dialogue.run import en_script, percentile, zh_script
from bot.settings import PROJECT_ROOT
from dialogue import responses

GENERIC_ERRORS = {responses.text("error_generic", "zh"), responses.text("error_generic", "en")}
TARGET_P99_MS = 300.0
TARGET_RSS_GROWTH = 0.05
PG_ADMIN_DSN = os.environ.get("TEST_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    turns: int = 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def model_dir() -> Path:
    for candidate in (PROJECT_ROOT / "var" / "models" / "nlu", PROJECT_ROOT / "var" / "test-models" / "nlu"):
        if candidate.exists():
            return candidate
    return PROJECT_ROOT / "var" / "models" / "nlu"  # trained at start if missing


class Server:
    """One uvicorn worker with the app, in a subprocess."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        code = ("import uvicorn; from bot.app import create_app; "
                f"uvicorn.run(create_app(), host='127.0.0.1', port={self.port}, log_level='warning')")
        # a pipe nobody reads would fill and stall the server; closed in stop()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        self.proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, **env},
                                     cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=self.log)
        self.url = f"http://127.0.0.1:{self.port}"

    async def ready(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    self.log.seek(0)
                    raise RuntimeError("server exited: " + self.log.read().decode()[-2000:])
                try:
                    if (await client.get(self.url + "/healthz", timeout=2)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)
        raise RuntimeError("server did not start")

    def rss_mb(self) -> float:
        return psutil.Process(self.proc.pid).memory_info().rss / 2**20

    def cpu_seconds(self) -> float:
        """CPU time the worker has used (what a loaded machine inflates much less than latency)."""
        times = psutil.Process(self.proc.pid).cpu_times()
        return float(times.user + times.system)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


async def shopper(client: httpx.AsyncClient, n: int, run: int, stop_at: float, tally: Tally) -> None:
    rng = random.Random(n * 1000 + run)
    conversation = 0
    while time.monotonic() < stop_at:
        conversation += 1
        sender = f"turns-{run}-{n}-{conversation}-{uuid.uuid4().hex[:6]}"
        for step in (zh_script if (n + conversation) % 2 else en_script)(rng):
            if time.monotonic() >= stop_at:
                return
            text = step.button if step.button and step.typed_is_button else step.typed
            replies = await turn(client, sender, text, tally)
            if step.kind == "buy":  # pick the first colour / size offered, as a person presses it
                for _ in range(4):
                    variant = next((b["payload"] for r in replies for b in r.get("buttons") or []
                                    if '"attribute"' in b["payload"]), None)
                    if variant is None or time.monotonic() >= stop_at:
                        break
                    replies = await turn(client, sender, variant, tally)


async def turn(client: httpx.AsyncClient, sender: str, text: str, tally: Tally) -> list[dict]:
    start = time.perf_counter()
    try:
        r = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30)
        ok = r.status_code == 200
        replies = r.json() if ok else []
    except (httpx.HTTPError, ValueError):
        ok, replies = False, []
    tally.latencies.append((time.perf_counter() - start) * 1000)
    tally.turns += 1
    if not ok or any(reply.get("text") in GENERIC_ERRORS for reply in replies):
        tally.errors += 1
    return replies


async def healthz(client: httpx.AsyncClient, stop_at: float, tally: Tally) -> None:
    while time.monotonic() < stop_at:
        start = time.perf_counter()
        try:
            ok = (await client.get("/healthz", timeout=30)).status_code == 200
        except httpx.HTTPError:
            ok = False
        tally.latencies.append((time.perf_counter() - start) * 1000)
        tally.turns += 1
        tally.errors += 0 if ok else 1


def row(label: str, tally: Tally, seconds: float) -> str:
    lat = tally.latencies or [0.0]
    return (f"{label:<22} {tally.turns:>7} {tally.errors:>6} {tally.turns / seconds:>8.1f} "
            f"{percentile(lat, 50):>8.1f} {percentile(lat, 99):>8.1f}")


async def bench_backend(name: str, env: dict[str, str], clients: int, seconds: float, runs: int) -> dict:
    server = Server(env)
    try:
        await server.ready()
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=server.url, limits=limits) as client:
            warm = Tally()
            await asyncio.gather(*(shopper(client, n, -1, time.monotonic() + 5, warm) for n in range(clients)))
            base = Tally()
            stop_at = time.monotonic() + 5
            await asyncio.gather(*(healthz(client, stop_at, base) for _ in range(clients)))
            print(f"\n[{name}] {clients} clients, {seconds:.0f} s per run, one worker")
            print(f"{'':<22} {'turns':>7} {'errors':>6} {'turns/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
            print(row("baseline GET /healthz", base, 5))
            rss, results = [], []
            for run in range(runs):
                tally = Tally()
                stop_at = time.monotonic() + seconds
                cpu_before = server.cpu_seconds()
                await asyncio.gather(*(shopper(client, n, run, stop_at, tally) for n in range(clients)))
                cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / max(tally.turns, 1)
                rss.append(server.rss_mb())
                results.append(tally)
                print(row(f"run {run + 1} shopping turns", tally, seconds) + f"   RSS {rss[-1]:.0f} MB"
                      f"   worker CPU {cpu_ms:.1f} ms/turn")
        every = Tally([x for t in results for x in t.latencies], sum(t.errors for t in results),
                      sum(t.turns for t in results))
        growth = (rss[-1] - rss[0]) / rss[0] if rss else 0.0
        p99 = percentile(every.latencies or [0.0], 99)
        print(row("all runs", every, seconds * runs) + f"   RSS growth {growth * 100:+.1f}% (run 1 → {runs})")
        verdict = "met" if every.errors == 0 and p99 <= TARGET_P99_MS and growth <= TARGET_RSS_GROWTH else "NOT met"
        print(f"targets (no errors, p99 <= {TARGET_P99_MS:.0f} ms, RSS growth <= 5%): {verdict}")
        return {"errors": every.errors, "p99": p99, "growth": growth}
    finally:
        server.stop()


async def fresh_pg() -> tuple[str, str]:
    import asyncpg

    name = f"shopbot_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return name, f"{base}/{name}"


async def drop_pg(name: str, prefix: str) -> None:
    import asyncpg
    import redis.asyncio as redis

    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [k async for k in client.scan_iter(match=prefix + "*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def main(clients: int, seconds: float, runs: int, backends: list[str]) -> None:
    common = {"NLU_MODEL_DIR": str(model_dir()), "DEMO_PLATFORM_TRANSPORT": "asgi", "SANDBOX": "1",
              "DEMO_PRICE_WALK_SECONDS": "0", "LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory() as tmp:
        if "sqlite" in backends:
            env = {**common, "DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", "VAR_DIR": tmp}
            await bench_backend("SQLite, in-process trackers", env, clients, seconds, runs)
        if "pg" in backends:
            name, url = await fresh_pg()
            prefix = f"shopbot-bench:{uuid.uuid4().hex[:8]}:"
            try:
                env = {**common, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "REDIS_PREFIX": prefix, "VAR_DIR": tmp}
                await bench_backend("PostgreSQL + Redis", env, clients, seconds, runs)
            finally:
                await drop_pg(name, prefix)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,pg")
    args = parser.parse_args()
    asyncio.run(main(args.clients, args.seconds, args.runs, args.backends.split(",")))


if __name__ == "__main__":
    cli()
