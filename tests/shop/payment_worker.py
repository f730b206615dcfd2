"""A payment worker run as a subprocess by test_orders_reliability: it processes one callback
and, at the hook point inside its unit of work (the payment recorded, the order not moved yet), says so on stdout
and waits to be killed."""

from __future__ import annotations

import asyncio
import json
import sys

from sqlalchemy.ext.asyncio import create_async_engine

from bot.bootstrap import build_orders
from integrations.memory.clock import FakeClock
from integrations.memory.notify import RecordingNotifier
from tests.orders_harness import FakeOrderingConnector


async def main(db_url: str, data: dict) -> None:
    engine = create_async_engine(db_url)

    async def hook(point: str) -> None:
        print(f"HOOK {point}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # until killed

    c = build_orders(
        engine,
        RecordingNotifier(),
        FakeClock(),
        {"jd": FakeOrderingConnector("jd")},
        base_url="http://testserver",
        sandbox_secret=b"test-secret",
    )
    c.orders._hook = hook
    await c.orders.handle_payment_callback("sandbox", data["headers"], data["body"].encode())
    print("DONE", flush=True)


if __name__ == "__main__":
    with open(sys.argv[2], encoding="utf-8") as fh:
        callback = json.load(fh)
    asyncio.run(main(sys.argv[1], callback))
