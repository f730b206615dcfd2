from __future__ import annotations

import asyncio

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


async def test_identity_maps_to_one_shopper(repo):
    a = await repo.by_identity("telegram", "42", "Li Lei")
    again = await repo.by_identity("telegram", "42")
    other = await repo.by_identity("wechat", "42")
    assert a.id == again.id and a.id != other.id
    assert a.display_name == "Li Lei"
    assert ("telegram", "42") in a.identities


async def test_profile_is_remembered(repo):
    s = await repo.by_identity("rest", "u1")
    updated = await repo.update_profile(s.id, phone="13800138000", address="北京市朝阳区建国路1号", language="zh")
    assert (await repo.get(s.id)).phone == "13800138000"
    assert updated.address == "北京市朝阳区建国路1号"
    with pytest.raises(ValueError):
        await repo.update_profile(s.id, password="x")
    with pytest.raises(UnknownShopper):
        await repo.update_profile("U-missing", phone="1")


async def test_first_contact_on_two_workers_creates_one_shopper(repo):
    results = await asyncio.gather(*(repo.by_identity("rest", "race") for _ in range(5)))
    assert len({s.id for s in results}) == 1
