"""A photo the shopper sends (web chat upload; `/photo{"url": ...}` once the channel stored it)
goes with their newest after-sales ticket still in progress, for the agent and the merchant."""

from __future__ import annotations

from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from shop.aftersales import InvalidTicket, TicketNotFound

PHOTO_INTENT = "photo"
PHOTO_PREFIX = "/photos/"  # where the channels store photos; nothing else is accepted


class SendPhoto(Flow):
    name = "send_photo"
    intents = (PHOTO_INTENT,)
    digression = True  # a photo in the middle of a question does not end it

    async def start(self, ctx: TurnContext) -> None:
        url = str(ctx.entity("url") or "")
        if not url.startswith(PHOTO_PREFIX) or "/" in url[len(PHOTO_PREFIX):] or ctx.shopper is None:
            ctx.say("photo_rejected")
            return
        try:
            ticket = await ctx.services.aftersales.add_photo(ctx.shopper.id, url)
        except TicketNotFound:
            ctx.say("photo_no_ticket")
            return
        except InvalidTicket:
            ctx.say("photo_too_many")
            return
        ctx.say("photo_added", ticket_id=ticket.id, n=len(ticket.photos))


FLOWS: tuple[type[Flow], ...] = (SendPhoto,)
