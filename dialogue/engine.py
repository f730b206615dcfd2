"""The turn loop: lock → load tracker → parse → flow → replies → save → unlock.

Flows are chosen by a small policy: `cancel` ends whatever is in progress; an active flow
gets the message first; otherwise the intent starts its flow (a digression keeps the
interrupted flow on the stack and hands back to it); nothing understood → fallback, with
help on the second miss in a row and a human offered on the third.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from dialogue.flows.common import LAST_RESULTS, PENDING_PICK
from dialogue.language import choose_language
from dialogue.messages import Button, IncomingMessage, Reply
from dialogue.ordinals import ordinal_answer
from dialogue.ports import FeatureUnavailable, Services
from nlu.types import FALLBACK_INTENT, Entity, IntentScore, Parser, ParseResult
from shop.catalog import SearchQuery
from shop.shoppers import ShopperRepository
from tracking import events as ev
from tracking.lock import LockManager
from tracking.store import TrackerStore

log = logging.getLogger(__name__)

MAX_TEXT = 5000  # longer messages are cut before parsing; the shopper still gets an answer
FALLBACK_SLOT = "fallback_count"
MISS_INTENTS = (FALLBACK_INTENT, "out_of_scope")
SEARCH_INSTEAD_MAX = 24  # characters: longer unplaced messages are not tried as a search
ANSWER_INTENTS = (FALLBACK_INTENT, "out_of_scope", "inform", "affirm", "refine_search")  # turns the bot could not help with, counted in a row

SECRET_TEXT = "••••••"  # what the transcript keeps of a message a flow marked secret (a password)

# intents a message that is only a product word keeps (the others become search_product), and the
# confidence above which the model's reading of one is trusted anyway
BARE_PRODUCT_KEEPS = frozenset({"search_product", "refine_search", "buy", "show_details", "compare_products",
                                "set_price_alert", "inform", "affirm", "deny", "cancel", "recommend"})
BARE_PRODUCT_SURE = 0.9
Trigger = Callable[[TurnContext], Awaitable[bool]]  # True: it answered the turn itself


def _frame_flag(tracker: Any, flag: str) -> bool:
    """A flag the active flow's frame sets: `secret` (the answer is a password: the transcript
    keeps it masked), `keep_language` (the answer says nothing about the language)."""
    active = tracker.state.flows[-1] if tracker.state.flows else None
    return bool(active is not None and active.frame.get(flag))


class TurnFailed(Exception):
    """A turn failed after its language was known (`language`); `replies` are what the turn had
    already decided to say when only saving the transcript failed (its business effects are
    committed, so they are still said)."""

    def __init__(self, language: str, replies: list[Reply] | None = None) -> None:
        super().__init__(f"turn failed (language {language})")
        self.language = language
        self.replies = list(replies or [])


class DialogueEngine:
    def __init__(
        self,
        *,
        parser: Callable[[], Parser],
        store: TrackerStore,
        locks: LockManager,
        flows: Iterable[Flow],
        services: Services | None = None,
        shoppers: ShopperRepository | None = None,
        triggers: Sequence[Trigger] = (),
    ) -> None:
        self._parser = parser
        self._store = store
        self._locks = locks
        self._flows: dict[str, Flow] = {}
        self._by_intent: dict[str, Flow] = {}
        for flow in flows:
            self._add_flow(flow)
        self.services = services or Services()
        self._shoppers = shoppers
        self._triggers = tuple(triggers)  # checked before any flow (e.g. strong words → a human)

    def _add_flow(self, flow: Flow) -> None:
        """Register a flow; its intents start it (a later flow wins an intent)."""
        self._flows[flow.name] = flow
        for intent in flow.intents:
            self._by_intent[intent] = flow

    @property
    def known_intents(self) -> set[str]:
        return set(self._by_intent) | {"cancel", "affirm", "deny", "inform"}

    async def handle(self, msg: IncomingMessage) -> list[Reply]:
        """Answer one message; the replies are also recorded in the conversation's tracker."""
        cid = msg.conversation_id
        async with self._locks.lock(cid):
            tracker = await self._store.load(cid)
            text = (msg.text or "")[:MAX_TEXT]
            parse = self._parse(text, msg.language)
            if msg.intent_payload() is not None or _frame_flag(tracker, "keep_language"):
                # a button press, or an answer like a phone number, an e-mail or a password,
                # says nothing about the language
                language = msg.language or tracker.state.language or parse.language
            else:
                language = choose_language(tracker.state.language, text, parse.language, msg.language)
            if language != tracker.state.language:
                tracker.add(ev.language_set(language))
            if _frame_flag(tracker, "secret") and msg.intent_payload() is None:
                # a password: the transcript (and the console showing it) never holds it
                tracker.add(ev.user_uttered(SECRET_TEXT, {}))
            else:
                tracker.add(ev.user_uttered(text, parse.to_rasa()))
            ctx: TurnContext | None = None
            try:
                shopper = None
                if self._shoppers is not None:
                    shopper = await self._shoppers.by_identity(
                        msg.channel, msg.sender_id, msg.metadata.get("display_name"))
                ctx = TurnContext(msg, tracker, parse, language, self.services, shopper)
                try:
                    if tracker.state.paused:
                        await self.services.handoff.on_paused_message(msg, ctx)  # to the agent
                    else:
                        await self._respond(ctx)
                except FeatureUnavailable as off:  # a Null port: that feature is not wired here
                    ctx.say(off.key)
            except Exception as exc:
                raise TurnFailed(language) from exc
            for reply in ctx.replies:
                tracker.add(ev.bot_uttered(reply.to_dict(msg.sender_id)))
            try:
                await self._store.save(tracker)
            except Exception as exc:
                # What the turn did (an order placed, a ticket opened) is committed in the shop's
                # own records: the shopper is told so, even though the transcript was not saved.
                raise TurnFailed(language, ctx.replies) from exc
            return ctx.replies

    def _parse(self, text: str, language: str | None) -> ParseResult:
        payload = IncomingMessage("", "", text).intent_payload()
        if payload is not None:
            intent, entities = payload
            return ParseResult(
                text=text,
                intent=IntentScore(intent, 1.0),
                intent_ranking=(IntentScore(intent, 1.0),),
                entities=tuple(Entity(k, item, 0, 0, str(item), 1.0, "payload") for k, v in entities.items()
                               for item in (v if isinstance(v, list) else [v])),
                language=language or "zh",
            )
        return self._parser().parse(text, language)

    async def _respond(self, ctx: TurnContext) -> None:
        pending = ctx.active_frame
        for trigger in self._triggers:
            if await trigger(ctx):
                if ctx.aside and pending is not None and ctx.active_frame is pending:
                    await self._back_to(ctx, pending.flow)  # "看看购物车" at the colour question: shown, then asked again
                return
        self._ordinal_answer(ctx)
        self._bare_product(ctx)
        intent = ctx.intent
        from_payload = any(e.extractor == "payload" for e in ctx.parse.entities) or ctx.msg.text.startswith("/")
        if intent not in MISS_INTENTS and ctx.slot(FALLBACK_SLOT):
            ctx.set_slot(FALLBACK_SLOT, None)

        if intent == "cancel" and ctx.tracker.state.flows:
            ctx.end_all_flows()
            ctx.say("flow_cancelled")
            return

        active = ctx.active_frame
        if active is not None:
            flow = self._flows.get(active.flow)
            if flow is None:  # a flow of an older release: drop it rather than get stuck
                ctx.end_flow(active.flow)
            elif await flow.resume(ctx):
                return

        if from_payload and intent not in self.known_intents:
            ctx.say("payload_unknown")
            return

        flow = self._by_intent.get(intent)
        if flow is None:
            await self._unhandled(ctx)
            return
        interrupted = ctx.active_frame
        if interrupted is not None and not flow.digression:
            ctx.end_all_flows()
            interrupted = None
        await flow.start(ctx)
        if interrupted is not None and ctx.active_frame is interrupted:
            await self._back_to(ctx, interrupted.flow)

    async def _back_to(self, ctx: TurnContext, name: str) -> None:
        back = self._flows.get(name)
        if back is not None:
            ctx.say("back_to_flow")
            await back.reprompt(ctx)

    @staticmethod
    def _ordinal_answer(ctx: TurnContext) -> None:
        """"the first one" on its own: the answer to the pending "which one?" (buy, details), or
        after a list with nothing pending, that item's details."""
        pending = ctx.slot(PENDING_PICK)
        if pending:
            ctx.set_slot(PENDING_PICK, None)
        # "第二个" / "the second one" alone reads to the model like a purchase; after a list it is the
        # item the hint offered ("say 'the 2nd one' for details"), unless a "which one to buy?" is pending
        bare = ctx.intent == "buy" and ordinal_answer(ctx.msg.text or "", 99) is not None
        if (ctx.intent not in ANSWER_INTENTS and not bare) or not ctx.entities("ordinal") or not ctx.slot(LAST_RESULTS):
            return
        if ctx.active_frame is not None and not pending:
            return
        target = str(pending or "show_details")
        ctx.parse = replace(ctx.parse, intent=IntentScore(target, 1.0))

    @staticmethod
    def _bare_product(ctx: TurnContext) -> None:
        """A message that is only a kind of product ("tablets", "平板电脑?") is a search, whatever
        else the model guessed for one word ("tablets" read as a parcel or order question)."""
        if ctx.intent in BARE_PRODUCT_KEEPS or ctx.msg.text.startswith("/"):
            return
        text = re.sub(r"^[\W_]+|[\W_]+$", "", ctx.msg.text or "").lower()
        products = [e for e in ctx.parse.entities if e.entity == "product"]
        if len(products) != 1 or not text or text != str(products[0].text or products[0].value).lower():
            return
        if ctx.parse.intent.confidence >= BARE_PRODUCT_SURE:
            return
        ctx.parse = replace(ctx.parse, intent=IntentScore("search_product", 1.0))

    async def _search_instead(self, ctx: TurnContext) -> bool:
        """Search first: a short message the NLU did not place ("厨房用品", "any tablets?") is
        tried as a product search; True when it found something and the list was shown."""
        text = re.sub(r"^[\W_]+|[\W_]+$", "", ctx.msg.text or "")
        flow = self._by_intent.get("search_product")
        if flow is None or not text or len(text) > SEARCH_INSTEAD_MAX or text.startswith("/"):
            return False
        try:
            found = await ctx.services.search.search(SearchQuery(product=text, page_size=1))
        except FeatureUnavailable:
            return False
        if not found.items:
            return False
        ctx.parse = replace(ctx.parse, intent=IntentScore("search_product", 1.0),
                            entities=(*ctx.parse.entities, Entity("product", text, 0, len(text), text, 1.0, "fallback")))
        await flow.start(ctx)
        return True

    async def _unhandled(self, ctx: TurnContext) -> None:
        intent = ctx.intent
        if intent in MISS_INTENTS and await self._search_instead(ctx):
            return
        if intent == "cancel":
            ctx.say("nothing_to_cancel")
            return
        if intent == "affirm":
            ctx.say("affirm_nothing")
            return
        if intent == "deny":
            ctx.say("deny_nothing")
            return
        misses = int(ctx.slot(FALLBACK_SLOT) or 0) + 1
        ctx.set_slot(FALLBACK_SLOT, misses)
        if misses == 1:
            ctx.say("out_of_scope" if intent == "out_of_scope" else "fallback")
        elif misses == 2:
            ctx.say("fallback_help")
        else:
            ctx.say("fallback_offer_human", buttons=[
                Button(ctx.t("offer_human_yes"), "/human_handoff"),
                Button(ctx.t("offer_human_no"), "/deny"),
            ])

    async def record_bot_messages(self, conversation_id: str, replies: list[dict[str, Any]]) -> None:
        """Record messages sent outside a turn (pushes, an agent's reply) in the tracker."""
        async with self._locks.lock(conversation_id):
            await self._store.append(conversation_id, [ev.bot_uttered(r) for r in replies])
