"""`POST /model/parse`: Rasa's response shape; 400 on a body without a string `text`. Each case
runs against the main app's FastAPI route and the standalone server's bare ASGI app."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from bot.body_limit import MAX_BODY_BYTES
from bot.cli_nlu import build_nlu_app
from bot.routes.nlu import build_router, parse_asgi_app


@pytest.fixture(params=["route", "asgi"])
def client(request, tiny_parser):  # type: ignore[no-untyped-def]
    if request.param == "route":
        app = FastAPI()
        app.include_router(build_router(lambda: tiny_parser))
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nlu")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=build_nlu_app(tiny_parser)),
                             base_url="http://nlu")


async def test_parse_returns_the_rasa_shape(client) -> None:  # type: ignore[no-untyped-def]
    async with client:
        resp = await client.post("/model/parse", json={"text": "我想买5000以内的华为手机"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["text"] == "我想买5000以内的华为手机"
    assert body["intent"]["name"] == "search_product"
    assert 0 < body["intent"]["confidence"] <= 1
    assert body["intent_ranking"][0]["name"] == "search_product"
    assert body["language"] == "zh"
    price = next(e for e in body["entities"] if e["entity"] == "price_max")
    assert price == {"entity": "price_max", "value": 5000, "start": 3, "end": 9,
                     "confidence_entity": price["confidence_entity"], "extractor": price["extractor"]}
    assert {"entity", "value", "start", "end", "confidence_entity", "extractor"} <= set(body["entities"][0])


@pytest.mark.parametrize("payload", [b"", b"not json", b"[]", b'{"text": 5}', b'{"message": "hi"}', b"null"])
async def test_bad_bodies_get_400(client, payload: bytes) -> None:  # type: ignore[no-untyped-def]
    async with client:
        resp = await client.post("/model/parse", content=payload, headers={"content-type": "application/json"})
    assert resp.status_code == 400


async def test_no_model_yet_gives_503() -> None:
    app = FastAPI()
    app.include_router(build_router(lambda: None))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nlu") as c:
        resp = await c.post("/model/parse", json={"text": "hi"})
    assert resp.status_code == 503


async def test_long_and_empty_texts_parse(client) -> None:  # type: ignore[no-untyped-def]
    async with client:
        for text in ("", "x" * 10_000, "\u202eשלום"):
            resp = await client.post("/model/parse", json={"text": text})
            assert resp.status_code == 200
            assert resp.json()["text"] == text


async def test_message_id_is_echoed(client) -> None:  # type: ignore[no-untyped-def]
    async with client:
        resp = await client.post("/model/parse", json={"text": "你好", "message_id": "m-7"})
    assert resp.json()["message_id"] == "m-7"


async def test_the_standalone_server_answers_other_routes_and_methods_with_json(tiny_parser) -> None:  # type: ignore[no-untyped-def]
    app = build_nlu_app(tiny_parser)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nlu") as c:
        assert (await c.get("/")).json()["status"] == "ok"
        missing = await c.post("/webhooks/rest/webhook", json={"text": "hi"})
        assert missing.status_code == 404 and "/model/parse" in missing.json()["error"]
        assert (await c.get("/model/parse")).status_code == 405
        big = await c.post("/model/parse", content=b'{"text": "' + b"x" * MAX_BODY_BYTES + b'"}')
        assert big.status_code == 413


async def test_concurrent_requests_are_parsed_together_and_each_gets_its_own_answer(tiny_parser) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    batches: list[int] = []
    many = tiny_parser.parse_many

    class Counting:
        def parse(self, text, language=None):  # type: ignore[no-untyped-def]
            return tiny_parser.parse(text, language)

        def parse_many(self, texts, languages=None):  # type: ignore[no-untyped-def]
            batches.append(len(texts))
            return many(texts, languages)

    texts = ["你好", "我想买5000以内的华为手机", "show me huawei phones under 800 yuan", "第二个详细说说"] * 3
    app = parse_asgi_app(Counting())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nlu") as c:
        answers = await asyncio.gather(*(c.post("/model/parse", json={"text": t, "message_id": i})
                                         for i, t in enumerate(texts)))
    assert [a.json()["text"] for a in answers] == texts
    assert [a.json()["message_id"] for a in answers] == list(range(len(texts)))
    assert sum(batches) == len(texts) and max(batches) > 1
    alone = await _post_one(app, "你好")
    assert alone["intent"]["name"] == answers[0].json()["intent"]["name"]


async def _post_one(app, text: str):  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nlu") as c:
        return (await c.post("/model/parse", json={"text": text})).json()


async def test_a_failing_batch_fails_its_requests_not_the_server() -> None:
    class Broken:
        def parse(self, text, language=None):  # type: ignore[no-untyped-def]
            raise RuntimeError("model exploded")

        def parse_many(self, texts, languages=None):  # type: ignore[no-untyped-def]
            raise RuntimeError("model exploded")

    app = parse_asgi_app(Broken())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nlu") as c:
        resp = await c.post("/model/parse", json={"text": "hi"})
        assert resp.status_code == 500 and "error" in resp.json()
        assert (await c.get("/")).status_code == 200
