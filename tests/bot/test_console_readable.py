"""What staff read in the console: statuses and ticket types in words (zh/en), button presses
as what the shopper chose, and the bot's collected data as a profile instead of JSON."""

from __future__ import annotations

import json

import pytest

from bot.console.readable import readable_transcript, search_in_words
from integrations.memory.clock import FakeClock
from tests.bot.test_console_api import console_env, shopper_asks


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_button_press_reads_as_what_the_shopper_chose():
    press = '/inform{"payment_method": "wechat_pay"}'
    transcript = [
        {"from": "user", "text": "下单", "time": 1.0},
        {"from": "bot", "text": "怎么付款?", "time": 2.0,
         "reply": {"text": "怎么付款?", "buttons": [{"title": "支付宝", "payload": '/inform{"payment_method": "alipay"}'},
                                                {"title": "微信支付", "payload": press}]}},
        {"from": "user", "text": press, "time": 3.0},
        {"from": "user", "text": '/choose{"platform": "jd"}', "time": 4.0},  # no button shown for these
        {"from": "user", "text": '/inform{"payment_method": "alipay"}', "time": 5.0},  # its button was shown
        {"from": "user", "text": '/inform{"service_type": "return"}', "time": 6.0},
    ]
    zh = readable_transcript(transcript, "zh")
    assert [line["shown"] for line in zh] == ["下单", "怎么付款?", "选了 微信支付", "选了 京东", "选了 支付宝", "选了 退货"]
    assert [line["chose"] for line in zh] == [False, False, True, True, True, True]
    en = readable_transcript(transcript, "en")
    assert [line["shown"] for line in en[2:]] == ["chose 微信支付", "chose JD", "chose 支付宝", "chose Return"]
    assert not any(json.dumps(line["shown"], ensure_ascii=False).count("{") for line in zh)


def test_the_last_search_in_words():
    search = {"product": "手机", "brand": "Apple", "category": None, "price_min": None, "price_max": "3000",
              "platforms": ["jd", "pdd"], "sort_by": "sales", "page": 1, "page_size": 5}
    assert search_in_words(search, "zh") == "Apple 手机 · 3000 元以内 · 在 京东、拼多多 · 按销量排序"
    assert search_in_words(search, "en") == "Apple 手机 · up to ¥3000 · on JD, Pinduoduo · sorted by sales"
    assert search_in_words(None, "zh") is None


async def test_staff_see_ticket_types_statuses_and_a_profile_in_words(settings, clock, sqlite_url):
    from tests.orders_harness import build_world, paid_order

    world = await build_world(sqlite_url)
    try:
        async with console_env(settings, clock, aftersales=world.c.tickets, orders=world.orders) as (app, _new, login):
            hid = await shopper_asks(app, "u1", "转人工")
            shopper = await app.state.runtime.services.shoppers.by_identity("rest", "u1")
            await app.state.runtime.services.shoppers.update_profile(shopper.id, address="上海市浦东新区世纪大道 1 号")
            order = await paid_order(world, shopper=shopper.id)
            ticket = await world.c.tickets.open_ticket(order.id, 0, "return", "屏幕有坏点", shopper.id)
            alice = await login("alice")

            listed = (await alice.get("/tickets")).json()["tickets"]
            assert [(t["ticket_id"], t["service_label"], t["status_label"]) for t in listed] == [
                (ticket.id, "退货", "已提交")]
            in_en = (await alice.get("/tickets?lang=en")).json()["tickets"][0]
            assert (in_en["service_label"], in_en["status"]) == ("Return", "open") and in_en["status_label"] != "open"

            detail = (await alice.get(f"/handoffs/{hid}")).json()
            sections = {s["key"]: s for s in detail["collected"]["profile"]}
            assert sections["address"]["lines"] == ["上海市浦东新区****"]  # masked (a supervisor may reveal it)
            assert sections["address"]["reveal"] == ["address"]
            assert sections["orders"]["title"] == "订单"
            assert sections["orders"]["lines"][0].startswith(order.id + " · ")
            assert "created" not in sections["orders"]["lines"][0] and "paid" not in sections["orders"]["lines"][0]
            assert sections["tickets"]["lines"] == [f"{ticket.id} · 退货 · 已提交(订单 {order.id})"]
            assert all("{" not in line for s in sections.values() for line in s["lines"])
            assert [line["shown"] for line in detail["transcript"] if line["from"] == "user"] == ["转人工"]
            en = (await alice.get(f"/handoffs/{hid}?lang=en")).json()["collected"]["profile"]
            assert {s["key"]: s["title"] for s in en}["tickets"] == "Tickets"
    finally:
        await world.engine.dispose()


async def test_the_queue_shows_who_waits_where_what_they_said_and_for_how_long(settings, clock):
    from datetime import timedelta

    async with console_env(settings, clock) as (app, _new, login):
        shoppers = app.state.runtime.services.shoppers
        first = await shopper_asks(app, "w3b2c9d0e1f2", "转人工")
        named = await shoppers.by_identity("rest", "w3b2c9d0e1f2")
        await shoppers.update_profile(named.id, display_name="李雷")
        await shopper_asks(app, "w3b2c9d0e1f2", "我的订单三天没发货")  # said while waiting
        clock.advance(timedelta(minutes=3))
        second = await shopper_asks(app, "a7f0guest9x1k", "talk to a human")
        alice = await login("alice")

        waiting = (await alice.get("/queues")).json()["waiting"]
        assert [h["id"] for h in waiting] == [first, second]
        lilei, guest = waiting
        assert (lilei["display_name"], lilei["channel_label"], lilei["language"]) == ("李*", "接口", "zh")
        assert lilei["last_message"] == "我的订单三天没发货"
        assert (lilei["waiting_seconds"], lilei["sla"]) == (180, "amber")
        assert guest["display_name"] == "访客 ·9x1k"
        assert "a7f0guest9x1k" not in guest["display_name"] and guest["sla"] == "ok"
        assert guest["last_message"] == "talk to a human"

        clock.advance(timedelta(minutes=3))
        again = (await alice.get("/queues?lang=en")).json()["waiting"]
        assert [(h["sla"], h["channel_label"]) for h in again] == [("red", "API"), ("amber", "API")]
        assert again[1]["display_name"].startswith("Guest ·")

        await alice.post(f"/handoffs/{first}/take")
        queues = (await alice.get("/queues")).json()
        assert [h["display_name"] for h in queues["mine"]] == ["李*"] and queues["mine"][0]["sla"] is None
        detail = (await alice.get(f"/handoffs/{first}")).json()
        assert detail["handoff"]["display_name"] == "李*"
