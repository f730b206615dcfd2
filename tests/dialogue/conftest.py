from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

Say = Callable[..., Awaitable[list[dict[str, Any]]]]


@pytest.fixture
def say(app_client) -> Say:
    """Send one message through the REST channel; returns the reply list."""

    async def send(message: str, sender: str = "shopper") -> list[dict[str, Any]]:
        r = await app_client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
        assert r.status_code == 200, r.text
        return r.json()

    return send


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def custom(replies: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [r["custom"] for r in replies if (r.get("custom") or {}).get("type") == kind]
    assert found, f"no {kind} payload in {replies}"
    return found[0]
