"""Shared fixtures: a private PostgreSQL database, a Redis key prefix, a SQLite file per test.

The PostgreSQL and Redis servers are this machine's (`make test` starts them when down).
Each test gets its own database / key prefix and cleans up after itself.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

# Tests run on the small committed catalog (614 products); `make run` builds the full one.
os.environ.setdefault("DEMO_CATALOG", "demo")
PG_ADMIN_DSN = os.environ.get("TEST_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session", autouse=True)
def word_cutter() -> None:
    """Search relevance cuts Chinese with jieba, as the bootstrap installs it in production
    (whichever test searches first)."""
    from integrations.text import jieba_words

    jieba_words.install()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'shopbot.db'}"


async def fresh_pg_database() -> AsyncIterator[str]:
    import asyncpg

    name = f"shopbot_t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database for this test, dropped afterwards."""
    async for url in fresh_pg_database():
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request, tmp_path) -> AsyncIterator[str]:
    """Run a repository test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'shopbot.db'}"
    else:
        async for url in fresh_pg_database():
            yield url


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A unique key prefix; every key under it is deleted after the test."""
    import redis

    prefix = f"shopbot-test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def redis_url() -> str:
    return REDIS_TEST_URL


def _train_test_model() -> Path:
    from bot.nlu_loader import load_or_train
    from bot.settings import PROJECT_ROOT

    model_dir = PROJECT_ROOT / "var" / "test-models" / "nlu"
    load_or_train([PROJECT_ROOT / "data" / "training"], model_dir, 0.4)
    return model_dir


def pytest_collection_finish(session: pytest.Session) -> None:
    """Train the real model before the first test that needs it, outside any test's timeout (training
    takes a minute on a quiet machine and several on a loaded one; a test's timeout is for the test)."""
    if any("nlu_model_dir" in getattr(item, "fixturenames", ()) for item in session.items):
        _train_test_model()


@pytest.fixture(scope="session")
def nlu_model_dir() -> Path:
    """The NLU model trained on data/training, once (kept under var/ while the data is unchanged)."""
    return _train_test_model()


@pytest.fixture
def settings(tmp_path, nlu_model_dir):
    """Embedded-mode settings on a private SQLite file, demo platforms in process at zero latency.

    The search deadline and platform timeout are generous: on a loaded CI machine an in-process
    platform must not be cut off as "late" (tests of the deadline set their own)."""
    from bot.settings import Settings

    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}", var_dir=tmp_path / "var", sandbox=True,
                    nlu_model_dir=nlu_model_dir, demo_platform_transport="asgi",
                    demo_platform_latency_ms=0, demo_platform_jitter_ms=0, demo_price_walk_seconds=0,
                    search_deadline_seconds=30.0, demo_platform_timeout_seconds=30.0)


@pytest.fixture
async def app_client(settings):
    """The real app (lifespan started) behind an httpx client; `client.app` is the FastAPI app."""
    import httpx

    from bot.app import create_app

    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shopbot.test") as c:
        c.app = app  # type: ignore[attr-defined]
        yield c
