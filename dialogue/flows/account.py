"""Register and sign in from the chat, on every channel (issue 19.2).

"我要注册" / "sign me up" asks for a phone number or e-mail address, sends a code there, asks
for the code, then for a password; "登录" / "log in" asks for the address and the code. Once
signed in, this channel identity is the account's shopper: orders, tickets, alerts, addresses
and the cart follow the shopper across channels and devices.

"导出我的数据" / "export my data" answers with a download link (JSON, good for an hour);
"删除我的数据" / "delete my data" asks to confirm, then erases the personal data (orders stay,
as accounting requires, with name, phone and address blanked), or says clearly which orders
are still in flight and why nothing was deleted.

The NLU has no account intents (contracts/nlu.md lists none): the words are recognised by
`account_trigger` before any flow. The password is never written to the transcript: while
the flow waits for it, its frame says `secret` and the engine records the message masked.
A message that is plainly something else (no digit, no "@" while an address or a code is
expected) leaves the flow and is answered as usual.
"""

from __future__ import annotations

import re

from dialogue.context import TurnContext
from dialogue.flows.base import Flow
from dialogue.messages import Button
from dialogue.ports import FeatureUnavailable
from shop.accounts import (
    Account,
    BadAddress,
    CodeRejected,
    ErasureRefused,
    Purpose,
    SendFailed,
    TooManyRequests,
    WeakPassword,
    mask,
)
from shop.cart import merge_carts

FLOW = "account"
_REGISTER = re.compile(r"(我要注册|我想注册|注册(一个|个)?(新)?(账号|账户|帐号|帐户|会员)|^注册$|^注册一下$|"
                       r"\bsign me up\b|^sign ?up\b|\bcreate (an |my |a new )?account\b|^register\b|"
                       r"\bi want to (sign up|register)\b)", re.IGNORECASE)
_SIGN_IN = re.compile(r"(^(我要|我想|帮我)?(登录|登陆)(一下)?(账号|账户|帐号|帐户)?[。!!]?$|^登录我的(账号|账户)|"
                      r"^(please )?(log ?in|sign ?in|sign me in|log me in)\b|\bi want to (log ?in|sign in)\b)",
                      re.IGNORECASE)
_EXPORT = re.compile(r"(导出|下载|打包)(一下)?我的(个人)?(数据|信息|资料)|\b(export|download)( all)? my (personal )?(data|information)\b",
                     re.IGNORECASE)
_DELETE = re.compile(r"(删除|删掉|清除|抹掉)(一下)?我的(个人)?(数据|信息|资料|账户|账号|帐户|帐号)|注销(我的)?(账户|账号|帐户|帐号)|"
                     r"\b(delete|erase|remove|wipe)( all)? my (personal )?(data|information|account)\b", re.IGNORECASE)
_YES = re.compile(r"^(确认(删除)?|是的?|对|删吧|删除吧|好的?|yes|yes,? delete( it)?|confirm|delete( it)?)[。.!!]?$", re.IGNORECASE)
_RESEND = re.compile(r"(重新发送|重发|再发一(次|个)|没收到|\bresend\b|\bsend (it )?again\b|didn'?t get)", re.IGNORECASE)
_CODE = re.compile(r"^\D*?(\d[\d\s-]{4,9}\d)\D*$")
MAX_MISSES = 3
SECRET = "••••••"


def account_request(text: str) -> Purpose | str | None:
    """The account request a message makes in words ("export", "delete" or a `Purpose`), or None."""
    text = (text or "").strip()
    if not text or text.startswith("/") or len(text) > 40:
        return None
    if _EXPORT.search(text):
        return "export"
    if _DELETE.search(text):
        return "delete"
    if _REGISTER.search(text):
        return Purpose.REGISTER
    if _SIGN_IN.search(text):
        return Purpose.SIGN_IN
    return None


async def account_trigger(ctx: TurnContext) -> bool:
    """Engine trigger: "我要注册" / "log in" start the account flow, whatever the NLU made of them."""
    active = ctx.active_frame
    if active is not None and active.flow == FLOW:
        return False  # the flow's own answers (an address, a code) go to its resume
    request = account_request(ctx.msg.text or "")
    if request is None:
        return False
    if request == "export":
        await export_data(ctx)
    elif request == "delete":
        ctx.end_all_flows()
        ctx.start_flow(FLOW, {"step": "confirm_delete", "keep_language": True})
        ctx.say("account_delete_confirm", buttons=[Button(ctx.t("account_delete_yes"), "/affirm"),
                                                   Button(ctx.t("account_delete_no"), "/deny")])
    elif isinstance(request, Purpose):
        await AccountFlow().begin(ctx, request)
    return True


async def export_data(ctx: TurnContext) -> None:
    if ctx.shopper is None:
        ctx.say("account_unavailable")
        return
    link = await ctx.services.privacy.export_link(ctx.shopper.id)
    ctx.say("account_export_ready", url=link)


async def delete_data(ctx: TurnContext) -> None:
    ctx.end_flow(FLOW)
    if ctx.shopper is None:
        ctx.say("account_unavailable")
        return
    try:
        kept = await ctx.services.privacy.erase(ctx.shopper.id)
    except ErasureRefused as refused:
        ctx.say("account_erase_refused", orders=", ".join(refused.order_ids))
        return
    ctx.say("account_erased" if kept else "account_erased_no_orders", count=kept)


def _code_in(text: str) -> str | None:
    m = _CODE.match(text.strip())
    if m is None:
        return None
    digits = re.sub(r"\D", "", m.group(1))
    return digits if len(digits) == 6 else None


class AccountFlow(Flow):
    name = FLOW
    digression = False

    async def start(self, ctx: TurnContext) -> None:  # started by the trigger only
        await self.begin(ctx, Purpose.REGISTER)

    async def begin(self, ctx: TurnContext, purpose: Purpose) -> None:
        shopper = ctx.shopper
        if shopper is not None:
            account = await ctx.services.accounts.account_of(shopper.id)
            if account is not None:
                ctx.say("account_already", to=account.address.masked)
                return
        ctx.end_all_flows()
        ctx.start_flow(FLOW, {"purpose": purpose.value, "step": "address", "misses": 0, "keep_language": True})
        ctx.say(f"account_ask_address_{purpose.value}")

    async def reprompt(self, ctx: TurnContext) -> None:
        frame = ctx.active_frame.frame if ctx.active_frame else {}
        step = frame.get("step")
        if step == "address":
            ctx.say(f"account_ask_address_{frame.get('purpose', 'register')}")
        elif step == "code":
            ctx.say("account_ask_code", to=mask(str(frame.get("address", ""))))
        else:
            ctx.say("account_ask_password", min=ctx.services.accounts.min_password_length())

    async def resume(self, ctx: TurnContext) -> bool:
        frame_obj = ctx.active_frame
        if frame_obj is None or frame_obj.flow != FLOW:
            return False
        frame = dict(frame_obj.frame)
        text = (ctx.msg.text or "").strip()
        step = frame.get("step")
        if step == "confirm_delete":
            if text == "/affirm" or _YES.match(text):
                await delete_data(ctx)
                return True
            ctx.end_flow(FLOW)
            if text == "/deny" or ctx.intent in ("deny", "cancel"):
                ctx.say("account_delete_kept")
                return True
            return False  # something else: nothing deleted, the message is answered as usual
        if text.startswith("/"):
            return False  # a button of an earlier message: answered as usual
        if step in ("address", "code") and not re.search(r"[\d@]", text) and not _RESEND.search(text):
            ctx.end_flow(FLOW)  # a new request in the middle of the question
            return False
        if step == "address":
            await self._address(ctx, frame, text)
        elif step == "code":
            await self._code(ctx, frame, text)
        elif step == "password":
            await self._password(ctx, frame, ctx.msg.text or "")
        return True

    def _miss(self, ctx: TurnContext, frame: dict[str, object]) -> bool:
        """Count a wrong answer; True when the flow gave up."""
        misses = int(str(frame.get("misses") or 0)) + 1
        if misses >= MAX_MISSES:
            ctx.end_flow(FLOW)
            ctx.say("account_gave_up")
            return True
        frame["misses"] = misses
        ctx.update_frame(FLOW, frame)
        return False

    async def _send(self, ctx: TurnContext, frame: dict[str, object], text: str) -> bool:
        purpose = Purpose(str(frame["purpose"]))
        requester = f"{ctx.msg.channel}:{ctx.msg.sender_id}"
        try:
            sent = await ctx.services.accounts.request_code(text, purpose, ctx.language, requester)
        except TooManyRequests as exc:
            ctx.say("account_too_many", seconds=int(exc.retry_after))
            return False
        except SendFailed:
            ctx.say("account_send_failed")
            return False
        ctx.say("account_code_sent", to=sent.masked_address, minutes=max(1, int(sent.expires_in.total_seconds() // 60)))
        return True

    async def _address(self, ctx: TurnContext, frame: dict[str, object], text: str) -> None:
        try:
            if not await self._send(ctx, frame, text):
                return
        except BadAddress:
            if not self._miss(ctx, frame):
                ctx.say("account_bad_address")
            return
        frame.update(step="code", address=text, misses=0)
        ctx.update_frame(FLOW, frame)

    async def _code(self, ctx: TurnContext, frame: dict[str, object], text: str) -> None:
        address = str(frame["address"])
        if _RESEND.search(text):
            await self._send(ctx, frame, address)
            return
        code = _code_in(text)
        if code is None:
            if not self._miss(ctx, frame):
                ctx.say("account_code_format")
            return
        purpose = Purpose(str(frame["purpose"]))
        try:
            if purpose is Purpose.SIGN_IN:
                account = await ctx.services.accounts.sign_in_with_code(address, code)
            else:
                await ctx.services.accounts.verify_code(address, purpose, code)
        except CodeRejected:
            if not self._miss(ctx, frame):
                ctx.say("account_code_rejected")
            return
        if purpose is Purpose.SIGN_IN:
            await self._signed_in(ctx, account)
            return
        frame.update(step="password", secret=True, misses=0)
        ctx.update_frame(FLOW, frame)
        ctx.say("account_ask_password", min=ctx.services.accounts.min_password_length())

    async def _password(self, ctx: TurnContext, frame: dict[str, object], password: str) -> None:
        shopper = ctx.shopper
        if shopper is None:
            ctx.end_flow(FLOW)
            ctx.say("account_unavailable")
            return
        try:
            account = await ctx.services.accounts.register(str(frame["address"]), None, password, shopper.id,
                                                          code_checked=True)
        except WeakPassword as exc:
            if not self._miss(ctx, frame):
                score = exc.strength.score if exc.strength is not None else 0
                ctx.say(f"account_password_{exc.reason}", min=ctx.services.accounts.min_password_length(),
                       score=score)
            return
        except CodeRejected:  # the address got an account meanwhile
            ctx.end_flow(FLOW)
            ctx.say("account_code_rejected_final")
            return
        ctx.end_flow(FLOW)
        ctx.say("account_registered", to=account.address.masked)

    async def _signed_in(self, ctx: TurnContext, account: Account) -> None:
        ctx.end_flow(FLOW)
        guest = ctx.shopper
        await ctx.services.shoppers.link_identity(ctx.msg.channel, ctx.msg.sender_id, account.shopper_id)
        ctx.say("account_signed_in", to=account.address.masked)
        if guest is not None and guest.id != account.shopper_id:
            try:
                moved = await merge_carts(ctx.services.cart, guest.id, account.shopper_id)
            except FeatureUnavailable:
                moved = 0
            if moved:
                ctx.say("account_cart_merged", n=moved)


FLOWS: tuple[type[Flow], ...] = (AccountFlow,)
