"""Shopper account pages (issue 19.3 and 19.5), Chinese and English, mobile first.

`/account/signup` (address → code → code and password), `/account/signin`, `/account` (my
orders with tracking, alerts, tickets, addresses, linked channels), sign out, sign out
everywhere. Every form carries a CSRF token: before sign-in a double-submit token (a cookie
and the form's field), after it the session's own. Sessions are server-side rows named by the
hash of a random cookie token, a new one at each sign-in (rotated), removable one by one or all
at once; the cookie is HttpOnly, SameSite=Lax, and Secure behind https. Sign-in failures are
counted per address and per client (the console's throttle), with a doubling back-off.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.console.throttle import LoginThrottle
from dialogue.presentation.money import format_money
from integrations.db.accounts_repo import SQLAccountSessions
from shop.accounts import (
    Account,
    AccountError,
    AccountRepository,
    AccountService,
    BadAddress,
    CodeRejected,
    Purpose,
    SendFailed,
    SignInFailed,
    TooManyRequests,
    WeakPassword,
    mask,
)
from shop.aftersales import TicketService
from shop.alerts import AlertService
from shop.cart import CartRepository
from shop.clock import Clock
from shop.ordering import OrderService
from shop.shipments import ShipmentService
from shop.shoppers import ShopperRepository

SESSION_COOKIE = "shopbot_account"
CSRF_COOKIE = "shopbot_account_csrf"
SESSION_LIFETIME = timedelta(days=30)
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "static" / "account"),
                        autoescape=select_autoescape(["html"]))

TEXT = {
    "zh": {
        "title": "我的账户", "brand": "购物助手", "signin": "登录", "signup": "注册", "address": "手机号或邮箱",
        "password": "密码", "new_password": "设置密码", "no_account": "还没有账户?", "have_account": "已经有账户了?",
        "send_code": "发送验证码", "code_hint": "我们会发一个6位验证码过去。", "code": "验证码", "create": "注册",
        "password_rules": "至少8位,不要用常见密码。", "my_account": "我的账户", "signed_in_as": "已登录:",
        "signout": "退出登录", "signout_all": "所有设备都退出", "orders": "我的订单", "alerts": "降价提醒",
        "tickets": "售后", "addresses": "收货地址", "channels": "已关联的渠道", "none": "暂无",
        "link_hint": "在微信、Telegram 或网页聊天里说“登录”,即可关联到这个账户。",
        "sent": "验证码已发到 {to},{minutes} 分钟内有效。",
        "bad_address": "这不像手机号或邮箱。请输入11位手机号或邮箱。",
        "code_rejected": "验证码不对或已过期。", "too_many": "尝试太频繁了,请 {seconds} 秒后再试。",
        "send_failed": "验证码没能发出去,请稍后再试。", "sign_in_failed": "手机号/邮箱或密码不对。",
        "too_short": "密码太短了。", "too_long": "密码太长了。", "common": "这是常见或泄露过的密码,请换一个。",
        "weak": "这个密码太好猜了(强度 {score}/4),请换一个。", "csrf": "页面已过期,请重新提交。",
        "signed_out_all": "已在所有设备上退出 ({count} 个会话)。", "signed_out": "已退出登录。",
        "registered": "注册成功,已登录。", "tracking": "{carrier} {number}:{status}",
        "cart": "购物车", "cart_line": "{title} ×{quantity}",
        "alert_line": "{title}:降到 {target} 提醒({status})", "ticket_line": "{id} · 订单 {order} · {type} · {status}",
        "channel_names": {"webchat": "网页聊天", "rest": "接口", "telegram": "Telegram", "wechat": "微信", "web": "网页账户",
                          "terminal": "终端"},
    },
    "en": {
        "title": "My account", "brand": "shopbot", "signin": "Sign in", "signup": "Sign up",
        "address": "Phone number or e-mail", "password": "Password", "new_password": "Choose a password",
        "no_account": "No account yet?", "have_account": "Have an account?", "send_code": "Send me a code",
        "code_hint": "We'll send a 6-digit code there.", "code": "Code", "create": "Create account",
        "password_rules": "At least 8 characters, not a common password.", "my_account": "My account",
        "signed_in_as": "Signed in as", "signout": "Sign out", "signout_all": "Sign out everywhere",
        "orders": "My orders", "alerts": "Price alerts", "tickets": "After-sales", "addresses": "Addresses",
        "channels": "Linked channels", "none": "Nothing yet",
        "link_hint": "Say \"log in\" on WeChat, Telegram or the web chat to link it to this account.",
        "sent": "We sent a code to {to}; it's good for {minutes} minutes.",
        "bad_address": "That isn't a phone number or an e-mail address.",
        "code_rejected": "That code is wrong or has expired.", "too_many": "Too many tries; please wait {seconds} seconds.",
        "send_failed": "The code couldn't be sent; please try again shortly.",
        "sign_in_failed": "Wrong phone/e-mail or password.", "too_short": "That password is too short.",
        "too_long": "That password is too long.", "common": "That's a common or leaked password; choose another.",
        "weak": "That password is easy to guess (strength {score}/4); choose another.",
        "csrf": "This page expired; please submit it again.",
        "signed_out_all": "Signed out everywhere ({count} sessions).", "signed_out": "Signed out.",
        "registered": "You're signed up and signed in.", "tracking": "{carrier} {number}: {status}",
        "cart": "Cart", "cart_line": "{title} ×{quantity}",
        "alert_line": "{title}: tell me at {target} ({status})", "ticket_line": "{id} · order {order} · {type} · {status}",
        "channel_names": {"webchat": "Web chat", "rest": "API", "telegram": "Telegram", "wechat": "WeChat",
                          "web": "Web account", "terminal": "Terminal"},
    },
}


@dataclass(frozen=True)
class AccountPages:
    service: AccountService
    accounts: AccountRepository
    sessions: SQLAccountSessions
    shoppers: ShopperRepository
    orders: OrderService
    shipments: ShipmentService
    tickets: TicketService
    alerts: AlertService
    throttle: LoginThrottle
    clock: Clock
    secure_cookies: bool
    cart: CartRepository | None = None  # the account's cart (a guest's joins it at sign-in in the chat)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def build_account_pages_router(p: AccountPages) -> APIRouter:
    router = APIRouter(prefix="/account", tags=["account"], responses={
        303: {"description": "to /account after signing in or up; to the sign-in page when signed out"},
        400: {"description": "a wrong address, code or password (the page says which)"},
        401: {"description": "wrong address or password"},
        403: {"description": "missing or stale CSRF token"},
        429: {"description": "too many tries: wait (Retry-After)"}})

    def language(request: Request) -> str:
        lang = request.query_params.get("lang") or request.cookies.get("shopbot_lang")
        if lang in TEXT:
            return lang
        return "zh" if request.headers.get("accept-language", "zh").lower().startswith("zh") else "en"

    def secure(request: Request) -> bool:
        return p.secure_cookies or request.url.scheme == "https" or \
            request.headers.get("x-forwarded-proto", "") == "https"

    def page(request: Request, name: str, *, status: int = 200, csrf: str | None = None, **fields: Any) -> HTMLResponse:
        lang = language(request)
        token = csrf or request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        html = TEMPLATES.get_template("page.html").render(page=name, lang=lang, t=TEXT[lang], csrf=token,
                                                          error=fields.pop("error", None),
                                                          notice=fields.pop("notice", None),
                                                          address=fields.pop("address", ""), **fields)
        resp = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store",
                                                               "X-Frame-Options": "DENY"})
        if csrf is None:
            resp.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure(request),
                            path="/account")
        if request.query_params.get("lang") in TEXT:
            resp.set_cookie("shopbot_lang", language(request), samesite="lax", secure=secure(request),
                            max_age=365 * 86400)
        return resp

    def words(request: Request, key: str, **fields: Any) -> str:
        return str(TEXT[language(request)][key]).format(**fields)

    def pre_session_csrf_ok(request: Request, token: str) -> bool:
        cookie = request.cookies.get(CSRF_COOKIE)
        return bool(cookie and token and secrets.compare_digest(cookie, token))

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    async def current(request: Request) -> tuple[str, Account, str] | None:
        """(session hash, account, CSRF token) of a live session, or None."""
        token = request.cookies.get(SESSION_COOKIE)
        if not token or len(token) > 100:
            return None
        found = await p.sessions.get(_hash(token))
        if found is None:
            return None
        account_id, csrf, expires = found
        if expires <= p.clock.now():
            await p.sessions.delete(_hash(token))
            return None
        account = await p.accounts.get(account_id)
        return None if account is None else (_hash(token), account, csrf)

    async def start_session(request: Request, account: Account, old: str | None = None) -> Response:
        if old is not None:  # rotated at sign-in: an older session id is never reused
            await p.sessions.delete(old)
        token = secrets.token_urlsafe(32)
        now = p.clock.now()
        await p.sessions.add(_hash(token), account.id, secrets.token_urlsafe(24), now, now + SESSION_LIFETIME)
        resp = RedirectResponse("/account", status_code=303)
        resp.set_cookie(SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
                        samesite="lax", secure=secure(request), path="/")
        resp.delete_cookie(CSRF_COOKIE, path="/account")
        return resp

    def error_text(request: Request, exc: AccountError) -> str:
        if isinstance(exc, BadAddress):
            return words(request, "bad_address")
        if isinstance(exc, TooManyRequests):
            return words(request, "too_many", seconds=int(exc.retry_after))
        if isinstance(exc, SendFailed):
            return words(request, "send_failed")
        if isinstance(exc, WeakPassword):
            return words(request, exc.reason, score=exc.strength.score if exc.strength else 0)
        if isinstance(exc, CodeRejected):
            return words(request, "code_rejected")
        return words(request, "sign_in_failed")

    @router.get("/signin", response_class=HTMLResponse)
    async def signin_page(request: Request) -> Response:
        return page(request, "signin")

    @router.post("/signin", response_class=HTMLResponse)
    async def signin(request: Request, csrf: str = Form("", max_length=100), address: str = Form("", max_length=254),
                     password: str = Form("", max_length=128)) -> Response:
        if not pre_session_csrf_ok(request, csrf):
            return page(request, "signin", status=403, error=words(request, "csrf"))
        key = address.strip().lower()[:64]
        wait = await p.throttle.blocked_for(key, client(request))
        if wait > 0:
            resp = page(request, "signin", status=429, error=words(request, "too_many", seconds=int(wait) + 1),
                        address=address)
            resp.headers["Retry-After"] = str(int(wait) + 1)
            return resp
        try:
            account = await p.service.sign_in(address, password)
        except SignInFailed:
            blocked = await p.throttle.failed(key, client(request))
            if blocked:
                resp = page(request, "signin", status=429, error=words(request, "too_many", seconds=int(blocked)),
                            address=address)
                resp.headers["Retry-After"] = str(int(blocked))
                return resp
            return page(request, "signin", status=401, error=words(request, "sign_in_failed"), address=address)
        await p.throttle.succeeded(key)
        found = await current(request)
        return await start_session(request, account, old=found[0] if found else None)

    @router.get("/signup", response_class=HTMLResponse)
    async def signup_page(request: Request) -> Response:
        return page(request, "signup")

    @router.post("/signup", response_class=HTMLResponse)
    async def signup(request: Request, csrf: str = Form("", max_length=100),
                     address: str = Form("", max_length=254)) -> Response:
        if not pre_session_csrf_ok(request, csrf):
            return page(request, "signup", status=403, error=words(request, "csrf"))
        try:
            sent = await p.service.request_code(address, Purpose.REGISTER, language(request),
                                                requester=f"ip:{client(request)}")
        except AccountError as exc:
            status = 429 if isinstance(exc, TooManyRequests) else 400
            return page(request, "signup", status=status, error=error_text(request, exc), address=address)
        return page(request, "signup_code", address=address,
                    sent=words(request, "sent", to=sent.masked_address,
                               minutes=int(sent.expires_in.total_seconds() // 60)))

    @router.post("/signup/finish", response_class=HTMLResponse)
    async def finish(request: Request, csrf: str = Form("", max_length=100), address: str = Form("", max_length=254),
                     code: str = Form("", max_length=12), password: str = Form("", max_length=128)) -> Response:
        if not pre_session_csrf_ok(request, csrf):
            return page(request, "signup", status=403, error=words(request, "csrf"))
        try:
            parsed = p.service.parse_address(address)
            p.service.check_password(password, parsed)
            shopper = await p.shoppers.by_identity("web", secrets.token_hex(12))
            account = await p.service.register(address, code, password, shopper.id)
        except AccountError as exc:
            status = 429 if isinstance(exc, TooManyRequests) else 400
            name = "signup_code" if isinstance(exc, (WeakPassword, CodeRejected)) else "signup"
            return page(request, name, status=status, error=error_text(request, exc), address=address,
                        sent="")
        return await start_session(request, account)

    @router.get("", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        found = await current(request)
        if found is None:
            return RedirectResponse("/account/signin", status_code=303)
        _, account, csrf = found
        lang = language(request)
        t = TEXT[lang]
        sid = account.shopper_id
        orders = []
        for order in await p.orders.list_for_shopper(sid, limit=50):
            shipment = await p.shipments.shipment_for_order(order.id)
            tracking = ""
            if shipment is not None:
                tracking = str(t["tracking"]).format(carrier=shipment.carrier_code, number=shipment.tracking_number,
                                                     status=shipment.status.value)
            orders.append({"id": order.id, "status": order.status.value, "total": format_money(order.total, lang),
                           "title": order.lines[0].title if order.lines else "", "tracking": tracking})
        alerts = [str(t["alert_line"]).format(title=a.product_title, target=format_money(a.target_price, lang),
                                              status=a.status.value) for a in await p.alerts.list_alerts(sid)]
        tickets = [str(t["ticket_line"]).format(id=k.id, order=k.order_id, type=k.service_type.value,
                                                status=k.status.value)
                   for k in await p.tickets.list_for_shopper(sid, limit=50)]
        cart = []
        for line in await p.cart.lines(sid) if p.cart is not None else ():
            options = "/".join(v for _, v in line.variant)
            cart.append(str(t["cart_line"]).format(title=line.title + (f" ({options})" if options else ""),
                                                   quantity=line.quantity))
        shopper = await p.shoppers.get(sid)
        address_line = ""
        if shopper is not None and shopper.address:
            address_line = " ".join(x for x in (shopper.receiver_name or "", mask(shopper.phone or "") if shopper.phone
                                                else "", shopper.address) if x)
        names = t["channel_names"]
        assert isinstance(names, dict)
        channels = sorted({str(names.get(ch, ch)) for ch, _ in (shopper.identities if shopper else ())})
        return page(request, "home", csrf=csrf, who=account.address.masked, orders=orders, alerts=alerts,
                    cart=cart, tickets=tickets, address_line=address_line, channels=channels,
                    notice=words(request, "registered") if request.query_params.get("new") else None)

    async def signed_in_post(request: Request, csrf: str) -> tuple[str, Account] | Response:
        found = await current(request)
        if found is None:
            return RedirectResponse("/account/signin", status_code=303)
        session_hash, account, token = found
        if not csrf or not secrets.compare_digest(csrf, token):
            return page(request, "signin", status=403, error=words(request, "csrf"))
        return session_hash, account

    @router.post("/signout", response_class=HTMLResponse)
    async def signout(request: Request, csrf: str = Form("", max_length=100)) -> Response:
        got = await signed_in_post(request, csrf)
        if isinstance(got, Response):
            return got
        await p.sessions.delete(got[0])
        resp = page(request, "signin", notice=words(request, "signed_out"))
        resp.delete_cookie(SESSION_COOKIE, path="/")
        return resp

    @router.post("/signout-everywhere", response_class=HTMLResponse)
    async def signout_everywhere(request: Request, csrf: str = Form("", max_length=100)) -> Response:
        got = await signed_in_post(request, csrf)
        if isinstance(got, Response):
            return got
        count = await p.sessions.delete_all(got[1].id)
        resp = page(request, "signin", notice=words(request, "signed_out_all", count=count))
        resp.delete_cookie(SESSION_COOKIE, path="/")
        return resp

    return router
