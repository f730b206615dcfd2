"""Telegram channel: real Update JSON through the webhook, Bot API calls captured by a local stub."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from telegram.ext import AIORateLimiter

from bot.channels.store import InMemoryChannelStore
from bot.channels.telegram import TelegramChannel, TelegramConfig, escape
from bot.push import ChannelSendError
from dialogue.messages import Button, IncomingMessage, Reply
from tests.bot.channels.botapi_stub import BOT_USER, BotApiStub
from tests.bot.channels.servers import serve

TOKEN = "123456:TEST-token_abc"
SECRET = "s3cret-token"
LONG_PAYLOAD = '/buy{"product_id": "jd-100012345678", "quantity": 2, "attribute": "256G 黑色"}'


class FakeTurns:
    """A turn handler whose replies depend on the text, recording what it was given."""

    def __init__(self) -> None:
        self.seen: list[IncomingMessage] = []

    async def __call__(self, message: IncomingMessage) -> list[Reply]:
        self.seen.append(message)
        text = message.text
        if text == "buttons":
            return [
                Reply(
                    text="Pick one:",
                    buttons=(Button("First", '/show_details{"ordinal": 1}'), Button("Buy", LONG_PAYLOAD)),
                )
            ]
        if text == "chart":
            return [Reply(text="Price history (1.5x drop!)", image="/charts/p1.png")]
        if text == "product":
            item = {
                "id": "jd-1",
                "title": "Huawei MateBook 14",
                "platform": "jd",
                "price": "5999.00",
                "currency": "CNY",
                "image_url": "https://img.example.cn/jd-1.jpg",
            }
            return [Reply(text="MateBook 14: 16G/1T", custom={"type": "product", "item": item})]
        if text in ("耳机", "earphones"):  # a product list: photos, one header line, buttons per product
            zh = text == "耳机"
            items = [{"id": f"p{n}", "title": f"{'耳机' if zh else 'Earbuds'} {n}", "platform": "jd", "price": f"{n}99.00",
                      "currency": "CNY", "image_url": f"/demo/images/p{n}.png"} for n in (1, 2, 3)]
            header = "全网找到 3 件商品,先给你看 3 件:" if zh else "Found 3 products across the platforms; here are 3:"
            lines = [header] + [f"{n}. {it['title']} — ¥{it['price']}" for n, it in enumerate(items, 1)]
            chips = (Button("Under ¥200", '/refine_search{"price_max": 200}'),
                     Button("Details #1", '/show_details{"ordinal": 1, "product_id": "p1"}'),
                     Button("Next page", '/refine_search{"page": "next"}'))
            return [Reply(text="\n".join(lines), buttons=chips, custom={"type": "products", "items": items})]
        if text == "long":
            return [Reply(text="\n".join(f"line {i:04d} " + "x" * 40 for i in range(200)))]
        if text == "boom":
            raise RuntimeError("dialogue bug")
        return [Reply(text=f"echo: {text} (1+1=2!)")]


def user(lang: str = "en") -> dict[str, Any]:
    return {"id": 42, "is_bot": False, "first_name": "Li", "last_name": "Lei", "language_code": lang}


CHAT = {"id": 42, "type": "private", "first_name": "Li"}


def message_update(uid: int, text: str | None = None, lang: str = "en", **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"message_id": uid + 1000, "date": 1763870000, "chat": CHAT, "from": user(lang)}
    if text is not None:
        msg["text"] = text
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    msg.update(extra)
    return {"update_id": uid, "message": msg}


def callback_update(uid: int, data: str) -> dict[str, Any]:
    return {
        "update_id": uid,
        "callback_query": {
            "id": f"cbq-{uid}",
            "from": user(),
            "chat_instance": "ci-1",
            "data": data,
            "message": {"message_id": 77, "date": 1763870000, "chat": CHAT, "from": BOT_USER, "text": "Pick one:"},
        },
    }


@pytest.fixture
async def stub() -> AsyncIterator[tuple[BotApiStub, str]]:
    api = BotApiStub(TOKEN)
    async with serve(api.app()) as url:
        yield api, url


@pytest.fixture
async def telegram(stub) -> AsyncIterator[tuple[TelegramChannel, BotApiStub, httpx.AsyncClient, FakeTurns]]:
    api, url = stub
    turns = FakeTurns()
    config = TelegramConfig(TOKEN, SECRET, url, public_url="https://shop.example.cn")
    channel = TelegramChannel(config, turns, store=InMemoryChannelStore())
    await channel.start()
    app = FastAPI()
    app.include_router(channel.router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield channel, api, client, turns
    await channel.stop()


async def post(client: httpx.AsyncClient, update: Any, secret: str | None = SECRET) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    body = update if isinstance(update, bytes | str) else json.dumps(update)
    return await client.post("/webhooks/telegram", content=body, headers=headers)


async def test_start_registers_the_webhook_with_the_secret(telegram) -> None:
    _, api, _, _ = telegram
    assert [c.method for c in api.calls[:2]] == ["getMe", "setWebhook"]
    assert api.calls[1].params == {
        "url": "https://shop.example.cn/webhooks/telegram",
        "secret_token": SECRET,
        "allowed_updates": ["message", "callback_query"],
    }


async def test_text_message_is_answered_with_escaped_markdown(telegram) -> None:
    _, api, client, turns = telegram
    resp = await post(client, message_update(1, "hello_world", lang="zh-hans"))
    assert resp.status_code == 200
    [call] = api.outgoing()
    assert call.method == "sendMessage"
    assert call.params == {
        "chat_id": "42",
        "text": "echo: hello\\_world \\(1\\+1\\=2\\!\\)",
        "parse_mode": "MarkdownV2",
    }
    [msg] = turns.seen
    assert (msg.channel, msg.sender_id, msg.text, msg.language) == ("telegram", "42", "hello_world", "zh")
    assert msg.metadata["display_name"] == "Li Lei"
    assert msg.metadata["channel"] == "telegram" and msg.metadata["sender_id"] == "42"


async def test_start_and_help_commands_become_intents(telegram) -> None:
    _, api, client, turns = telegram
    await post(client, message_update(1, "/start"))
    await post(client, message_update(2, "/help@shopbot_test_bot"))
    assert [m.text for m in turns.seen] == ["/greet", "/help"]
    assert [c.params["text"] for c in api.outgoing()] == ["echo: /greet \\(1\\+1\\=2\\!\\)", "echo: /help \\(1\\+1\\=2\\!\\)"]


async def test_a_start_link_carrying_a_share_opens_the_shared_product(telegram) -> None:
    from dialogue.messages import button_payload

    _, _, client, turns = telegram
    await post(client, message_update(1, "/start sAbCdEf123"))  # t.me/<bot>?start=sAbCdEf123
    await post(client, message_update(2, "/start not-a-share"))
    assert [m.text for m in turns.seen] == [button_payload("open_share", share_id="sAbCdEf123"), "/greet"]


async def test_buttons_are_an_inline_keyboard_and_long_payloads_round_trip(telegram) -> None:
    _, api, client, turns = telegram
    await post(client, message_update(1, "buttons"))
    [call] = api.outgoing()
    keyboard = call.params["reply_markup"]["inline_keyboard"]
    assert keyboard[0] == [{"text": "First", "callback_data": '/show_details{"ordinal": 1}'}]
    long_data = keyboard[1][0]["callback_data"]
    assert long_data.startswith("k:") and len(long_data.encode()) <= 64

    api.calls.clear()
    assert (await post(client, callback_update(2, long_data))).status_code == 200
    assert turns.seen[-1].text == LONG_PAYLOAD
    assert [c.method for c in api.outgoing()] == ["answerCallbackQuery", "sendMessage"]
    assert api.outgoing()[0].params == {"callback_query_id": "cbq-2"}

    await post(client, callback_update(3, '/show_details{"ordinal": 1}'))
    assert turns.seen[-1].text == '/show_details{"ordinal": 1}'


async def test_chart_image_and_product_photo(telegram) -> None:
    _, api, client, _ = telegram
    await post(client, message_update(1, "chart"))
    await post(client, message_update(2, "product"))
    calls = [(c.method, c.params) for c in api.outgoing()]
    assert calls == [
        ("sendPhoto", {"chat_id": "42", "photo": "https://shop.example.cn/charts/p1.png"}),
        ("sendMessage", {"chat_id": "42", "text": "Price history \\(1\\.5x drop\\!\\)", "parse_mode": "MarkdownV2"}),
        (
            "sendPhoto",
            {
                "chat_id": "42",
                "photo": "https://img.example.cn/jd-1.jpg",
                "caption": "Huawei MateBook 14 · ¥5,999\\.00 · jd",
                "parse_mode": "MarkdownV2",
            },
        ),
        ("sendMessage", {"chat_id": "42", "text": "MateBook 14: 16G/1T", "parse_mode": "MarkdownV2"}),
    ]


async def test_a_product_list_is_an_album_and_a_keyboard_per_product(telegram) -> None:
    """A shopper on Telegram sees a list once: the product photos as one album (each captioned
    with its number, title, price and platform), then the one-line header with Details / Buy for
    each product (carrying the product's id) and the list's own chips; pressing Buy #2 sends the
    second product's id back, whatever list is newest."""
    _, api, client, turns = telegram
    await post(client, message_update(1, "earphones"))
    album, header = api.outgoing()
    assert album.method == "sendMediaGroup" and album.params["chat_id"] == "42"
    assert [m["media"] for m in album.params["media"]] == [
        f"https://shop.example.cn/demo/images/p{n}.png" for n in (1, 2, 3)]
    assert [m["caption"] for m in album.params["media"]] == [
        "1\\. Earbuds 1 · ¥199\\.00 · jd", "2\\. Earbuds 2 · ¥299\\.00 · jd", "3\\. Earbuds 3 · ¥399\\.00 · jd"]
    assert header.method == "sendMessage"
    assert header.params["text"] == "Found 3 products across the platforms; here are 3:"  # the list once, not twice
    keyboard = header.params["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in keyboard] == [
        ["Details #1", "Buy #1"], ["Details #2", "Buy #2"], ["Details #3", "Buy #3"], ["Under ¥200", "Next page"]]
    buy_second = keyboard[1][1]["callback_data"]

    api.calls.clear()
    await post(client, callback_update(2, buy_second))
    assert turns.seen[-1].text == '/buy{"ordinal": 2, "product_id": "p2"}'

    api.calls.clear()
    await post(client, message_update(3, "耳机", lang="zh-hans"))
    album, header = api.outgoing()
    assert header.params["text"].startswith("全网找到 3 件商品")
    assert [b["text"] for b in header.params["reply_markup"]["inline_keyboard"][0]] == ["第1个详情", "买第1个"]


async def test_a_product_list_whose_photos_cannot_be_sent_is_the_full_text(telegram) -> None:
    _, api, client, _ = telegram
    api.fail_methods["sendMediaGroup"] = (400, "Bad Request: wrong file identifier/HTTP URL specified")
    await post(client, message_update(1, "earphones"))
    calls = api.outgoing()
    assert [c.method for c in calls] == ["sendMediaGroup", "sendMessage"]
    assert "2\\. Earbuds 2" in calls[1].params["text"]  # every line, as text


async def test_long_text_is_split_under_the_limit_without_losing_lines(telegram) -> None:
    _, api, client, _ = telegram
    await post(client, message_update(1, "long"))
    texts = [c.params["text"] for c in api.outgoing()]
    assert len(texts) == 3
    assert all(len(t) <= 4096 for t in texts)
    lines = "\n".join(texts).splitlines()
    assert lines[0].startswith("line 0000") and lines[-1].startswith("line 0199") and len(lines) == 200


@pytest.mark.parametrize(
    ("extra", "lang", "expected"),
    [
        ({"sticker": {"file_id": "s1", "file_unique_id": "su1", "type": "regular", "width": 512,
                      "height": 512, "is_animated": False, "is_video": False}}, "en",
         "Sorry, I can read text only\\. Please tell me in words what you are looking for\\."),
        ({"voice": {"file_id": "v1", "file_unique_id": "vu1", "duration": 3}}, "zh-hans",
         "抱歉,我只能看懂文字,请用文字告诉我你想买什么。"),
    ],
)
async def test_stickers_and_voice_get_a_polite_text_only_reply(telegram, extra, lang, expected) -> None:
    _, api, client, turns = telegram
    resp = await post(client, message_update(1, None, lang=lang, **extra))
    assert resp.status_code == 200
    assert [(c.method, c.params["text"]) for c in api.outgoing()] == [("sendMessage", expected)]
    assert turns.seen == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (json.dumps({"message": {"text": "no update id"}}), 400),
        (json.dumps({"update_id": 9, "message": {"text": "no chat, no date"}}), 400),
        (json.dumps({"update_id": 9, "poll_answer_v9": {"x": 1}}), 200),
        (json.dumps({"update_id": 10, "edited_message": message_update(10, "edit")["message"]}), 200),
        # the body is validated before python-telegram-bot reads it: wrong types are a 400, not a turn
        (json.dumps({"update_id": "11", "message": message_update(11, "hi")["message"]}), 400),
        (json.dumps({"update_id": -1, "message": message_update(12, "hi")["message"]}), 400),
        (json.dumps({"update_id": 13, "message": {**message_update(13, "hi")["message"], "chat": {"id": "me"}}}), 400),
        (json.dumps({"update_id": 14, "message": {**message_update(14, "hi")["message"], "text": 42}}), 400),
        (json.dumps({"update_id": 15, "message": message_update(15, "x" * 4097)["message"]}), 400),
        (json.dumps({"update_id": 16, "callback_query": {"id": "c", "from": {"id": "who"}, "data": "/greet"}}), 400),
    ],
)
async def test_malformed_and_unknown_updates_are_clean(telegram, body, status) -> None:
    _, api, client, turns = telegram
    resp = await post(client, body)
    assert resp.status_code == status
    assert api.outgoing() == [] and turns.seen == []


@pytest.mark.parametrize("secret", [None, "wrong", ""])
async def test_wrong_secret_token_is_forbidden(telegram, secret) -> None:
    _, api, client, turns = telegram
    resp = await post(client, message_update(1, "hello"), secret=secret)
    assert resp.status_code == 403
    assert api.outgoing() == [] and turns.seen == []


async def test_a_failing_turn_never_becomes_a_500(telegram) -> None:
    _, api, client, _ = telegram
    resp = await post(client, message_update(1, "boom"))
    assert resp.status_code == 200
    assert api.outgoing() == []


async def test_sender_pushes_and_reports_failures(telegram) -> None:
    channel, api, _, _ = telegram
    await channel.sender.send("42", [Reply(text="Your parcel is out for delivery.")])
    assert api.outgoing()[-1].params == {
        "chat_id": "42",
        "text": escape("Your parcel is out for delivery."),
        "parse_mode": "MarkdownV2",
    }
    api.fail_methods["sendMessage"] = (400, "Bad Request: chat not found")
    with pytest.raises(ChannelSendError):
        await channel.sender.send("43", [Reply(text="hi")])


async def test_polling_reads_get_updates_and_answers(stub) -> None:
    api, url = stub
    turns = FakeTurns()
    channel = TelegramChannel(TelegramConfig(TOKEN, None, url), turns, polling=True,
                              rate_limiter=AIORateLimiter())
    stop = asyncio.Event()
    task = asyncio.create_task(channel.run_polling(stop))
    api.push_update(message_update(5, "from polling"))
    [call] = await api.wait_for("sendMessage")
    stop.set()
    await asyncio.wait_for(task, 10)
    assert call.params["text"] == "echo: from polling \\(1\\+1\\=2\\!\\)"
    assert "deleteWebhook" in [c.method for c in api.calls]


async def test_an_image_telegram_cannot_fetch_becomes_a_link_and_the_text_still_arrives(telegram) -> None:
    _, api, client, _ = telegram
    api.fail_methods["sendPhoto"] = (400, "Bad Request: wrong file identifier/HTTP URL specified")
    assert (await post(client, message_update(1, "chart"))).status_code == 200
    assert [(c.method, c.params.get("text")) for c in api.outgoing()] == [
        ("sendPhoto", None),
        ("sendMessage", "https://shop\\.example\\.cn/charts/p1\\.png"),
        ("sendMessage", "Price history \\(1\\.5x drop\\!\\)"),
    ]


async def test_relative_images_without_a_public_url_are_left_out(stub) -> None:
    api, url = stub
    channel = TelegramChannel(TelegramConfig(TOKEN, None, url), FakeTurns())
    await channel.start()
    await channel.sender.send("42", [Reply(text="chart", image="/charts/p1.png")])
    await channel.stop()
    assert [(c.method, c.params["text"]) for c in api.outgoing()] == [("sendMessage", "chart")]
    assert "setWebhook" not in [c.method for c in api.calls]


async def test_service_messages_are_not_answered(telegram) -> None:
    _, api, client, turns = telegram
    joined = message_update(1, None, new_chat_members=[{"id": 99, "is_bot": False, "first_name": "Wang"}])
    assert (await post(client, joined)).status_code == 200
    assert api.outgoing() == [] and turns.seen == []
