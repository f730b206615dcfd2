"""Pushes at least once: a push is a row before it is sent; a sender killed mid-push leaves it
claimed, and after the claim runs out another sender delivers it — once. The same event pushed
twice to one shopper is shown once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot import db
from bot.push import DurablePush, PushRouter
from dialogue.messages import Reply
from integrations.db.push_outbox import SqlPushOutbox
from integrations.memory.clock import FakeClock
from tracking.outbox import InMemoryOutbox


class Phone:
    """A shopper's channel (like Telegram): records what reached the shopper; can hang mid-send."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.hang = False
        self.entered = asyncio.Event()

    async def send(self, recipient_id: str, replies: list[Reply]) -> None:
        self.entered.set()
        if self.hang:
            await asyncio.Event().wait()  # the worker is killed here, before the message is out
        self.shown.extend(r.text or "" for r in replies)


@pytest.fixture
async def outbox_world(db_url):
    engine = create_async_engine(db_url)
    await db.upgrade(engine)
    clock = FakeClock()
    phone = Phone()
    router = PushRouter(InMemoryOutbox())
    router.register("telegram", phone)
    store = SqlPushOutbox(engine)
    yield store, clock, phone, router
    await engine.dispose()


async def test_a_sender_killed_mid_push_is_replaced_and_the_push_shown_once(outbox_world):
    store, clock, phone, router = outbox_world
    worker_a = DurablePush(router, store, clock, lease=timedelta(seconds=30))
    worker_b = DurablePush(router, store, clock, lease=timedelta(seconds=30))
    phone.hang = True
    sending = asyncio.create_task(worker_a.push("telegram", "42", [Reply(text="您的包裹已发货")], "shipment:SF1:shipped"))
    await phone.entered.wait()
    sending.cancel()  # worker A dies mid-push: the row stays claimed, nothing was shown
    with pytest.raises(asyncio.CancelledError):
        await sending
    phone.hang = False
    assert await worker_b.deliver_due() == 0  # A's claim still runs: B leaves it alone
    clock.advance(timedelta(seconds=31))
    assert await worker_b.deliver_due() == 1  # the claim ran out: B sends it
    assert await worker_b.deliver_due() == 0
    assert phone.shown == ["您的包裹已发货"]


async def test_the_same_event_pushed_twice_is_shown_once(outbox_world):
    store, clock, phone, router = outbox_world
    worker = DurablePush(router, store, clock)
    for _ in range(2):  # e.g. the carrier callback and the poll job both see "delivered"
        await worker.push("telegram", "42", [Reply(text="已签收")], "shipment:SF1:delivered")
    await worker.push("telegram", "42", [Reply(text="已签收")], "shipment:SF2:delivered")
    assert phone.shown == ["已签收", "已签收"]  # SF1 once, SF2 once
    assert await store.pending_count() == 0


async def test_concurrent_senders_never_send_one_push_twice(outbox_world):
    store, clock, phone, router = outbox_world
    for i in range(20):
        await store.add("telegram", "42", f"alert:{i}", [{"recipient_id": "42", "text": f"a{i}"}], clock.now())
    senders = [DurablePush(router, store, clock) for _ in range(4)]
    sent = await asyncio.gather(*(s.deliver_due() for s in senders))
    assert sum(sent) == 20
    assert sorted(phone.shown) == sorted(f"a{i}" for i in range(20))
