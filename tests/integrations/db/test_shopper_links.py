"""Signing a channel identity in to an account re-points it to the account's shopper (issue 19.2)."""

from __future__ import annotations

import pytest

from bot import db
from integrations.db.shoppers_repo import SQLShopperRepository
from integrations.memory.shoppers import InMemoryShopperRepository
from shop.shoppers import UnknownShopper


@pytest.fixture(params=["memory", "sql"])
async def repo(request, db_url):
    if request.param == "memory":
        yield InMemoryShopperRepository()
        return
    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    yield SQLShopperRepository(engine)
    await engine.dispose()


async def test_a_linked_identity_is_the_accounts_shopper_at_once(repo):
    web = await repo.by_identity("webchat", "browser-1")
    tg = await repo.by_identity("telegram", "42")  # seen before sign-in (cached by the SQL repository)
    assert tg.id != web.id
    await repo.link_identity("telegram", "42", web.id)
    await repo.link_identity("wechat", "openid-9", web.id)  # never seen before
    assert (await repo.by_identity("telegram", "42")).id == web.id
    assert (await repo.by_identity("wechat", "openid-9")).id == web.id
    linked = await repo.get(web.id)
    assert set(linked.identities) == {("webchat", "browser-1"), ("telegram", "42"), ("wechat", "openid-9")}
    assert ("telegram", "42") not in (await repo.get(tg.id)).identities
    with pytest.raises(UnknownShopper):
        await repo.link_identity("telegram", "43", "U-nobody")
