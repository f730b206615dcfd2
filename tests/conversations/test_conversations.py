"""The scripted shopper conversations of this folder, each played through the REST channel of the
real app (real NLU model, demo platforms in process). See player.py for the script format."""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
import pytest

from tests.conversations.known_failures import KNOWN_FAILING
from tests.conversations.player import Player, Replies, Script, load_scripts

SCRIPTS = load_scripts()


class AppShop:
    """The real app behind an httpx client; `restart` stops it and starts a new one on the same settings."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self._stack: contextlib.AsyncExitStack | None = None
        self.client: httpx.AsyncClient | None = None
        self.app: Any = None

    async def start(self) -> None:
        from bot.app import create_app

        self._stack = contextlib.AsyncExitStack()
        self.app = create_app(self.settings)
        await self._stack.enter_async_context(self.app.router.lifespan_context(self.app))
        self.client = await self._stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://shopbot.test"))

    async def stop(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def say(self, sender: str, text: str) -> Replies:
        assert self.client is not None
        r = await self.client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
        assert r.status_code == 200, r.text
        return r.json()

    async def post(self, path: str, body: dict[str, Any] | None) -> Any:
        assert self.client is not None
        r = await self.client.post(path, json=body) if body is not None else await self.client.post(path)
        assert r.status_code < 300, f"{path}: {r.status_code} {r.text}"
        return r.json()

    async def get(self, path: str, params: dict[str, Any]) -> Any:
        assert self.client is not None
        r = await self.client.get(path, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    async def order_status(self, order_id: str) -> str | None:
        orders = self.app.state.runtime.services.orders
        return (await orders.get(order_id)).status.value


def _param(script: Script) -> Any:
    marks = [pytest.mark.xfail(reason=KNOWN_FAILING[script.name], strict=False)] if script.name in KNOWN_FAILING else []
    return pytest.param(script, id=script.name, marks=marks)


@pytest.mark.parametrize("script", [_param(s) for s in SCRIPTS])
async def test_conversation_reaches_its_goal(script: Script, settings) -> None:
    # generous search deadlines (conftest): a loaded machine cuts off no platform; the committed demo
    # catalog (614 products), not the 41,400 built per var dir: the scripts check kinds and behaviour
    shop = AppShop(settings.model_copy(update={"demo_catalog": "demo"}))
    await shop.start()
    try:
        await Player(shop, sender=f"shopper-{script.name}").play(script)
    finally:
        await shop.stop()


def test_there_are_conversations_in_both_languages() -> None:
    languages = [s.language for s in SCRIPTS]
    assert languages.count("zh") >= 10 and languages.count("en") >= 10
    assert all(s.goal and s.turns for s in SCRIPTS)
