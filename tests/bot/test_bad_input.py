"""Bad input is a 4xx with a JSON error, never a 5xx: deep nesting, lone surrogates, odd bodies."""

from __future__ import annotations

import pytest

from bot.channels.wechat_guard import signature
from tests.bot.channels.test_telegram import message_update, post, stub, telegram  # noqa: F401  (fixtures)
from tests.bot.channels.test_wechat import TOKEN, Env, env, text_xml  # noqa: F401  (env: fixture)

DEEP = "[" * 20_000 + "]" * 20_000
DEEP_OBJECT = "{\"a\":" * 10_000 + "1" + "}" * 10_000  # 60 KB, under the 64 KiB body limit
LONE = '"\\ud800"'  # valid JSON text: a lone UTF-16 surrogate, which no UTF-8 encoder accepts


@pytest.mark.parametrize("body", [
    DEEP,
    DEEP_OBJECT,
    '{"sender": "u1", "message": "hi", "metadata": {"x": ' + DEEP + "}}",
    '{"sender": "u1", "message": ' + LONE + "}",
    '{"sender": ' + LONE + ', "message": "hi"}',
    '{"sender": "u1", "message": "hi", "metadata": {' + LONE + ": 1}}",
], ids=["deep-array", "deep-object", "deep-metadata", "surrogate-message", "surrogate-sender", "surrogate-key"])
async def test_the_rest_webhook_refuses_deep_or_unencodable_json(app_client, body):
    r = await app_client.post("/webhooks/rest/webhook", content=body.encode(),
                              headers={"content-type": "application/json"})
    assert r.status_code == 400 and "error" in r.json()
    assert "\\ud800" not in r.text


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, '{"text": ' + LONE + "}",
                                  '{"text": "hi", "message_id": ' + LONE + "}"],
                         ids=["deep-array", "deep-object", "surrogate-text", "surrogate-id"])
async def test_model_parse_refuses_deep_or_unencodable_json(app_client, body):
    r = await app_client.post("/model/parse", content=body.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 400 and "error" in r.json()


async def test_a_lone_surrogate_in_a_validated_body_is_a_400_that_does_not_echo_it(app_client):
    r = await app_client.post("/sandbox/carrier/advance", content=b'{"tracking_number": ' + LONE.encode() + b"}",
                              headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500
    r.json()  # valid JSON (UTF-8) back
    assert "\ud800" not in r.text


async def test_advancing_parcels_with_an_empty_body_is_a_400(app_client):
    r = await app_client.post("/sandbox/carrier/advance", json={})
    assert r.status_code == 400 and "error" in r.json()


async def test_the_declared_status_of_a_bad_body_is_the_one_answered(app_client):
    spec = (await app_client.get("/openapi.json")).json()
    op = spec["paths"]["/sandbox/carrier/advance"]["post"]
    assert "400" in op["responses"] and "422" not in op["responses"]


@pytest.mark.parametrize("body", [DEEP, '{"update_id": 1, "message": {"text": ' + LONE + "}}"],
                         ids=["deep", "surrogate"])
async def test_the_telegram_webhook_refuses_deep_or_unencodable_json(telegram, body):  # noqa: F811
    _, _, client, turns = telegram
    r = await post(client, body)
    assert r.status_code == 400
    assert turns.seen == []


async def test_a_signed_wechat_request_with_a_400_digit_timestamp_is_refused(env: Env):  # noqa: F811
    ts = "9" * 400
    params = {"signature": signature(TOKEN, ts, "n-huge"), "timestamp": ts, "nonce": "n-huge"}
    r = await env.client.post("/webhooks/wechat", params=params, content=text_xml("你好").encode())
    assert r.status_code in (400, 403)
    assert env.turns.seen == []


@pytest.fixture
async def pg_app_client(settings, pg_url):
    """The real app on PostgreSQL."""
    import httpx

    from bot.app import create_app

    app = create_app(settings.model_copy(update={"database_url": pg_url}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test"
    ) as c:
        yield c


@pytest.mark.postgres
async def test_nul_bytes_in_messages_never_break_a_turn_on_postgresql(pg_app_client):
    for text in ("你好\x00", "我要买\x00手机", "/help\x00"):
        r = await pg_app_client.post("/webhooks/rest/webhook", json={"sender": "nul-1", "message": text,
                                                                      "metadata": {"display_name": "Li\x00Lei"}})
        assert r.status_code == 200, r.text
        assert r.json() and r.json()[0]["text"]


@pytest.mark.postgres
async def test_an_address_with_a_nul_byte_is_stored_on_postgresql(pg_url):
    from dataclasses import replace

    from tests.orders_harness import build_world, summary

    w = await build_world(pg_url)
    try:
        bad = replace(summary("nul-2"), address="上海市\x00浦东新区 1 号", receiver_name="张\x00三")
        order = await w.orders.create_from_summary(bad, "k-nul")
        stored = await w.orders.get(order.id)
        assert stored.address == "上海市浦东新区 1 号" and stored.receiver_name == "张三"
    finally:
        await w.engine.dispose()
