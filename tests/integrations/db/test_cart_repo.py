from __future__ import annotations

import pytest

from bot import db
from integrations.db.cart_repo import SQLCartRepository
from integrations.memory.cart import InMemoryCartRepository
from shop.cart import MAX_LINES, MAX_QUANTITY, BadQuantity, CartFull, LineNotFound


@pytest.fixture(params=["memory", "sql"])
async def repo(request, db_url):
    if request.param == "memory":
        yield InMemoryCartRepository()
        return
    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    yield SQLCartRepository(engine)
    await engine.dispose()


async def test_the_same_offer_and_variant_again_raises_its_quantity(repo):
    a = await repo.add("S1", "P1", "jd", "手机", {"colour": "黑色", "storage": "256G"}, 1)
    again = await repo.add("S1", "P1", "jd", "手机", {"storage": "256G", "colour": "黑色"}, 2)
    other = await repo.add("S1", "P1", "jd", "手机", {"colour": "白色", "storage": "256G"}, 1)
    elsewhere = await repo.add("S1", "P1", "pdd", "手机", {"colour": "黑色", "storage": "256G"}, 1)
    assert again.line_id == a.line_id and again.quantity == 3
    assert len({a.line_id, other.line_id, elsewhere.line_id}) == 3
    lines = await repo.lines("S1")
    assert [line.line_id for line in lines] == [a.line_id, other.line_id, elsewhere.line_id]
    assert lines[0].variant_dict == {"colour": "黑色", "storage": "256G"} and lines[0].quantity == 3
    assert await repo.lines("S2") == []  # carts are per shopper


async def test_change_remove_clear(repo):
    a = await repo.add("S1", "P1", "jd", "手机", {}, 1)
    b = await repo.add("S1", "P2", "taobao", "耳机", {}, 1)
    assert (await repo.set_quantity("S1", a.line_id, 5)).quantity == 5
    assert (await repo.lines("S1"))[0].quantity == 5
    assert (await repo.remove("S1", b.line_id)).product_id == "P2"
    with pytest.raises(LineNotFound):
        await repo.remove("S1", b.line_id)
    with pytest.raises(LineNotFound):  # another shopper's line is not theirs to change
        await repo.set_quantity("S2", a.line_id, 2)
    assert await repo.clear("S1") == 1
    assert await repo.lines("S1") == []


async def test_bad_quantities_and_a_full_cart_are_refused(repo):
    for bad in (0, -1, MAX_QUANTITY + 1, 10_000):
        with pytest.raises(BadQuantity):
            await repo.add("S1", "P1", "jd", "手机", {}, bad)
    line = await repo.add("S1", "P1", "jd", "手机", {}, MAX_QUANTITY)
    assert (await repo.add("S1", "P1", "jd", "手机", {}, 5)).quantity == MAX_QUANTITY  # capped
    with pytest.raises(BadQuantity):
        await repo.set_quantity("S1", line.line_id, 0)
    for i in range(MAX_LINES - 1):
        await repo.add("S1", f"P{i + 2}", "jd", "x", {}, 1)
    with pytest.raises(CartFull):
        await repo.add("S1", "P999", "jd", "x", {}, 1)
    assert len(await repo.lines("S1")) == MAX_LINES
