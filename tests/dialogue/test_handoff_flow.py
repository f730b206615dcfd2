"""Human handoff over the REST channel, in Chinese and English: the shopper learns their
place in the queue, the bot stays quiet while an agent holds the conversation, the agent's
replies arrive through the outbox, and the bot answers again after a hand back or a timeout."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from dialogue.context import TurnContext
from dialogue.engine import DialogueEngine
from dialogue.flows.base import Flow
from dialogue.flows.handoff import (
    REASON_COMPLAINT,
    HandoffDesk,
    HumanHandoff,
    handoff_trigger,
    request_handoff,
)
from dialogue.messages import IncomingMessage, Reply
from dialogue.ports import Services
from integrations.memory.clock import FakeClock
from integrations.memory.handoff import InMemoryHandoffRepository, InProcessHandoffEvents
from shop.handoff import HandoffError, HandoffQueue
from tests.apps import create_app_with_console
from tests.dialogue.keyword_parser import KeywordParser
from tracking.lock import InProcessLockManager
from tracking.store import InMemoryTrackerStore


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def env(settings, clock):
    app = create_app_with_console(settings.model_copy(update={"demo_platforms": False}), clock)
    async with app.router.lifespan_context(app), \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as c:
        yield c, app.state.console, app.state.runtime


async def say(client, sender: str, text: str) -> list[dict]:
    resp = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert resp.status_code == 200
    return resp.json()


async def outbox(client, sender: str) -> list[dict]:
    return (await client.get("/webhooks/rest/outbox", params={"sender": sender})).json()


def status(reply: dict) -> str | None:
    custom = reply.get("custom") or {}
    return custom.get("status") if custom.get("type") == "handoff" else None


async def test_zh_handoff_agent_reply_and_hand_back(env):
    client, console, container = env
    replies = await say(client, "u1", "转人工")
    assert status(replies[-1]) == "waiting"
    assert "第 1 位" in replies[-1]["text"] and "5 分钟" in replies[-1]["text"]
    assert (await container.tracker_store.load("rest:u1")).state.paused

    async with console.events.subscribe() as stream:
        assert await say(client, "u1", "我的快递三天没动了") == []  # the bot stays quiet
        event = await anext(stream)
    assert event["type"] == "message" and event["text"] == "我的快递三天没动了"

    request = (await console.desk.queue.repo.open_for("rest:u1"))
    await console.desk.take(request.id, "alice", "小王")
    await console.desk.send(await console.desk.queue.get(request.id), "alice", Reply(text="您好,我来帮您查"))
    pushed = await outbox(client, "u1")
    assert [status(r) for r in pushed] == ["agent_joined", None]
    assert "小王" in pushed[0]["text"] and pushed[1]["text"] == "您好,我来帮您查"

    await console.desk.hand_back(request.id, "alice")
    back = await outbox(client, "u1")
    assert status(back[-2]) == "returned_to_bot" and "购物助手" in back[-2]["text"]
    assert back[-1]["custom"]["type"] == "rating_request" and "alice" in back[-1]["text"]
    tracker = await container.tracker_store.load("rest:u1")
    assert not tracker.state.paused
    assert any(t["from"] == "agent:alice" and t["text"] == "您好,我来帮您查" for t in tracker.transcript())

    again = await say(client, "u1", "你好")
    assert again and status(again[0]) is None and again[0]["text"]  # the bot greets again


async def test_en_timeout_with_no_agent_resumes_the_bot(env, clock):
    client, console, container = env
    replies = await say(client, "e1", "let me talk to a human please")
    assert status(replies[-1]) == "waiting" and "number 1 in the queue" in replies[-1]["text"]
    clock.advance(minutes=9)
    assert await console.desk.release_stale_handoffs() == 0
    assert await say(client, "e1", "hello?") == []
    clock.advance(minutes=2)
    assert await container.scheduler.run_now("release_stale_handoffs") == 1  # the periodic job
    pushed = await outbox(client, "e1")
    assert status(pushed[-1]) == "returned_to_bot" and "no agent is free" in pushed[-1]["text"]
    again = await say(client, "e1", "hi")
    assert again and status(again[0]) is None and again[0]["text"]  # the bot answers again
    assert not (await container.tracker_store.load("rest:e1")).state.paused


async def test_second_shopper_is_told_the_longer_wait(env, clock):
    client, _console, _container = env
    await say(client, "a", "转人工")
    clock.advance(seconds=1)
    replies = await say(client, "b", "I want to talk to a human")
    assert "number 2 in the queue" in replies[-1]["text"] and "10 min" in replies[-1]["text"]


async def test_three_fallbacks_offer_a_human_and_accepting_queues(env):
    client, console, _container = env
    await say(client, "f1", "asdf qwer")
    await say(client, "f1", "zxcv uiop")
    third = await say(client, "f1", "hjkl bnm")
    buttons = third[-1]["buttons"]
    assert buttons[0]["payload"] == "/human_handoff"
    accepted = await say(client, "f1", buttons[0]["payload"])
    assert status(accepted[-1]) == "waiting"
    assert (await console.desk.queue.repo.open_for("rest:f1")).reason == "fallbacks"


@pytest.mark.parametrize(("text", "apology"), [("你们就是骗子!", "非常抱歉"), ("this is useless", "really sorry")])
async def test_strong_negative_words_hand_off(env, text, apology):
    client, console, _container = env
    replies = await say(client, "n1", text)
    assert apology in replies[0]["text"] and status(replies[-1]) == "waiting"
    assert (await console.desk.queue.repo.open_for("rest:n1")).reason == "negative_words"


async def test_asking_again_while_waiting_keeps_the_place(env):
    client, console, _container = env
    await say(client, "w1", "转人工")
    assert await say(client, "w1", "转人工") == []  # paused: it goes to the agent, no second request
    assert len(await console.desk.queue.repo.list_open()) == 1


# --- the helper other flows call (e.g. after opening a complaint ticket) -----------------------
class OpenComplaint(Flow):
    name = "complaint"
    intents = ("complain",)

    async def start(self, ctx: TurnContext) -> None:
        ctx.say("thank")  # the ticket flow's own answer would go here
        await request_handoff(ctx, REASON_COMPLAINT)


class PushRecorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, list[Reply]]] = []

    async def push(self, channel: str, recipient_id: str, replies: list[Reply]) -> None:
        self.sent.append((channel, recipient_id, replies))


def engine_with(desk: HandoffDesk | None, store: InMemoryTrackerStore, locks: InProcessLockManager) -> DialogueEngine:
    return DialogueEngine(parser=KeywordParser, store=store, locks=locks, flows=[HumanHandoff(), OpenComplaint()],
                          services=Services() if desk is None else Services(handoff=desk), triggers=(handoff_trigger,))


async def test_a_complaint_ticket_hands_off_through_the_helper(clock):
    store, locks, push = InMemoryTrackerStore(), InProcessLockManager(), PushRecorder()
    desk = HandoffDesk(HandoffQueue(InMemoryHandoffRepository(), clock), store, locks, push,
                       InProcessHandoffEvents())
    engine = engine_with(desk, store, locks)
    replies = await engine.handle(IncomingMessage("telegram", "42", "/complain", "en"))
    assert replies[-1].custom["status"] == "waiting"
    request = await desk.queue.repo.open_for("telegram:42")
    assert request.reason == REASON_COMPLAINT and request.channel == "telegram"
    await desk.take(request.id, "alice", "Alice")
    assert push.sent[-1][:2] == ("telegram", "42")  # the shopper's own channel
    assert push.sent[-1][2][0].custom["status"] == "agent_joined"


async def test_without_a_desk_the_shopper_is_told_humans_are_unavailable():
    engine = engine_with(None, InMemoryTrackerStore(), InProcessLockManager())
    replies = await engine.handle(IncomingMessage("rest", "u9", "/human_handoff", "en"))
    assert replies[-1].text == "Sorry, human support is not available right now. I'll do my best, or try again later."
    assert not (await engine._store.load("rest:u9")).state.paused


async def test_negative_words_can_be_switched_off(clock):
    store, locks = InMemoryTrackerStore(), InProcessLockManager()
    desk = HandoffDesk(HandoffQueue(InMemoryHandoffRepository(), clock), store, locks, PushRecorder(),
                       InProcessHandoffEvents(), negative_words=False)
    replies = await engine_with(desk, store, locks).handle(IncomingMessage("rest", "u8", "垃圾", "zh"))
    assert all((r.custom or {}).get("type") != "handoff" for r in replies)
    assert await desk.queue.repo.list_open() == []


class BrokenEvents(InProcessHandoffEvents):
    async def publish(self, event: dict) -> None:
        raise HandoffError("pub/sub is down")


async def test_a_console_outage_loses_no_shopper_message(clock):
    store, locks = InMemoryTrackerStore(), InProcessLockManager()
    desk = HandoffDesk(HandoffQueue(InMemoryHandoffRepository(), clock), store, locks, PushRecorder(), BrokenEvents())
    engine = engine_with(desk, store, locks)
    assert (await engine.handle(IncomingMessage("rest", "u7", "/human_handoff", "zh")))[-1].custom["status"] == "waiting"
    assert await engine.handle(IncomingMessage("rest", "u7", "还有人吗", "zh")) == []
    assert [t["text"] for t in (await store.load("rest:u7")).transcript() if t["from"] == "user"][-1] == "还有人吗"


@pytest.mark.parametrize(("text", "hands_off"), [
    ("转人工", True), ("我要人工客服", True), ("can I speak with an agent", True), ("real person please", True),
    ("adidas human race shoes", False), ("推荐一款人体工学椅", False), ("this phone is terrible", True),
])
async def test_what_starts_a_handoff_without_the_intent(clock, text, hands_off):
    store, locks = InMemoryTrackerStore(), InProcessLockManager()
    desk = HandoffDesk(HandoffQueue(InMemoryHandoffRepository(), clock), store, locks, PushRecorder(),
                       InProcessHandoffEvents())
    await engine_with(desk, store, locks).handle(IncomingMessage("rest", "t1", text))
    assert (await desk.queue.repo.open_for("rest:t1") is not None) is hands_off


async def test_a_paused_conversation_with_no_open_request_comes_back(clock):
    store, locks = InMemoryTrackerStore(), InProcessLockManager()
    desk = HandoffDesk(HandoffQueue(InMemoryHandoffRepository(), clock), store, locks, PushRecorder(),
                       InProcessHandoffEvents())
    engine = engine_with(desk, store, locks)
    await engine.handle(IncomingMessage("rest", "u6", "/human_handoff", "en"))
    request = await desk.queue.repo.open_for("rest:u6")
    await desk.queue.repo.close(request.id, "returned", clock.now())  # e.g. a worker died mid hand back
    replies = await engine.handle(IncomingMessage("rest", "u6", "anyone?", "en"))
    assert replies[-1].custom == {"type": "handoff", "status": "returned_to_bot"}
    assert not (await store.load("rest:u6")).state.paused


async def test_timeout_and_a_late_take_race_cleanly(clock):
    store, locks, push = InMemoryTrackerStore(), InProcessLockManager(), PushRecorder()
    desk = HandoffDesk(HandoffQueue(InMemoryHandoffRepository(), clock), store, locks, push,
                       InProcessHandoffEvents(), timeout=timedelta(minutes=10))
    engine = engine_with(desk, store, locks)
    await engine.handle(IncomingMessage("rest", "u5", "/human_handoff", "zh"))
    request = await desk.queue.repo.open_for("rest:u5")
    clock.advance(minutes=11)
    stale = await desk.queue.stale(desk.timeout)
    await desk.take(request.id, "alice", "Alice")  # an agent is faster than the release job
    assert stale and await desk.release_stale_handoffs() == 0
    assert (await store.load("rest:u5")).state.paused  # still with the agent
    assert [r.custom["status"] for _c, _r, rs in push.sent for r in rs] == ["agent_joined"]


async def test_zh_shopper_changes_their_mind_and_leaves_the_queue(env):
    client, console, container = env
    waiting = await say(client, "l1", "转人工")
    assert [b["title"] for b in waiting[-1]["buttons"]] == ["不用人工了"]
    async with console.events.subscribe() as stream:
        left = await say(client, "l1", "算了不用人工了")
        event = await anext(stream)
    assert status(left[-1]) == "left_queue" and "取消" in left[-1]["text"]
    assert event["type"] == "closed" and event["handoff"]["outcome"] == "left"  # gone from the consoles
    assert await console.desk.queue.repo.open_for("rest:l1") is None
    assert not (await container.tracker_store.load("rest:l1")).state.paused
    again = await say(client, "l1", "你好")
    assert again and status(again[0]) is None and again[0]["text"]  # the bot answers, not the queue


async def test_en_the_leave_button_leaves_and_an_old_button_is_harmless(env):
    client, console, _container = env
    waiting = await say(client, "l2", "I want to talk to a human")
    button = waiting[-1]["buttons"][0]
    assert button["title"] == "No human needed"
    left = await say(client, "l2", button["payload"])
    assert status(left[-1]) == "left_queue" and "left the queue" in left[-1]["text"]
    pressed_again = await say(client, "l2", button["payload"])
    assert "not waiting for a person" in pressed_again[-1]["text"]
    assert await console.desk.queue.repo.open_for("rest:l2") is None


async def test_once_an_agent_holds_it_never_mind_goes_to_the_agent(env):
    client, console, _container = env
    await say(client, "l3", "转人工")
    request = await console.desk.queue.repo.open_for("rest:l3")
    await console.desk.take(request.id, "alice", "小王")
    assert await say(client, "l3", "算了不用人工了") == []  # the agent reads it and answers
    assert (await console.desk.queue.get(request.id)).agent_id == "alice"


async def test_a_timeout_is_pushed_at_once_and_never_called_the_end_of_an_agents_service(env, clock):
    client, console, _container = env
    await say(client, "t1", "转人工")
    clock.advance(minutes=11)
    assert await console.desk.release_stale_handoffs() == 1
    pushed = await outbox(client, "t1")  # the shopper has not written: it was pushed
    assert status(pushed[-1]) == "returned_to_bot" and "没有空闲的人工客服" in pushed[-1]["text"]
    # a request closed with nobody resuming the bot (a crash between the two): the next message
    # resumes it and still says nobody came, not "the agent has finished"
    await say(client, "t2", "转人工")
    request = await console.desk.queue.repo.open_for("rest:t2")
    assert await console.desk.queue.release(request.id)
    back = await say(client, "t2", "还在吗")
    assert status(back[-1]) == "returned_to_bot"
    assert "没有空闲的人工客服" in back[-1]["text"] and "已结束本次服务" not in back[-1]["text"]


async def test_an_agents_reply_carries_the_agents_name(env):
    client, console, _container = env
    await say(client, "a1", "I need a real person")
    request = await console.desk.queue.repo.open_for("rest:a1")
    await console.desk.take(request.id, "alice", "Alice W.")
    await console.desk.send(await console.desk.queue.get(request.id), "alice", Reply(text="Hi, let me check"), "Alice W.")
    pushed = await outbox(client, "a1")
    assert "Alice W." in pushed[0]["text"] and pushed[-1]["text"] == "Alice W.: Hi, let me check"
