"""Words staff can read: button presses as what the shopper chose, localised ticket and order
statuses, and the bot's collected data as a profile (lines of text, not JSON).

Times stay machine-readable (ISO 8601 with offset, epoch seconds in the transcript): the
console page shows them in the browser's time zone.
"""

from __future__ import annotations

import json
from typing import Any

from dialogue.presentation.money import format_money
from dialogue.presentation.products import platform_name
from dialogue.responses import load_catalog
from shop.masking import mask_value
from shop.parcels import carrier_name

LANGS = ("zh", "en")

# Console words (the shopper-facing ones come from the response catalogs).
WORDS = {
    "zh": {"chose": "选了 {what}", "orders": "订单", "tickets": "售后", "alerts": "降价提醒",
           "address": "地址", "last_search": "最近搜索", "cart": "购物车", "name": "称呼", "phone": "电话", "email": "邮箱",
           "price_max": "{max} 元以内", "price_min": "{min} 元以上", "price_range": "{min}–{max} 元",
           "on": "在 {platforms}", "sort": "按{sort}排序", "items": "{n} 件", "order_line": "{id} · {status} · {total}",
           "ticket_line": "{id} · {service} · {status}(订单 {order})", "alert_line": "{product} · {target}",
           "none": "无", "photo": "发来一张照片", "return_parcel": " · 退货快递 {carrier} {number}"},
    "en": {"chose": "chose {what}", "orders": "Orders", "tickets": "Tickets", "alerts": "Price alerts",
           "address": "Address", "last_search": "Last search", "cart": "Cart", "name": "Name", "phone": "Phone",
           "email": "E-mail",
           "price_max": "up to ¥{max}", "price_min": "from ¥{min}", "price_range": "¥{min}–¥{max}",
           "on": "on {platforms}", "sort": "sorted by {sort}", "items": "{n} items",
           "order_line": "{id} · {status} · {total}", "ticket_line": "{id} · {service} · {status} (order {order})",
           "alert_line": "{product} · {target}", "none": "none", "photo": "sent a photo",
           "return_parcel": " · return parcel {carrier} {number}"},
}
SORTS = {"zh": {"price_asc": "价格从低到高", "price_desc": "价格从高到低", "sales": "销量", "rating": "评分"},
         "en": {"price_asc": "price, low to high", "price_desc": "price, high to low", "sales": "sales",
                "rating": "rating"}}


def _money(value: Any) -> str:
    """¥5,219.00 as the shopper reads it; the raw value when it is not an amount."""
    try:
        return format_money(value)
    except (ArithmeticError, TypeError, ValueError):
        return str(value)


def lang_of(language: str | None) -> str:
    return language if language in LANGS else "zh"


def _label(catalog: dict[str, Any], key: str, raw: Any) -> str:
    value = catalog.get(key)
    return str(value) if isinstance(value, str) else str(raw)


def ticket_labels(ticket: dict[str, Any], language: str | None) -> dict[str, str]:
    """`service_label` and `status_label` of a ticket payload, in the catalog's words."""
    catalog = load_catalog(lang_of(language))
    return {"service_label": _label(catalog, f"service_{ticket.get('service_type')}", ticket.get("service_type")),
            "status_label": _label(catalog, f"ticket_status_{ticket.get('status')}", ticket.get("status"))}


def order_status_label(status: Any, language: str | None) -> str:
    return _label(load_catalog(lang_of(language)), f"order_status_{status}", status)


# entity → the catalog key of its value's words (for a press whose button is not in the transcript)
ENTITY_WORDS = {"payment_method": "pay_{}", "service_type": "service_{}", "status": "order_status_{}"}


def _value_words(entity: str, value: Any, lang: str) -> str:
    if entity == "platform":
        return platform_name(str(value), lang)
    if entity in ENTITY_WORDS:
        return _label(load_catalog(lang), ENTITY_WORDS[entity].format(value), value)
    return str(value)


def _photo_url(text: str) -> str | None:
    """`/photo{"url": "/photos/x.jpg"}` → "/photos/x.jpg"; None for anything else."""
    if not text.startswith("/photo{"):
        return None
    try:
        url = json.loads(text[len("/photo"):]).get("url")
    except (ValueError, AttributeError):
        return None
    return url if isinstance(url, str) and url.startswith("/photos/") else None


def _payload_values(text: str, lang: str = "zh") -> str | None:
    """`/inform{"payment_method": "wechat_pay"}` → "微信支付"; None when not a payload."""
    if not text.startswith("/"):
        return None
    name, brace, rest = text[1:].partition("{")
    if not brace:
        return name.replace("_", " ") if name and " " not in name else None
    try:
        entities = json.loads("{" + rest)
    except ValueError:
        return None
    if not isinstance(entities, dict):
        return None
    values = [_value_words(k, v, lang) for k, v in entities.items() if v not in (None, "")]
    return " ".join(values) or name.replace("_", " ")


def readable_transcript(lines: list[dict[str, Any]], language: str | None) -> list[dict[str, Any]]:
    """Each line gains `shown`: the text to show; a button press shows the button the shopper chose."""
    words = WORDS[lang_of(language)]
    buttons: dict[str, str] = {}  # payload → title of the buttons shown so far (the latest wins)
    out = []
    for line in lines:
        text = line.get("text") or ""
        shown = text
        photo = _photo_url(text) if line.get("from") == "user" else None
        if photo is not None:
            out.append(line | {"shown": words["photo"], "chose": False, "image": photo})
            continue
        if line.get("from") == "user" and text.startswith("/"):
            title = buttons.get(text.strip())
            what = title if title is not None else _payload_values(text.strip(), lang_of(language))
            if what is not None:
                shown = words["chose"].format(what=what)
        elif line.get("from") != "user":
            for b in (line.get("reply") or {}).get("buttons") or ():
                if isinstance(b, dict) and b.get("payload"):
                    buttons[str(b["payload"]).strip()] = str(b.get("title") or b["payload"])
        out.append(line | {"shown": shown, "chose": shown != text})
    return out


def search_in_words(search: dict[str, Any] | None, language: str | None) -> str | None:
    """The last search as a phrase: "Apple 手机 · 3000 元以内 · 在 京东 · 按销量排序"."""
    if not search:
        return None
    lang = lang_of(language)
    words = WORDS[lang]
    parts = [" ".join(str(x) for x in (search.get("brand"), search.get("product") or search.get("category")) if x)]
    low, high = search.get("price_min"), search.get("price_max")
    if low and high:
        parts.append(words["price_range"].format(min=low, max=high))
    elif high:
        parts.append(words["price_max"].format(max=high))
    elif low:
        parts.append(words["price_min"].format(min=low))
    if search.get("platforms"):
        names = [platform_name(p, lang) for p in search["platforms"]]
        parts.append(words["on"].format(platforms="、".join(names) if lang == "zh" else ", ".join(names)))
    if search.get("sort_by"):
        parts.append(words["sort"].format(sort=SORTS[lang].get(search["sort_by"], search["sort_by"])))
    return " · ".join(p for p in parts if p) or None


def profile(collected: dict[str, Any], shopper: Any, language: str | None) -> list[dict[str, Any]]:
    """Sections of {"key", "title", "lines"} for the side panel; sections with nothing are left out."""
    lang = lang_of(language)
    words = WORDS[lang]
    sections: list[dict[str, Any]] = []

    def add(key: str, lines: list[str]) -> None:
        if lines:
            sections.append({"key": key, "title": words[key], "lines": lines})

    def personal(key: str, fields: tuple[str, ...]) -> None:
        """Masked lines; `reveal[i]`: the field a supervisor may reveal for line i."""
        found = [(f, str(v)) for f in fields if (v := getattr(shopper, f, None))]
        if found:
            sections.append({"key": key, "title": words[key], "lines": [mask_value(f, v) for f, v in found],
                             "reveal": [f for f, _ in found]})

    personal("name", ("display_name", "receiver_name"))
    personal("phone", ("phone",))
    personal("email", ("email",))
    personal("address", ("address",))
    add("last_search", [s for s in (search_in_words(collected.get("last_search"), lang),) if s])
    cart = collected.get("cart")
    if isinstance(cart, dict) and cart.get("items"):
        add("cart", [f"{i.get('title', i.get('product_id', ''))} ×{i.get('quantity', 1)}" for i in cart["items"]
                     if isinstance(i, dict)])
    add("orders", [words["order_line"].format(id=o.get("order_id"), status=o.get("status_label", o.get("status")),
                                              total=_money(o.get("total"))) for o in collected.get("orders") or ()])
    add("tickets", [words["ticket_line"].format(id=t.get("ticket_id"), service=t.get("service_label"),
                                                status=t.get("status_label"), order=t.get("order_id"))
                    + (words["return_parcel"].format(carrier=carrier_name(p["carrier_code"], lang),
                                                     number=p["tracking_number"])
                       if isinstance(p := t.get("return_parcel"), dict) else "")
                    for t in collected.get("tickets") or ()])
    add("alerts", [words["alert_line"].format(product=a.get("product_title") or a.get("product_id"),
                                              target=_money(a.get("target_price")))
                   for a in collected.get("alerts") or ()])
    return sections


CHANNELS = {"zh": {"webchat": "网页", "telegram": "Telegram", "wechat": "微信", "rest": "接口"},
            "en": {"webchat": "Web chat", "telegram": "Telegram", "wechat": "WeChat", "rest": "API"}}
GUEST = {"zh": "访客", "en": "Guest"}
TEAMS = {"zh": {"pre_sales": "售前", "after_sales": "售后"}, "en": {"pre_sales": "Pre-sales", "after_sales": "After-sales"}}
LAST_MESSAGE_CHARS = 80


def display_name(shopper: Any, channel: str, recipient_id: str, language: str | None) -> str:
    """The shopper's name masked (李*) when known, else "访客 ·3f9a" (never the whole sender id)."""
    for name in (getattr(shopper, "display_name", None), getattr(shopper, "receiver_name", None)):
        if name:
            return mask_value("display_name", str(name))
    return f"{GUEST[lang_of(language)]} ·{recipient_id[-4:]}"


def sla_state(waited_seconds: float, amber_seconds: float, red_seconds: float) -> str:
    """ok, amber or red: how long the shopper has waited against the console's SLA."""
    if waited_seconds >= red_seconds:
        return "red"
    return "amber" if waited_seconds >= amber_seconds else "ok"


def queue_row(request: Any, transcript: list[dict[str, Any]], shopper: Any, now: Any, *, amber_seconds: float,
              red_seconds: float, language: str | None) -> dict[str, Any]:
    """A queue entry as staff read it: who, where, what they said last, how long they have waited."""
    lang = lang_of(language)
    said = [line for line in readable_transcript(transcript, lang) if line.get("from") == "user"]
    last = said[-1] if said else None
    text = (last or {}).get("shown") or ""
    if len(text) > LAST_MESSAGE_CHARS:
        text = text[:LAST_MESSAGE_CHARS - 1] + "…"
    waited = max(0.0, (now - request.requested_at).total_seconds()) if request.waiting else None
    return request.to_dict() | {
        "display_name": display_name(shopper, request.channel, request.recipient_id, lang),
        "channel_label": CHANNELS[lang].get(request.channel, request.channel),
        "team_label": TEAMS[lang].get(request.team or "", None),
        "last_message": text or None, "last_message_at": (last or {}).get("time"),
        "waiting_seconds": None if waited is None else int(waited),
        "sla": None if waited is None else sla_state(waited, amber_seconds, red_seconds),
    }
