"""The turn loop's policy, with a scripted parser standing in for the NLU."""

from __future__ import annotations

import pytest

from dialogue.context import TurnContext
from dialogue.engine import DialogueEngine
from dialogue.flows.base import Flow
from dialogue.flows.smalltalk import FLOWS
from dialogue.messages import IncomingMessage
from nlu.types import FALLBACK_INTENT, IntentScore, ParseResult
from tracking.lock import InProcessLockManager
from tracking.store import InMemoryTrackerStore


class ScriptedParser:
    """Maps exact texts to intents; anything else is nlu_fallback."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    def parse(self, text: str, language: str | None = None) -> ParseResult:
        intent = self.table.get(text, FALLBACK_INTENT)
        lang = "en" if text.isascii() else "zh"
        return ParseResult(text, IntentScore(intent, 0.9 if intent != FALLBACK_INTENT else 0.1), (), (), lang)


class AskTwice(Flow):
    """A two-question flow, enough to exercise resume, digressions and cancel."""

    name = "ask"
    intents = ("buy",)

    async def start(self, ctx: TurnContext) -> None:
        ctx.start_flow(self.name, {"step": "colour"})
        ctx.say("fallback")  # any catalogue text; the test reads the flow state

    async def resume(self, ctx: TurnContext) -> bool:
        if ctx.intent != "inform":
            return False
        frame = dict(ctx.active_frame.frame)
        if frame["step"] == "colour":
            ctx.update_frame(self.name, {"step": "size", "colour": ctx.msg.text})
            ctx.say("thank")
        else:
            ctx.end_flow(self.name)
            ctx.set_slot("done", f"{frame['colour']}/{ctx.msg.text}")
            ctx.say("goodbye")
        return True

    async def reprompt(self, ctx: TurnContext) -> None:
        ctx.say("help")


@pytest.fixture
def engine():
    parser = ScriptedParser({"hi": "greet", "你好": "greet", "buy": "buy", "black": "inform", "42": "inform",
                             "cancel": "cancel", "help": "help", "thanks": "thank", "yes": "affirm"})
    store = InMemoryTrackerStore()
    eng = DialogueEngine(parser=lambda: parser, store=store, locks=InProcessLockManager(),
                         flows=[*(f() for f in FLOWS), AskTwice()])
    eng.test_store = store  # type: ignore[attr-defined]
    return eng


def msg(text: str, sender: str = "u") -> IncomingMessage:
    return IncomingMessage("rest", sender, text)


async def test_flow_collects_answers_over_turns(engine):
    await engine.handle(msg("buy"))
    await engine.handle(msg("black"))
    await engine.handle(msg("42"))
    tracker = await engine.test_store.load("rest:u")
    assert tracker.slot("done") == "black/42" and tracker.active_flow is None


async def test_digression_hands_back_to_the_interrupted_flow(engine):
    await engine.handle(msg("buy"))
    replies = await engine.handle(msg("help"))
    texts = [r.text for r in replies]
    assert len(texts) == 3  # the help answer, "back to where we were", the reprompt
    assert "Back to where we were" in texts[1]
    tracker = await engine.test_store.load("rest:u")
    assert tracker.active_flow.flow == "ask"
    await engine.handle(msg("black"))
    assert (await engine.test_store.load("rest:u")).active_flow.frame["step"] == "size"


async def test_cancel_works_at_any_step(engine):
    await engine.handle(msg("buy"))
    await engine.handle(msg("black"))
    replies = await engine.handle(msg("cancel"))
    assert "cancelled" in replies[0].text
    assert (await engine.test_store.load("rest:u")).active_flow is None
    replies = await engine.handle(msg("cancel"))
    assert "nothing in progress" in replies[0].text


async def test_second_miss_gets_examples_and_third_offers_a_human(engine):
    first = await engine.handle(msg("asdfgh qwerty"))
    second = await engine.handle(msg("zxcv bnm"))
    third = await engine.handle(msg("poiuy lkjh"))
    assert "rephrase" in first[0].text
    assert "You could say" in second[0].text
    assert [b.payload for b in third[0].buttons] == ["/human_handoff", "/deny"]
    await engine.handle(msg("hi"))
    again = await engine.handle(msg("mnbv cxz"))
    assert "rephrase" in again[0].text, "an understood message resets the count"


async def test_language_is_sticky_and_switchable(engine):
    assert (await engine.handle(msg("hi", "l")))[0].text.isascii()
    short = await engine.handle(msg("42", "l"))  # no language evidence: stays English
    assert short[0].text.isascii()
    zh = await engine.handle(msg("你好", "l"))
    assert not zh[0].text.isascii()
    assert not (await engine.handle(msg("42", "l")))[0].text.isascii()


async def test_paused_conversation_stays_quiet_and_records_the_message(engine):
    from tracking import events as ev

    await engine.test_store.append("rest:p", [ev.paused("agent")])
    assert await engine.handle(msg("hi", "p")) == []
    tracker = await engine.test_store.load("rest:p")
    assert tracker.transcript()[-1]["text"] == "hi"


async def test_a_feature_that_is_off_is_said_so_in_the_shoppers_language():
    """Nothing wired (every port a Null): the flows still answer, from the catalogs."""
    from dialogue.flows.alerts import FLOWS as ALERT_FLOWS
    from dialogue.flows.orders import FLOWS as ORDER_FLOWS
    from dialogue.flows.recommend import Recommend
    from dialogue.responses import text
    from integrations.memory.shoppers import InMemoryShopperRepository

    parser = ScriptedParser({"my orders": "check_order", "我的订单": "check_order", "recommend something": "recommend",
                             "my alerts": "list_price_alerts"})
    engine = DialogueEngine(parser=lambda: parser, store=InMemoryTrackerStore(), locks=InProcessLockManager(),
                            flows=[Recommend(), *(f() for f in ORDER_FLOWS), *(f() for f in ALERT_FLOWS)],
                            shoppers=InMemoryShopperRepository())
    said = {t: [r.text for r in await engine.handle(IncomingMessage("rest", "u1", t))]
            for t in ("my orders", "recommend something", "my alerts")}
    assert said == {"my orders": [text("orders_unavailable", "en")],
                    "recommend something": [text("search_unavailable", "en")],
                    "my alerts": [text("alerts_unavailable", "en")]}
    replies = await engine.handle(IncomingMessage("rest", "u2", "我的订单"))
    assert [r.text for r in replies] == [text("orders_unavailable", "zh")]
