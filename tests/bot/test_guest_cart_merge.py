"""A guest who filled a cart in the chat and then signs in finds it merged into the account's
cart (issue 19.4 / 19.2): quantities of the same item added, no duplicate lines; in the chat
and on the account pages. Through the REST channel and the /account routes of the real app."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.bot.test_account_chat import PASSWORD, code_for, sign_up
from tests.bot.test_account_pages import csrf_of, second_client
from tests.bot.test_cart import answer_variants, custom, say, text


async def cart_of(client: Any, sender: str) -> Counter[tuple[str, str, str]]:
    runtime = client.app.state.runtime
    shopper = await runtime.services.shoppers.by_identity("rest", sender)
    lines = await runtime.services.cart.lines(shopper.id)
    keys = [(ln.product_id, ln.platform, repr(ln.variant)) for ln in lines]
    assert len(keys) == len(set(keys)), "a duplicate line in the cart"
    return Counter({(ln.product_id, ln.platform, repr(ln.variant)): ln.quantity for ln in lines})


async def put_in_cart(client: Any, sender: str, which: str) -> None:
    replies = await answer_variants(client, sender, await say(client, sender, f"{which}加入购物车"))
    assert custom(replies, "cart") is not None, text(replies)


async def test_the_guest_cart_joins_the_account_cart_at_sign_in(app_client):
    await sign_up(app_client, "owner")  # the account, with one item in its cart
    assert custom(await say(app_client, "owner", "我想买蓝牙耳机"), "products")
    await put_in_cart(app_client, "owner", "第一个")
    account_cart = await cart_of(app_client, "owner")

    # another browser, not signed in: the same item and one more
    found = custom(await say(app_client, "guest", "我想买蓝牙耳机"), "products")
    assert found and len(found["items"]) >= 2
    await put_in_cart(app_client, "guest", "第一个")
    await put_in_cart(app_client, "guest", "第二个")
    guest_cart = await cart_of(app_client, "guest")
    assert set(account_cart) & set(guest_cart), "the test needs one item in both carts"

    assert "手机号或邮箱" in text(await say(app_client, "guest", "登录"))
    assert "138****8000" in text(await say(app_client, "guest", "13800138000"))
    done = text(await say(app_client, "guest", await code_for(app_client, "13800138000")))
    assert "登录成功" in done and f"{len(guest_cart)} 种商品已合并到账户的购物车" in done

    merged = account_cart + guest_cart  # quantities of the same item added up
    assert await cart_of(app_client, "guest") == merged
    assert await cart_of(app_client, "owner") == merged  # the same account, seen from its first browser
    shown = text(await say(app_client, "guest", "我的购物车"))
    for item in found["items"][:2]:
        assert item["title"][:12] in shown
    # signing in again moves nothing twice
    await say(app_client, "guest", "登录")
    await say(app_client, "guest", "13800138000")
    again = text(await say(app_client, "guest", await code_for(app_client, "13800138000")))
    assert "合并" not in again and await cart_of(app_client, "guest") == merged

    # the account pages show the merged cart
    async with second_client(app_client) as browser:
        form = await browser.get("/account/signin")
        signed = await browser.post("/account/signin", data={"csrf": csrf_of(form.text), "address": "13800138000",
                                                              "password": PASSWORD})
        assert signed.status_code == 303
        home = (await browser.get("/account")).text
    assert "购物车" in home
    doubled = next(k for k in merged if merged[k] >= 2)
    runtime = app_client.app.state.runtime
    owner = await runtime.services.shoppers.by_identity("rest", "owner")
    line = next(ln for ln in await runtime.services.cart.lines(owner.id) if ln.product_id == doubled[0])
    assert f"×{merged[doubled]}" in home and line.title[:12] in home


async def test_an_english_guest_is_told_in_english(app_client):
    await sign_up(app_client, "owner-en")
    assert custom(await say(app_client, "guest-en", "bluetooth earphones"), "products")
    replies = await answer_variants(app_client, "guest-en", await say(app_client, "guest-en", "add the first one to my cart"))
    assert custom(replies, "cart") is not None, text(replies)
    await say(app_client, "guest-en", "log in")
    await say(app_client, "guest-en", "13800138000")
    done = text(await say(app_client, "guest-en", await code_for(app_client, "13800138000")))
    assert "now in your account's cart" in done and "合并" not in done
    assert sum((await cart_of(app_client, "owner-en")).values()) == 1
