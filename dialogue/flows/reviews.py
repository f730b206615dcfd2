"""Rating what was delivered (issue 20.5): the item's stars, the seller's stars, then optional words.

The delivery push carries a `rating_request` (contracts/channels.md) with star buttons
(`/rate_order{"order_id": …, "line_no": 0, "product_stars": 5}`); the flow then asks the
seller's stars and saves the review at once (nothing is lost if the shopper goes elsewhere),
and last asks for a few words, which a "no thanks" button or any new request skips.
A star answer may be typed: "5", "4星", "五星", "four stars".
"""

from __future__ import annotations

import re
from typing import Any

from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from dialogue.flows.photos import PHOTO_INTENT, PHOTO_PREFIX
from dialogue.messages import Button, button_payload
from dialogue.presentation.products import merchant_name
from shop.orders import Order, OrderError
from shop.reviews import RATABLE, ReviewError

_DIGIT = re.compile(r"(?<![\d.])([1-5])(?![\d.])")
_WORDS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "one": 1, "two": 2, "three": 3, "four": 4,
          "five": 5}
_WORD = re.compile(r"([一二两三四五])\s*[星颗分]|\b(one|two|three|four|five)\b", re.IGNORECASE)
# a message with one of these intents (and something it names) is a new request, not review words
NEW_REQUESTS = frozenset({"search_product", "buy", "check_order", "track_shipment", "request_after_sales",
                          "check_ticket", "set_price_alert", "list_price_alerts", "human_handoff",
                          "compare_products", "show_details", "recommend", "refine_search", "cancel"})


_OPINION = re.compile(r"好|快|慢|满意|不错|差|喜欢|推荐|一般|失望|值|漂亮|舒服|好吃|\b(good|great|nice|fast|slow|bad|"
                      r"love|happy|poor|excellent|fine|recommend|quality|perfect|terrible|awful|works)\b",
                      re.IGNORECASE)
# "4星" / "五星" / "4 stars" / "★★★★" alone: a typed answer to the rating request the delivery push asked
_STAR_ANSWER = re.compile(r"^\s*(?:[1-5]|[一二两三四五]|one|two|three|four|five)\s*(?:星|颗星|stars?|★)\s*[。.!！]?\s*$",
                          re.IGNORECASE)


def _new_request(ctx: TurnContext, text: str) -> bool:
    """Whether words given where a review's words were asked for are a new request instead."""
    if text.startswith("/") or ctx.intent in ("greet", "goodbye"):
        return True
    if ctx.intent not in NEW_REQUESTS:
        return False
    # "音质很好,物流也快" reads to the model as a parcel question about "音质": an opinion is a review
    return not (_OPINION.search(text) and ctx.parse.intent.confidence < 0.9)


async def rating_trigger(ctx: TurnContext) -> bool:
    """A star answer typed to the delivery push's rating request (no flow asked it): rate the
    latest delivered order's first unrated item with it. True when it answered the turn."""
    text = ctx.msg.text or ""
    if ctx.shopper is None or ctx.active_frame is not None or not _STAR_ANSWER.match(text):
        return False
    stars = stars_in(text)
    if stars is None:
        return False
    recent = await ctx.services.orders.list_for_shopper(ctx.shopper.id, limit=10)
    order = next((o for o in recent if o.status in RATABLE), None)
    if order is None or not await ctx.services.reviews.unrated_lines(order):
        return False
    flow = RateOrder()
    frame: dict[str, Any] = {"product_stars": stars}
    await flow.begin(ctx, order, frame)
    return True


def stars_in(text: str) -> int | None:
    """The 1–5 stars a typed answer gives, or None."""
    digits = _DIGIT.findall(text)
    if len(set(digits)) == 1:
        return int(digits[0])
    found = _WORD.search(text)
    if found:
        return _WORDS[(found.group(1) or found.group(2)).lower()]
    return None


def star_buttons(ctx: TurnContext, **entities: Any) -> list[Button]:
    field = "merchant_stars" if "product_stars" in entities else "product_stars"
    return [Button(ctx.t("rating_star_button", n=n), button_payload("rate_order", **entities, **{field: n}))
            for n in (5, 4, 3, 2, 1)]


class RateOrder(Flow):
    name = "rate_order"
    intents = ("rate_order", "rate_order_done")
    digression = True

    async def start(self, ctx: TurnContext) -> None:
        if ctx.intent == "rate_order_done":  # "no thanks" to the words, pressed later
            ctx.say("rating_done")
            return
        if ctx.shopper is None:
            ctx.say("rating_unavailable")
            return
        order = await self._order(ctx)
        if order is None:
            return
        frame = {key: ctx.entity(key) for key in ("product_stars", "merchant_stars") if ctx.entity(key) is not None}
        await self.begin(ctx, order, frame)

    async def begin(self, ctx: TurnContext, order: Order, given: dict[str, Any]) -> None:
        """Rate a line of `order` (the one named, else the first not rated yet), stars `given` so far."""
        unrated = await ctx.services.reviews.unrated_lines(order)
        line_no = ctx.entity("line_no")
        try:
            line = int(line_no) if line_no is not None else (unrated[0] if unrated else 0)
        except (TypeError, ValueError):
            line = 0
        if not 0 <= line < len(order.lines):
            line = 0
        frame: dict[str, Any] = {"order_id": order.id, "line_no": line, "title": order.lines[line].title,
                                 "merchant": order.merchant}
        if line not in unrated:
            ctx.say("rating_already", title=frame["title"])
            return
        frame.update(given)
        await self._next(ctx, frame, active=ctx.active_frame is not None and ctx.active_frame.flow == self.name)

    async def _order(self, ctx: TurnContext) -> Order | None:
        assert ctx.shopper is not None
        order_id = ctx.entity("order_id")
        order: Order | None = None
        if order_id:
            try:
                order = await ctx.services.orders.get(str(order_id).upper())
            except OrderError:
                order = None
            if order is None or order.shopper_id != ctx.shopper.id:
                ctx.say("order_not_found", order_id=order_id)
                return None
        else:
            recent = await ctx.services.orders.list_for_shopper(ctx.shopper.id, limit=10)
            order = next((o for o in recent if o.status in RATABLE), None)
            if order is None:
                ctx.say("rating_nothing_to_rate")
                return None
        if order.status not in RATABLE:
            ctx.say("rating_not_delivered")
            return None
        return order

    async def _next(self, ctx: TurnContext, frame: dict[str, Any], *, active: bool) -> None:
        if "product_stars" not in frame:
            frame["awaiting"] = "product_stars"
            self._keep(ctx, frame, active)
            ctx.say("rating_ask_product", order_id=frame["order_id"], title=frame["title"],
                    buttons=star_buttons(ctx, order_id=frame["order_id"], line_no=frame["line_no"]))
            return
        if "merchant_stars" not in frame:
            frame["awaiting"] = "merchant_stars"
            self._keep(ctx, frame, active)
            ctx.say("rating_ask_merchant", merchant=merchant_name(frame["merchant"], ctx.language) if frame["merchant"]
                    else frame["title"],
                    buttons=star_buttons(ctx, order_id=frame["order_id"], line_no=frame["line_no"],
                                         product_stars=frame["product_stars"]))
            return
        await self._save(ctx, frame, active)

    def _keep(self, ctx: TurnContext, frame: dict[str, Any], active: bool) -> None:
        if active:
            ctx.update_frame(self.name, frame)
        else:
            ctx.start_flow(self.name, frame)

    async def _save(self, ctx: TurnContext, frame: dict[str, Any], active: bool) -> None:
        assert ctx.shopper is not None
        reviews = ctx.services.reviews
        try:
            order = await ctx.services.orders.get(frame["order_id"])
            review = await reviews.rate(order, ctx.shopper.id, int(frame["line_no"]), frame["product_stars"],
                                        frame["merchant_stars"], "", ctx.language)
        except OrderError:
            ctx.say("order_not_found", order_id=frame["order_id"])
            return self._end(ctx, active)
        except ReviewError as exc:
            if exc.code == "bad_stars":
                frame.pop(str(frame.get("awaiting") or "product_stars"), None)
                ctx.say("rating_stars_again")
                return await self._next(ctx, frame, active=active)
            ctx.say("rating_already" if exc.code == "already_rated" else "rating_not_delivered", title=frame["title"])
            return self._end(ctx, active)
        summary, _ = await reviews.product_reviews(review.product_id)
        frame.update(awaiting="text", review_id=review.id)
        self._keep(ctx, frame, active)
        average = f"{summary.average:.1f}" if summary.average is not None else str(review.product_stars)
        ctx.say_lines([ctx.t("review_thanks", title=frame["title"], average=average, count=summary.count),
                       ctx.t("rating_ask_text")],
                      buttons=[Button(ctx.t("rating_button_skip"), button_payload("rate_order_done"))])

    def _end(self, ctx: TurnContext, active: bool) -> None:
        if active:
            ctx.end_flow(self.name)

    async def resume(self, ctx: TurnContext) -> bool:
        active = ctx.active_frame
        if active is None or active.flow != self.name:
            return False
        frame = dict(active.frame)
        awaiting = frame.get("awaiting")
        if ctx.intent == "rate_order":
            await self.start(ctx)
            return True
        if ctx.intent == "rate_order_done":
            ctx.end_flow(self.name)
            ctx.say("rating_done")
            return True
        text = (ctx.msg.text or "").strip()
        if ctx.intent == PHOTO_INTENT:  # a photo of what was bought goes with the review once it is saved
            if awaiting != "text":
                return False  # no review yet: the photo goes where photos go (a ticket in progress)
            return await self._photo(ctx, frame)
        if awaiting == "text":
            if not text or _new_request(ctx, text):
                ctx.end_flow(self.name)
                return False  # the words were optional: a new request goes ahead
            assert ctx.shopper is not None
            await ctx.services.reviews.add_text(str(frame["review_id"]), ctx.shopper.id, text)
            ctx.end_flow(self.name)
            ctx.say("rating_text_saved")
            return True
        stars = stars_in(text)
        if stars is not None and awaiting in ("product_stars", "merchant_stars"):
            frame[str(awaiting)] = stars
            frame.pop("misses", None)
            await self._next(ctx, frame, active=True)
            return True
        if ctx.intent in NEW_REQUESTS or int(frame.get("misses", 0)) >= 1:
            return False
        frame["misses"] = int(frame.get("misses", 0)) + 1
        ctx.update_frame(self.name, frame)
        ctx.say("rating_stars_again")
        return True

    async def _photo(self, ctx: TurnContext, frame: dict[str, Any]) -> bool:
        assert ctx.shopper is not None
        url = str(ctx.entity("url") or "")
        if not url.startswith(PHOTO_PREFIX) or "/" in url[len(PHOTO_PREFIX):]:
            ctx.say("photo_rejected")
            return True
        count = await ctx.services.reviews.add_photo(str(frame["review_id"]), ctx.shopper.id, url)
        if count is None:
            ctx.say("review_photo_full")
        else:
            ctx.say("review_photo_added", n=count,
                    buttons=[Button(ctx.t("rating_button_skip"), button_payload("rate_order_done"))])
        return True  # the words may still follow

    async def reprompt(self, ctx: TurnContext) -> None:
        frame = dict(ctx.active_frame.frame) if ctx.active_frame else {}
        if frame.get("awaiting") == "text":
            ctx.say("rating_ask_text", buttons=[Button(ctx.t("rating_button_skip"), button_payload("rate_order_done"))])
        elif frame:
            await self._next(ctx, frame, active=True)

