"""The shopper's return parcel: once a return, exchange or repair is approved (the push gave the
merchant's return address), a message with a carrier and tracking number ("SF1234567890",
"顺丰 SF1234567890", "中通 731000123456789") goes on that ticket, checked against the carrier's
format (shop/parcels.py) and tracked; a number that does not fit is asked again."""

from __future__ import annotations

from dialogue.context import TurnContext
from dialogue.notifications import return_after
from dialogue.presentation.orders import ticket_payload
from shop.aftersales import InvalidTicket
from shop.parcels import BadParcelNumber, carrier_name, read_parcel


async def return_parcel_trigger(ctx: TurnContext) -> bool:
    """Before any flow: True when the message was the return parcel (or a wrong number for it)."""
    text = ctx.msg.text or ""
    if ctx.shopper is None or text.startswith("/"):
        return False
    parcel = read_parcel(text)
    if parcel is None or (isinstance(parcel, BadParcelNumber) and ctx.active_frame is not None):
        return False  # a wrong number is only taken for a parcel when no question is pending
    ticket = await ctx.services.aftersales.awaiting_return_parcel(ctx.shopper.id)
    if ticket is None:
        return False
    lang = ctx.language
    if isinstance(parcel, BadParcelNumber):
        name = carrier_name(parcel.carrier.code, lang) if parcel.carrier else ctx.t("return_parcel_any_carrier")
        ctx.say("return_parcel_invalid", typed=parcel.typed, carrier=name)
        return True
    code, number = parcel.carrier.code, parcel.tracking_number
    try:
        moved = await ctx.services.aftersales.add_return_shipment(ticket.id, ctx.shopper.id, code, number,
                                                                  notify=False)
    except InvalidTicket:
        ctx.say("return_parcel_refused", ticket_id=ticket.id, carrier=carrier_name(code, lang), tracking_number=number)
        return True
    ctx.say("return_parcel_saved", custom=ticket_payload(moved), carrier=carrier_name(code, lang),
            tracking_number=number, ticket_id=ticket.id, after=return_after(ticket, lang))
    return True
