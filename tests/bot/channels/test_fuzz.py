"""Mutated Telegram updates and WeChat XML: always a clean 2xx/4xx, never a 500."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from tests.bot.channels.test_telegram import callback_update, message_update, post, stub, telegram  # noqa: F401  (fixtures)
from tests.bot.channels.test_wechat import Env, env, event_xml, text_xml  # noqa: F401  (env: fixture)

JUNK: list[Any] = [None, 0, -1, 2**70, "", "x" * 300, [], {}, [1, "a"], {"id": "x"}, True, 1.5]


def mutate(value: Any, rng: random.Random) -> Any:
    """Replace or delete one nested field at random."""
    value = copy.deepcopy(value)
    node = value
    while isinstance(node, dict) and node:
        key = rng.choice(list(node))
        if not isinstance(node[key], dict) or rng.random() < 0.3:
            if rng.random() < 0.5:
                del node[key]
            else:
                node[key] = rng.choice(JUNK)
            break
        node = node[key]
    return value


async def test_mutated_updates_never_fail_the_webhook(telegram) -> None:  # noqa: F811
    _, _, client, _ = telegram
    rng = random.Random(7)
    seeds = [message_update(1, "hello"), message_update(2, "/start"), callback_update(3, "/help"),
             message_update(4, None, sticker={"file_id": "s", "file_unique_id": "u", "type": "regular",
                                             "width": 1, "height": 1, "is_animated": False, "is_video": False})]
    statuses = set()
    for i in range(240):
        update = mutate(rng.choice(seeds), rng)
        resp = await post(client, json.dumps(update))
        assert resp.status_code in {200, 400}, (update, resp.status_code)
        statuses.add(resp.status_code)
    assert statuses == {200, 400}


async def test_mutated_xml_never_fails_the_webhook(env: Env) -> None:  # noqa: F811
    rng = random.Random(11)
    seeds = [text_xml("你好").encode(), event_xml("CLICK", "/help").encode(), text_xml("", kind="image").encode()]
    statuses = set()
    for i in range(240):
        body = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(body))
            op = rng.random()
            if op < 0.4:
                body[pos] = rng.randrange(256)
            elif op < 0.7:
                del body[pos:pos + rng.randint(1, 20)]
            else:
                body[pos:pos] = rng.choice([b"<", b">", b"&", b"<!DOCTYPE x>", b"]]>", b"\x00", "中".encode()])
        resp = await env.send(bytes(body))
        assert resp.status_code in {200, 400}, (bytes(body), resp.status_code, resp.text)
        statuses.add(resp.status_code)
    assert statuses == {200, 400}
