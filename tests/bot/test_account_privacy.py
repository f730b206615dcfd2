"""'Export my data' and 'delete my data' from the chat (issue 19.4), as a shopper does it: the
download link, the confirmation, the refusal while an order is in flight, and the orders kept
with the personal details erased."""

from __future__ import annotations

import re

from tests.bot.test_account_chat import sign_up
from tests.bot.test_cart import say, text
from tests.orders_harness import summary


async def test_export_then_delete_refused_while_an_order_is_in_flight_then_done(app_client):
    runtime = app_client.app.state.runtime
    await sign_up(app_client, "d1")
    shopper = await runtime.services.shoppers.by_identity("rest", "d1")
    await runtime.services.shoppers.update_profile(shopper.id, receiver_name="韩梅梅", phone="13800138000",
                                                   address="上海市浦东新区世纪大道100号")
    order = await runtime.orders.orders.create_from_summary(summary(shopper.id), "privacy-1")

    exported = text(await say(app_client, "d1", "导出我的数据"))
    link = re.search(r"https?://\S+/account/export/\S+", exported)
    assert link, exported
    download = await app_client.get(link.group(0).replace(runtime.settings.base_url, ""))
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    data = download.json()
    assert data["account"]["address"] == "+8613800138000"
    assert data["shopper"]["receiver_name"] == "韩梅梅" and [o["id"] for o in data["orders"]] == [order.id]
    assert "password_hash" not in download.text
    assert (await app_client.get("/account/export/forged-token")).status_code == 404

    asked = await say(app_client, "d1", "删除我的数据")
    assert "不能撤销" in text(asked)
    assert [b["title"] for b in asked[0]["buttons"]] == ["确认删除", "不删了"]
    refused = text(await say(app_client, "d1", "/affirm"))
    assert "现在还不能删除" in refused and order.id in refused
    assert (await runtime.services.shoppers.get(shopper.id)).receiver_name == "韩梅梅"  # nothing lost

    await runtime.orders.orders.cancel_before_shipment(order.id, actor="shopper")
    await say(app_client, "d1", "删除我的数据")
    done = text(await say(app_client, "d1", "确认删除"))
    assert "已删除您的个人数据" in done and "1 个订单" in done
    profile = await runtime.services.shoppers.get(shopper.id)
    assert (profile.receiver_name, profile.phone, profile.address) == (None, None, None)
    kept = await runtime.orders.orders.get(order.id)  # accounting keeps the order …
    assert kept.total == order.total and "韩梅梅" not in repr(kept) and "13800000000" not in repr(kept)
    assert await runtime.accounts.service.account_of(shopper.id) is None  # … not the account


async def test_an_english_shopper_changes_their_mind(app_client):
    asked = await say(app_client, "d2", "delete my data")
    assert "cannot be undone" in text(asked)
    assert "nothing was deleted" in text(await say(app_client, "d2", "/deny"))
    asked = await say(app_client, "d2", "delete my account")
    replies = await say(app_client, "d2", "bluetooth earphones")  # another request instead of an answer
    assert "deleted" not in text(replies) and any(r.get("custom") for r in replies)


async def test_carts_expire_after_the_retention_period(app_client):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from integrations.db.cart_repo import cart_lines

    runtime = app_client.app.state.runtime
    cart = runtime.services.cart
    await cart.add("S-old", "P1", "jd", "旧耳机", {}, 1)
    await cart.add("S-new", "P2", "jd", "新耳机", {}, 1)
    async with runtime.db_engine.begin() as conn:
        await conn.execute(update(cart_lines).where(cart_lines.c.shopper_id == "S-old")
                           .values(added_at=datetime.now(UTC) - timedelta(days=31)))
    result = await app_client.post("/sandbox/jobs/expire_carts/run")
    assert result.status_code == 200 and result.json()["result"] == 1
    assert await cart.lines("S-old") == [] and len(await cart.lines("S-new")) == 1
