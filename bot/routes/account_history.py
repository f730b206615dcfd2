"""`GET /webchat/history?sender=<id>`: the conversation history of the shopper behind a web chat
browser, across every channel identity they signed in with (issue 19.2: signing in on a second
browser shows the same history). The page fetches it at load and after each answer, and shows
it instead of its own copy when the shopper behind the browser changed (a sign-in).

The sender id is the browser's own random secret (as for `POST /webchat/messages`); the answer
names the shopper only by a keyed hash. Button presses (`/intent` payloads) are left out.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from fastapi import APIRouter, Query

from bot.channels.webchat import CHANNEL, SENDER_RE
from dialogue.messages import conversation_id
from dialogue.ports import ShopperProfilesPort
from tracking import events as ev
from tracking.store import TrackerStore

MAX_ENTRIES = 300


def build_history_router(shoppers: ShopperProfilesPort, store: TrackerStore, tag_key: bytes) -> APIRouter:
    """`tag_key` keys the shopper tag (the same on every worker, meaningless outside)."""
    router = APIRouter(tags=["webchat"])

    @router.get("/webchat/history")
    async def history(sender: str = Query(..., pattern=SENDER_RE.pattern)) -> dict[str, Any]:
        """The shopper's messages and the bot's replies, oldest first (the last 300)."""
        shopper = await shoppers.by_identity(CHANNEL, sender)
        timed: list[tuple[float, dict[str, Any]]] = []
        identities = shopper.identities or ((CHANNEL, sender),)
        for channel, sid in identities:
            tracker = await store.load(conversation_id(channel, sid))
            mine: list[tuple[float, dict[str, Any]]] = []
            for event in tracker.events:
                if event.type == ev.RESTARTED:
                    mine.clear()
                elif event.type == ev.USER:
                    text = str(event.data.get("text") or "")
                    if text and not text.startswith("/"):
                        mine.append((event.timestamp, {"who": "me", "text": text}))
                elif event.type == ev.BOT:
                    reply = dict(event.data.get("reply") or {})
                    reply.pop("recipient_id", None)
                    mine.append((event.timestamp, {"who": "bot", "reply": reply}))
            timed.extend(mine)
        timed.sort(key=lambda pair: pair[0])
        tag = hmac.new(tag_key, shopper.id.encode(), hashlib.sha256).hexdigest()[:16]
        return {"shopper": tag, "entries": [entry for _, entry in timed[-MAX_ENTRIES:]]}

    return router
