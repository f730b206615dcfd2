"""Handing a conversation to a human support agent, and back (issue 8).

`HandoffDesk` is the dialogue side of the handoff queue: it opens a request and pauses the
tracker (the bot stays quiet while paused), forwards the shopper's messages to the console,
tells the shopper when an agent joins, delivers the agent's replies on the shopper's own
channel, and resumes the bot when the agent hands back or nobody took the conversation in
time. `HumanHandoff` is the flow the `human_handoff` intent starts; other flows call
`request_handoff(ctx, reason)` (a complaint ticket, say). Strong negative words start a
handoff too (`handoff_trigger`, registered on the engine by the console set-up).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from dialogue import responses
from dialogue.context import TurnContext
from dialogue.engine import FALLBACK_SLOT
from dialogue.flows.base import Flow
from dialogue.messages import Button, IncomingMessage, Reply
from dialogue.ports import FeatureUnavailable, PushPort
from shop.handoff import HandoffError, HandoffEvents, HandoffQueue, HandoffRequest, Team
from tracking import events as ev
from tracking.lock import LockManager
from tracking.store import TrackerStore

log = logging.getLogger(__name__)

ASK_HUMAN = re.compile(  # not a bare "human": "Adidas Human Race" is a shoe
    r"(转人工|人工客服|人工服务|找人工|要人工|真人客服|"
    r"\b(talk|speak|chat) (to|with) (a |an )?(human|person|agent|someone)\b|"
    r"\b(human agent|human please|real person|live agent|customer service)\b)", re.IGNORECASE)
LEAVE_QUEUE = re.compile(  # said while waiting: the shopper no longer wants a person
    r"^\s*(/leave_queue|算了吧?|不用了|不需要了|never ?mind|no thanks)\s*[。.!！~]*\s*$|"
    r"(不用|不要|不需要|取消|不想)(再)?(转)?(人工|客服|真人)|"
    r"\bnever ?mind\b.*\b(human|person|agent)\b|\bno (human|agent)\b|"
    r"\b(don'?t|do not) (need|want) (a |an |to talk to a )?(human|person|agent)\b|\bleave the queue\b|\bstop waiting\b",
    re.IGNORECASE)
LEAVE_PAYLOAD = "/leave_queue"
NEGATIVE_WORDS = re.compile(
    r"(垃圾|骗子|投诉你们|太差了|什么破|坑人|差评|\bscam\b|\bterrible\b|\buseless\b|rip[- ]?off)", re.IGNORECASE)

REASON_ASKED = "asked"
REASON_NEGATIVE = "negative_words"
REASON_COMPLAINT = "complaint"
REASON_FALLBACK = "fallbacks"

AFTER_SALES_WORDS = re.compile(  # what the after-sales team answers; anything else is pre-sales
    r"(退货|退款|换货|售后|维修|保修|订单|物流|快递|发货|没收到|签收|破损|坏了|碎了|质量|投诉|发票|"
    r"\b(refund|return|exchange|repair|warranty|order|deliver(y|ed)?|shipp(ing|ed)|parcel|package|"
    r"tracking|broken|damaged|cracked|faulty|invoice|complain(t)?)\b)", re.IGNORECASE)
AFTER_SALES_INTENTS = frozenset({"check_order", "track_shipment", "request_after_sales", "check_ticket", "photo"})
PRE_SALES_INTENTS = frozenset({"search_product", "refine_search", "show_details", "compare_products", "buy",
                               "recommend", "set_price_alert", "list_price_alerts", "cancel_price_alert"})
AFTER_SALES_FLOWS = ("aftersales", "after_sales", "orders", "check_order", "track_shipment", "ticket")
RATE_INTENT = "rate_support"
SKIP_COMMENT = "/skip_comment"


@dataclass(frozen=True)
class BusinessHours:
    """When a team answers: `opens` to `closes` every day, in the shop's time zone."""

    opens: time
    closes: time

    def open_at(self, local: time) -> bool:
        if self.opens <= self.closes:
            return self.opens <= local < self.closes
        return local >= self.opens or local < self.closes  # past midnight, e.g. 20:00-02:00

    def label(self) -> str:
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}"


def route_team(text: str, reason: str, flows: tuple[str, ...] = (), intents: tuple[str, ...] = ()) -> Team:
    """The team a shopper's request goes to: after-sales for orders, deliveries, returns,
    refunds and complaints, pre-sales for finding and buying. Decided by the complaint reason or
    the words of the message itself, then by what the shopper asked as the NLU read it (`intents`:
    this message's, then the earlier ones, newest first; "转人工" itself says nothing), then by
    the flow they were in; pre-sales when nothing tells."""
    if reason == REASON_COMPLAINT or AFTER_SALES_WORDS.search(text or ""):
        return Team.AFTER_SALES
    for intent in intents:
        if intent in AFTER_SALES_INTENTS:
            return Team.AFTER_SALES
        if intent in PRE_SALES_INTENTS:
            return Team.PRE_SALES
    if any(f.startswith(AFTER_SALES_FLOWS) for f in flows):
        return Team.AFTER_SALES
    return Team.PRE_SALES


def asked_intents(events: list[Any], limit: int = 6) -> tuple[str, ...]:
    """The intents of the shopper's last `limit` messages as the NLU read them, newest first."""
    out: list[str] = []
    for event in reversed(events):
        if event.type != ev.USER:
            continue
        intent = ((event.data.get("parse") or {}).get("intent") or {}).get("name")
        if isinstance(intent, str):
            out.append(intent)
        if len(out) >= limit:
            break
    return tuple(out)


def rating_request(handoff_id: str, agent: str) -> dict[str, Any]:
    """The `rating_request` payload of contracts/channels.md for a conversation with an agent."""
    return {"type": "rating_request", "order_id": None,
            "items": [{"kind": "support", "id": handoff_id, "agent": agent, "scale": [1, 5]}]}


def handoff_payload(status: str) -> dict[str, Any]:
    """The `handoff` payload of contracts/channels.md."""
    return {"type": "handoff", "status": status}


class HandoffDesk:
    """Queue + tracker + push + console events, for one deployment."""

    def __init__(self, queue: HandoffQueue, store: TrackerStore, locks: LockManager, push: PushPort,
                 events: HandoffEvents, *, timeout: timedelta = timedelta(minutes=10),
                 negative_words: bool = True, hours: Mapping[str, BusinessHours] | None = None,
                 timezone: tzinfo = UTC) -> None:
        self.queue = queue
        self.store = store
        self.locks = locks
        self.push = push
        self.events = events
        self.timeout = timeout
        self.negative_words = negative_words
        self.hours = dict(hours or {})  # team -> hours; a team without any answers around the clock
        self.timezone = timezone

    async def _publish(self, event: dict[str, Any]) -> None:
        """Tell the consoles; a failure is logged, never lost messages or a failed turn."""
        try:
            await self.events.publish(event)
        except HandoffError:
            log.warning("console event not delivered: %s", event.get("type"), exc_info=True)

    # --- inside a turn (the conversation lock is held) ------------------------------------
    def closed_hours(self, team: Team, at: datetime | None = None) -> BusinessHours | None:
        """The team's hours when it is closed now (None: open now, or no hours set)."""
        hours = self.hours.get(team.value)
        now = (at or self.queue.clock.now()).astimezone(self.timezone)
        if hours is None or hours.open_at(now.time().replace(tzinfo=None)):
            return None
        return hours

    async def begin(self, ctx: TurnContext, reason: str) -> None:
        """Queue the conversation for the right team, pause the bot and tell the shopper where
        they stand; out of the team's hours, promise a call back instead (the bot stays)."""
        msg = ctx.msg
        existing = await self.queue.repo.open_for(msg.conversation_id)
        flows = tuple(f.flow for f in ctx.tracker.state.flows)
        team = (Team(existing.team) if existing is not None and existing.team
                else route_team(msg.text or "", reason, flows, asked_intents(ctx.tracker.events)))
        closed = self.closed_hours(team) if existing is None else None
        if closed is not None:
            callback = await self.queue.callback(msg.conversation_id, msg.channel, msg.sender_id, ctx.language,
                                                 reason, team)
            ctx.say("handoff_out_of_hours", team=ctx.t(f"team_{team.value}"), hours=closed.label(),
                    custom=handoff_payload("out_of_hours") | {"team": team.value, "callback": True})
            await self._publish({"type": "callback", "handoff": callback.to_dict(),
                                 "conversation_id": msg.conversation_id, "text": msg.text})
            return
        placement = await self.queue.request(msg.conversation_id, msg.channel, msg.sender_id,
                                             ctx.language, reason, team.value)
        if not ctx.tracker.state.paused:
            ctx.tracker.add(ev.paused(f"handoff:{reason}"))
        if reason == REASON_NEGATIVE:
            ctx.say("handoff_sorry")
        minutes = max(1, math.ceil(placement.expected_wait.total_seconds() / 60))
        ctx.say("handoff_waiting", position=placement.position, minutes=minutes,
                buttons=(Button(ctx.t("button_leave_queue"), LEAVE_PAYLOAD),),
                custom=handoff_payload("waiting") | {"position": placement.position,
                                                     "expected_wait_seconds":
                                                         int(placement.expected_wait.total_seconds())})
        await self._publish({"type": "waiting" if placement.created else "message",
                             "handoff": placement.request.to_dict(),
                             "conversation_id": msg.conversation_id, "text": msg.text})

    def check_triggers(self, ctx: TurnContext) -> str | None:
        """Why this message hands off without the `human_handoff` intent (negative words, "转人工")."""
        text = ctx.msg.text or ""
        if self.negative_words and NEGATIVE_WORDS.search(text):
            return REASON_NEGATIVE
        if ASK_HUMAN.search(text):
            return REASON_ASKED
        return None

    async def on_paused_message(self, msg: IncomingMessage, ctx: TurnContext) -> None:
        """The engine's paused hook: the message goes to the console, the bot says nothing."""
        request = await self.queue.repo.open_for(msg.conversation_id)
        if request is None:  # paused with nobody behind it (e.g. a lost hand back): resume
            ctx.tracker.add(ev.resumed("no_handoff"))
            # "the agent has finished" only if an agent ever joined; else: nobody came in time
            joined = await self._agent_joined_lately(msg.conversation_id)
            ctx.say("handoff_returned" if joined else "handoff_timeout", custom=handoff_payload("returned_to_bot"))
            return
        if request.waiting and LEAVE_QUEUE.search((msg.text or "").strip()):
            if await self.queue.leave(request.id):  # "算了不用人工了": out of the queue, the bot is back
                ctx.tracker.add(ev.resumed("left_queue"))
                ctx.say("handoff_left", custom=handoff_payload("left_queue"))
                await self._publish({"type": "closed", "handoff": (await self.queue.get(request.id)).to_dict(),
                                     "conversation_id": msg.conversation_id})
                return
            request = await self.queue.get(request.id)  # an agent took it just now: they read it
        await self._publish({"type": "message", "handoff": request.to_dict(),
                             "conversation_id": msg.conversation_id, "text": msg.text})

    async def _agent_joined_lately(self, conversation_id: str) -> bool:
        since = self.queue.clock.now() - timedelta(days=1)
        closed = [r for r in await self.queue.repo.closed_since(since) if r.conversation_id == conversation_id]
        return bool(closed) and max(closed, key=lambda r: r.closed_at or since).agent_id is not None

    # --- outside a turn (console, scheduler) -------------------------------------------------
    async def _say(self, request: HandoffRequest, replies: list[Reply], sender: str) -> None:
        """Record in the tracker (under the conversation lock) and deliver on the shopper's channel."""
        records = [r.to_dict(request.recipient_id) | {"sender": sender} for r in replies]
        async with self.locks.lock(request.conversation_id):
            await self.store.append(request.conversation_id, [ev.bot_uttered(r) for r in records])
        await self.push.push(request.channel, request.recipient_id, replies)

    def _text(self, request: HandoffRequest, key: str, **fields: Any) -> str:
        return responses.text(key, request.language, **fields)

    async def take(self, handoff_id: str, agent_id: str, agent_name: str) -> HandoffRequest:
        """An agent takes a waiting conversation (`AlreadyTaken` if another was first)."""
        request = await self.queue.take(handoff_id, agent_id)
        await self._say(request, [Reply(text=self._text(request, "handoff_agent_joined", agent=agent_name),
                                        custom=handoff_payload("agent_joined") | {"agent": agent_name})],
                        sender=f"agent:{agent_id}")
        await self._publish({"type": "taken", "handoff": request.to_dict(),
                                   "conversation_id": request.conversation_id})
        return request

    async def send(self, request: HandoffRequest, agent_id: str, reply: Reply, agent_name: str | None = None) -> None:
        """An agent's reply, delivered on the shopper's own channel; a text reply says who wrote
        it ("小王:…"), so the shopper can tell the agent from the bot on every channel."""
        if agent_name and reply.text and reply.custom is None:
            reply = Reply(text=self._text(request, "handoff_agent_says", agent=agent_name, text=reply.text),
                          buttons=reply.buttons, image=reply.image)
        await self._say(request, [reply], sender=f"agent:{agent_id}")
        await self.queue.responded(request.id)
        await self._publish({"type": "agent_message", "handoff": request.to_dict(),
                                   "conversation_id": request.conversation_id, "text": reply.text,
                                   "agent": agent_id})

    async def transfer(self, handoff_id: str, from_agent: str | None, to_agent: str,
                       to_name: str) -> HandoffRequest:
        """Another agent takes over (`from_agent` None: a supervisor moves it); the shopper is told."""
        request = await self.queue.transfer(handoff_id, from_agent, to_agent)
        await self._say(request, [Reply(text=self._text(request, "handoff_agent_joined", agent=to_name),
                                        custom=handoff_payload("agent_joined") | {"agent": to_name})],
                        sender=f"agent:{to_agent}")
        await self._publish({"type": "transferred", "handoff": request.to_dict(),
                                   "conversation_id": request.conversation_id, "to": to_agent})
        return request

    async def transfer_to_team(self, handoff_id: str, from_agent: str | None, team: Team) -> HandoffRequest:
        """Back in the queue for any agent of `team`; the shopper is told who will answer."""
        request = await self.queue.transfer_to_team(handoff_id, from_agent, team)
        await self._say(request, [Reply(text=self._text(request, "handoff_to_team",
                                                        team=self._text(request, f"team_{team.value}")),
                                        custom=handoff_payload("waiting") | {"team": team.value})],
                        sender="bot")
        await self._publish({"type": "transferred", "handoff": request.to_dict(),
                             "conversation_id": request.conversation_id, "to": None, "team": team.value})
        return request

    async def hand_back(self, handoff_id: str, by: str, agent_name: str | None = None) -> HandoffRequest:
        """The agent hands the conversation back: the bot resumes, says so, and asks the
        shopper to rate the conversation (1-5 buttons, then an optional comment)."""
        request = await self.queue.get(handoff_id)
        # closed and resumed under the conversation's lock: a shopper message cannot slip in
        # between and find the bot paused with nobody behind it
        async with self.locks.lock(request.conversation_id):
            closed = await self.queue.hand_back(handoff_id)
            replies = await self._resumed(closed, "handoff_returned", f"returned:{by}",
                                          rate_as=agent_name or by)
        await self._announce(closed, replies)
        return closed

    async def rate(self, conversation_id: str, handoff_id: str, score: int, comment: str | None = None) -> bool:
        request = await self.queue.repo.get(handoff_id)
        if request is None or request.conversation_id != conversation_id:
            return False
        try:
            rated = await self.queue.rate(handoff_id, score, comment)
        except HandoffError:
            return False
        await self._publish({"type": "rated", "handoff": rated.to_dict(), "conversation_id": conversation_id})
        return True

    async def release_stale_handoffs(self) -> int:
        """Resume the bot where no agent took over within the timeout; the shopper is told."""
        released = 0
        for request in await self.queue.stale(self.timeout):
            async with self.locks.lock(request.conversation_id):
                if not await self.queue.release(request.id):
                    continue  # an agent took it meanwhile, or another worker released it
                replies = await self._resumed(request, "handoff_timeout", "timeout")
            await self._announce(await self.queue.get(request.id), replies)
            released += 1
        return released

    async def _resumed(self, request: HandoffRequest, key: str, reason: str, rate_as: str | None = None) -> list[Reply]:
        """Record `resumed` and the bot's notice (the caller holds the conversation lock); with
        `rate_as` (the agent's name), the rating question follows."""
        replies = [Reply(text=self._text(request, key), custom=handoff_payload("returned_to_bot"))]
        if rate_as is not None and request.agent_id is not None:
            buttons = tuple(Button(self._text(request, "rating_button", score=n),
                                   f'/{RATE_INTENT}{{"handoff_id": "{request.id}", "score": {n}}}')
                            for n in range(5, 0, -1))
            replies.append(Reply(text=self._text(request, "rating_ask", agent=rate_as), buttons=buttons,
                                 custom=rating_request(request.id, rate_as)))
        records = [r.to_dict(request.recipient_id) | {"sender": "bot"} for r in replies]
        await self.store.append(request.conversation_id,
                                [ev.resumed(reason)] + [ev.bot_uttered(r) for r in records])
        return replies

    async def _announce(self, request: HandoffRequest, replies: list[Reply]) -> None:
        await self.push.push(request.channel, request.recipient_id, replies)
        await self._publish({"type": "closed", "handoff": request.to_dict(),
                             "conversation_id": request.conversation_id})


async def request_handoff(ctx: TurnContext, reason: str) -> bool:
    """Hand the conversation to a human (flows call this, e.g. after a complaint ticket).

    False (and the shopper is told) when no handoff desk is wired.
    """
    try:
        await ctx.services.handoff.begin(ctx, reason)
    except FeatureUnavailable as off:
        ctx.say(off.key)
        return False
    return True


TASK_INTENTS = ("search_product", "refine_search", "buy", "check_order", "track_shipment", "request_after_sales",
                "check_ticket", "set_price_alert", "list_price_alerts", "recommend", "human_handoff", "compare_products",
                "show_details", "register")


class RateSupport(Flow):
    """The shopper rates a finished conversation with an agent: a 1-5 button, then a comment
    typed in their own words (or "skip"); a new request instead of a comment is answered."""

    name = "rate_support"
    intents = (RATE_INTENT,)

    async def start(self, ctx: TurnContext) -> None:
        handoff_id = str(ctx.entity("handoff_id") or "")
        try:
            score = int(str(ctx.entity("score")))
        except ValueError:
            score = 0
        if not 1 <= score <= 5 or not await ctx.services.handoff.rate(ctx.msg.conversation_id, handoff_id, score):
            ctx.say("rating_invalid")
            return
        ctx.end_all_flows()
        ctx.start_flow(self.name, {"handoff_id": handoff_id, "score": score})
        ctx.say("rating_ask_comment", score=score, buttons=(Button(ctx.t("button_skip_comment"), SKIP_COMMENT),))

    async def resume(self, ctx: TurnContext) -> bool:
        frame = ctx.active_frame
        data = frame.frame if frame is not None else {}
        text = (ctx.msg.text or "").strip()
        ctx.end_flow(self.name)
        if text == SKIP_COMMENT:
            ctx.say("rating_thanks")
            return True
        if text.startswith("/") or (ctx.intent in TASK_INTENTS and ctx.parse.intent.confidence >= 0.85):
            return False  # a new request, not a comment: answered as usual
        await ctx.services.handoff.rate(ctx.msg.conversation_id, str(data.get("handoff_id")),
                                        int(data.get("score") or 0), text[:1000])
        ctx.say("rating_thanks")
        return True


class HumanHandoff(Flow):
    """`human_handoff`: "转人工" / "let me talk to a human" (also the 3rd-fallback button)."""

    name = "human_handoff"
    intents = ("human_handoff",)

    async def start(self, ctx: TurnContext) -> None:
        reason = REASON_FALLBACK if _offered_after_fallbacks(ctx) else REASON_ASKED
        ctx.set_slot(FALLBACK_SLOT, None)
        ctx.end_all_flows()
        await request_handoff(ctx, reason)


def _offered_after_fallbacks(ctx: TurnContext) -> bool:
    """Whether the bot's previous message was the fallback offer of a human."""
    seen_user = False
    for event in reversed(ctx.tracker.events):
        if event.type == ev.USER:
            if seen_user:
                return False
            seen_user = True
        elif event.type == ev.BOT and seen_user:
            buttons = (event.data.get("reply") or {}).get("buttons") or ()
            return any(b.get("payload") == "/human_handoff" for b in buttons)
    return False


async def handoff_trigger(ctx: TurnContext) -> bool:
    """Engine trigger: strong negative words (and the other triggers) start a handoff first."""
    desk = ctx.services.handoff
    if (ctx.msg.text or "").strip() == LEAVE_PAYLOAD:  # an old "no human needed" button: not queued now
        ctx.say("handoff_not_queued")
        return True
    reason = desk.check_triggers(ctx)
    if reason is not None:
        ctx.end_all_flows()
        await desk.begin(ctx, reason)
        return True
    return False


FLOWS: tuple[type[Flow], ...] = (HumanHandoff, RateSupport)
