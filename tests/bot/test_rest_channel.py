"""The REST channel as contracts/channels.md describes it, and its answers to bad input."""

from __future__ import annotations

from dialogue.messages import Reply


async def test_webhook_answers_in_the_senders_language(app_client):
    r = await app_client.post("/webhooks/rest/webhook", json={"sender": "u1", "message": "你好"})
    assert r.status_code == 200
    replies = r.json()
    assert replies and replies[0]["recipient_id"] == "u1"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in replies[0]["text"])
    r = await app_client.post("/webhooks/rest/webhook", json={"sender": "u2", "message": "hello"})
    assert r.json()[0]["text"].isascii() or "shopbot" in r.json()[0]["text"]


async def test_intent_payload_bypasses_the_nlu(app_client):
    r = await app_client.post("/webhooks/rest/webhook", json={"sender": "u3", "message": "/help"})
    body = r.json()
    assert r.status_code == 200
    assert body[0]["buttons"], "help answers with buttons"
    assert all(set(b) == {"title", "payload"} for b in body[0]["buttons"])


async def test_payload_of_an_unknown_intent_gets_a_polite_answer(app_client):
    r = await app_client.post("/webhooks/rest/webhook", json={"sender": "u4", "message": '/no_such_intent{"x": 1}'})
    assert r.status_code == 200 and r.json()[0]["text"]


async def test_missing_or_wrong_typed_fields_are_400_with_a_json_error(app_client):
    for body in ({"sender": "u1"}, {"message": "hi"}, {"sender": 5, "message": "hi"},
                 {"sender": "u1", "message": ["hi"]}, {"sender": "", "message": "hi"},
                 {"sender": "u1", "message": "hi", "metadata": "x"}):
        r = await app_client.post("/webhooks/rest/webhook", json=body)
        assert r.status_code == 400, body
        assert "error" in r.json()
    r = await app_client.post("/webhooks/rest/webhook", content=b"{not json",
                              headers={"content-type": "application/json"})
    assert r.status_code == 400 and "error" in r.json()
    r = await app_client.post("/webhooks/rest/webhook", json=["sender", "message"])
    assert r.status_code == 400


async def test_a_wrong_field_is_named_in_the_error(app_client):
    """The body is validated by one model (pydantic): the client learns which field is wrong."""
    for body, field in (({"sender": " ", "message": "hi"}, "sender"), ({"sender": "u1", "message": 5}, "message"),
                        ({"sender": "u1", "message": "hi", "language": "fr"}, "language"),
                        ({"sender": "u1", "message": "hi", "metadata": [1]}, "metadata")):
        r = await app_client.post("/webhooks/rest/webhook", json=body)
        assert r.status_code == 400 and r.json()["error"].startswith(f"'{field}'"), (body, r.text)


async def test_a_body_over_64_kib_is_413(app_client):
    big = {"sender": "u1", "message": "买" * 40000}
    r = await app_client.post("/webhooks/rest/webhook", json=big)
    assert r.status_code == 413 and "error" in r.json()


async def test_unknown_sender_starts_a_new_conversation(app_client):
    r = await app_client.post("/webhooks/rest/webhook", json={"sender": "brand-new-🙂", "message": "hi"})
    assert r.status_code == 200
    container = app_client.app.state.runtime
    tracker = await container.tracker_store.load("rest:brand-new-🙂")
    assert tracker.transcript()[0] == {**tracker.transcript()[0], "from": "user", "text": "hi"}


async def test_garbage_never_gives_500(app_client):
    for text in ["", " ", "\x00\x01\x02", "🙂🙂🙂", "\u202eابحث", "a" * 5000, "/", "/{}", '/help{"a":']:
        r = await app_client.post("/webhooks/rest/webhook", json={"sender": "g", "message": text})
        assert r.status_code == 200, text
        assert isinstance(r.json(), list)


async def test_outbox_returns_pushed_replies_once(app_client):
    container = app_client.app.state.runtime
    await container.push.push("rest", "u5", [Reply(text="您的快递已签收", custom={"type": "shipment"})])
    r = await app_client.get("/webhooks/rest/outbox", params={"sender": "u5"})
    assert r.status_code == 200
    assert r.json() == [{"recipient_id": "u5", "text": "您的快递已签收", "custom": {"type": "shipment"}}]
    assert (await app_client.get("/webhooks/rest/outbox", params={"sender": "u5"})).json() == []
    assert (await app_client.get("/webhooks/rest/outbox")).status_code == 400


async def test_a_failing_turn_is_a_polite_reply_and_a_counted_error(app_client):
    container = app_client.app.state.runtime

    async def broken(msg):
        raise RuntimeError("database on fire")

    container.engine.handle = broken
    r = await app_client.post("/webhooks/rest/webhook", json={"sender": "f", "message": "你好"})
    assert r.status_code == 200
    assert "出了点问题" in r.json()[0]["text"]
    assert 'shopbot_errors_total{kind="RuntimeError"} 1.0' in (await app_client.get("/metrics")).text
