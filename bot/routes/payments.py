"""Payment routes: the sandbox pay page and the providers' notify callbacks.

`GET /pay/{payment_id}` shows the order (amount, items) and lets the shopper pick WeChat Pay,
Alipay or card; `POST /pay/{payment_id}` makes the sandbox provider produce its signed callback
and hands it to the same processing as `POST /payments/{provider}/notify`, the route a real
provider calls.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from decimal import Decimal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from dialogue.presentation.money import format_money
from dialogue.presentation.orders import order_lines
from integrations.payments.sandbox import SandboxPaymentProvider
from shop.ordering import OrderService
from shop.orders import Order, OrderNotFound
from shop.payments import (
    PAYMENT_METHODS,
    PaymentAmountMismatch,
    PaymentVerificationError,
    UnknownPayment,
    UnsupportedPaymentMethod,
    canonical_provider_name,
)

PAGE_TEXT = {
    "zh": {
        "title": "收银台",
        "order": "订单",
        "total": "应付金额",
        "method": "支付方式",
        "pay": "确认支付",
        "wechat_pay": "微信支付",
        "alipay": "支付宝",
        "card": "银行卡",
        "done": "支付成功",
        "paid": "该订单已支付",
        "back": "请返回聊天窗口,我们会通知你订单进展。",
    },
    "en": {
        "title": "Checkout",
        "order": "Order",
        "total": "Amount due",
        "method": "Pay with",
        "pay": "Pay now",
        "wechat_pay": "WeChat Pay",
        "alipay": "Alipay",
        "card": "Card",
        "done": "Payment received",
        "paid": "This order is paid",
        "back": "Go back to the chat; we will keep you posted.",
    },
}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:0 auto;padding:1rem}"
    "li{margin:.3rem 0}.total{font-size:1.6rem;font-weight:bold}label{display:block;padding:.6rem;"
    "border:1px solid #ccc;border-radius:.4rem;margin:.4rem 0}button{width:100%;padding:.8rem;"
    "font-size:1.1rem;background:#07c160;color:#fff;border:0;border-radius:.4rem}"
)


def _page(lang: str, title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        status_code=status,
    )


def _lang(order: Order) -> str:
    return "en" if order.language.lower().startswith("en") else "zh"


def render_pay_page(payment_id: str, order: Order, group: Sequence[Order] = ()) -> HTMLResponse:
    """The pay page of `order`'s payment; `group`: every order a cart checkout pays at once
    (each listed with its items and total, the amount due their sum)."""
    lang = _lang(order)
    t = PAGE_TEXT[lang]
    orders = list(group) if len(group) > 1 else [order]
    if len(orders) > 1 and order.status.value == "created":
        items = "".join(
            f'<li data-testid="pay-order"><b>{t["order"]} {html.escape(o.id)}</b> '
            f'{format_money(o.total, lang, o.currency)}<ul>'
            + "".join(f"<li>{html.escape(line)}</li>" for line in order_lines(o, lang)) + "</ul></li>"
            for o in orders)
        due = sum((o.total for o in orders), Decimal(0))
        return _page(lang, t["title"], _pay_form(t, lang, payment_id, " · ".join(o.id for o in orders), items,
                                                 format_money(due, lang, order.currency)))
    items = "".join(f"<li>{html.escape(line)}</li>" for line in order_lines(order, lang))
    if order.status.value != "created":
        return _page(
            lang, t["title"], f"<h1>{t['paid']}</h1><p>{t['order']} {order.id}</p><p>{t['back']}</p>"
        )
    return _page(lang, t["title"], _pay_form(t, lang, payment_id, order.id, items,
                                             format_money(order.total, lang, order.currency)))


def _pay_form(t: Mapping[str, str], lang: str, payment_id: str, order_ids: str, items: str, due: str) -> str:
    methods = "".join(
        f'<label><input type="radio" name="method" value="{m}"{" checked" if i == 0 else ""}> {t[m]}</label>'
        for i, m in enumerate(PAYMENT_METHODS)
    )
    return (
        f"<h1>{t['title']}</h1><p>{t['order']} {html.escape(order_ids)}</p><ul>{items}</ul>"
        f'<p>{t["total"]}</p><p class="total" data-testid="total">{due}</p>'
        f'<form method="post" action="/pay/{html.escape(payment_id)}"><fieldset><legend>{t["method"]}</legend>'
        f'{methods}</fieldset><button type="submit">{t["pay"]}</button></form>'
    )


def _ack(provider: str, ok: bool, message: str = "") -> Response:
    """Answer a provider the way it expects (Alipay: plain `success`; others: JSON code)."""
    if provider == "alipay":
        return PlainTextResponse("success" if ok else "failure", status_code=200 if ok else 400)
    if ok:
        return JSONResponse({"code": "SUCCESS", "message": "成功"})
    return JSONResponse({"code": "FAIL", "message": message}, status_code=400)


def build_payments_router(orders: OrderService, sandbox: SandboxPaymentProvider | None) -> APIRouter:
    router = APIRouter(tags=["payments"])

    async def process(provider: str, headers: Mapping[str, str], body: bytes) -> Response:
        try:
            await orders.handle_payment_callback(provider, headers, body)
        except UnknownPayment:
            return JSONResponse({"code": "FAIL", "message": f"unknown provider {provider}"}, status_code=404)
        except PaymentVerificationError as exc:
            return JSONResponse({"code": "FAIL", "message": f"verification failed: {exc}"}, status_code=401)
        except PaymentAmountMismatch as exc:
            return _ack(provider, False, str(exc))
        return _ack(provider, True)

    @router.post("/payments/{provider}/notify")
    async def notify(provider: str, request: Request) -> Response:
        """A payment provider's asynchronous notification (signed)."""
        return await process(canonical_provider_name(provider), dict(request.headers), await request.body())

    if sandbox is None:  # SANDBOX off: no pay page (its buttons pay without any money moving)
        return router

    async def _sandbox_order(payment_id: str) -> tuple[str, Order] | None:
        if sandbox is None:
            return None
        try:
            payment, order = await orders.payment_view(payment_id)
        except (UnknownPayment, OrderNotFound):
            return None
        if payment.provider != sandbox.name:
            return None
        if not sandbox.knows(payment_id):  # the sandbox forgets its payments at restart
            await sandbox.create_payment(payment_id, payment.amount, order.lines[0].title)
        return payment_id, order

    @router.get("/pay/{payment_id}", response_class=HTMLResponse)
    async def pay_page(payment_id: str) -> Response:
        """The sandbox checkout page."""
        found = await _sandbox_order(payment_id)
        if found is None:
            return JSONResponse({"detail": f"unknown payment {payment_id}"}, status_code=404)
        return render_pay_page(payment_id, found[1], await orders.checkout_orders(found[1]))

    @router.post("/pay/{payment_id}", response_class=HTMLResponse)
    async def pay_confirm(payment_id: str, method: str = Form(...)) -> Response:
        found = await _sandbox_order(payment_id)
        if found is None or sandbox is None:
            return JSONResponse({"detail": f"unknown payment {payment_id}"}, status_code=404)
        if method not in PAYMENT_METHODS:
            return JSONResponse({"detail": f"unknown method {method}"}, status_code=422)
        headers, body = sandbox.pay(payment_id, method)
        answer = await process(sandbox.name, headers, body)
        order = await orders.get(found[1].id)
        group = await orders.checkout_orders(order)
        lang = _lang(order)
        t = PAGE_TEXT[lang]
        if answer.status_code != 200:
            return _page(
                lang,
                t["title"],
                f"<h1>{t['title']}</h1><p>{html.escape(bytes(answer.body).decode())}</p>",
                status=answer.status_code,
            )
        return _page(
            lang,
            t["done"],
            f"<h1>{t['done']}</h1><p>{t['order']} {' · '.join(o.id for o in group)} — "
            f"{format_money(sum((o.total for o in group), Decimal(0)), lang, order.currency)}</p>"
            f"<p>{t['back']}</p>",
        )

    return router


__all__ = ["UnsupportedPaymentMethod", "build_payments_router", "render_pay_page"]
