"""The demo platforms: catalog, each platform's own JSON API, images, prices, orders, servers."""

from __future__ import annotations

import json
import random
from collections import Counter
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
import yaml

from integrations.marketplaces.demo.factory import build_demo_marketplace
from integrations.marketplaces.demo.server import DemoPlatformServer, create_platform_app
from integrations.marketplaces.demo.store import CATALOG_PATH, PlatformStore, load_catalog
from shop.catalog import SearchQuery
from shop.ports import PlatformOrderLine, PlatformOrderRequest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def catalog() -> dict:
    return load_catalog()


def client_for(store: PlatformStore) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_platform_app(store)),
                             base_url=f"http://{store.platform}.demo")


def test_catalog_is_big_varied_and_bilingual(catalog):
    products = catalog["products"]
    assert len(products) >= 600
    assert len(Counter(p["category"] for p in products)) >= 12
    assert len({p["id"] for p in products}) == len(products)
    assert all(p["title"] and p["title_en"] and p["brand"] and p["specs"] for p in products)
    assert sum(1 for p in products if any("\u4e00" <= ch <= "\u9fff" for ch in p["title"])) == len(products)
    multi = sum(1 for p in products if len(p["offers"]) >= 2)
    assert multi / len(products) > 0.8
    assert sum(1 for p in products if p["variants"]) > 200
    kinds = Counter(promo["kind"] for p in products for o in p["offers"].values() for promo in o["promotions"])
    assert set(kinds) == {"full_reduction", "direct_discount", "coupon", "multi_item"}
    for p in products:
        for o in p["offers"].values():
            assert Decimal(0) < Decimal(o["price"]) <= Decimal(o["original_price"])


def test_the_generator_is_deterministic_and_committed(catalog):
    import importlib.util

    spec = importlib.util.spec_from_file_location("catalog_generate", ROOT / "data" / "catalog" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build_catalog() == catalog
    assert module.build_nlu_lookups(catalog) == (ROOT / "data" / "training" / "catalog.yml").read_text("utf-8")


def test_nlu_catalog_lookups_and_brand_synonyms():
    data = yaml.safe_load((ROOT / "data" / "training" / "catalog.yml").read_text("utf-8"))["nlu"]
    lookups = {d["lookup"]: d["examples"] for d in data if "lookup" in d}
    synonyms = {d["synonym"]: d["examples"] for d in data if "synonym" in d}
    assert "- 华为" in lookups["brand"] and "- Nike" in lookups["brand"]
    for word in ("笔记本电脑", "轻薄本", "running shoes", "手机"):
        assert f"- {word}\n" in lookups["product"]
    assert "- 华为" in synonyms["Huawei"] and "- addidas" in synonyms["Adidas"]
    assert "- nike" in synonyms["Nike"] and "- 乐高" in synonyms["LEGO"]


async def test_each_platform_speaks_its_own_json(catalog):
    jd, taobao, pdd = (PlatformStore(p, catalog) for p in ("jd", "taobao", "pdd"))
    async with client_for(jd) as c:
        body = (await c.get("/jd/api/search", params={"keyword": "华为 手机", "pageSize": 5})).json()
        sku = body["result"]["skuList"][0]
        assert body["code"] == 0 and isinstance(sku["priceFen"], int) and isinstance(sku["skuId"], int)
        assert Decimal(sku["priceFen"]) / 100 == jd.get(str(sku["skuId"])).price
    async with client_for(taobao) as c:
        body = (await c.get("/taobao/items/search", params={"q": "running shoes"})).json()
        item = body["items_search_response"]["items"]["item"][0]
        assert isinstance(item["price"], str) and Decimal(item["price"]) > 0
        missing = (await c.get("/taobao/items/123")).json()
        assert missing["error_response"]["sub_code"] == "isv.item-not-exist"
    async with client_for(pdd) as c:
        body = (await c.post("/pdd/api/router", json={"type": "pdd.goods.search", "keyword": "纸尿裤"})).json()
        goods = body["goods_search_response"]["goods_list"]
        assert goods and all(isinstance(g["min_group_price"], int) for g in goods)
        assert all(isinstance(g["sales_tip"], str) for g in goods)
        assert (await c.post("/pdd/api/router", json={"type": "nope"})).json()["error_response"]["error_code"]


async def test_generated_image_is_svg_with_the_brand(catalog):
    store = PlatformStore("jd", catalog)
    listing = store.by_catalog_id["p0001"]
    async with client_for(store) as c:
        response = await c.get(f"/images/{listing.platform_product_id}.svg")
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(response.text)
    assert root.tag.endswith("svg")
    assert listing.product["brand"] in response.text


async def test_admin_sets_a_price_and_rejects_bad_ones(catalog):
    store = PlatformStore("taobao", catalog)
    listing = store.by_catalog_id["p0005"]
    async with client_for(store) as c:
        ok = await c.post("/admin/prices/p0005", json={"price": "3999.00"})
        assert ok.status_code == 200 and listing.price == Decimal("3999.00")
        prices = (await c.get("/taobao/items/prices", params={"num_iids": listing.platform_product_id})).json()
        assert prices["items_price_response"]["prices"]["price"][0]["price"] == "3999.00"
        for bad in ("-1", "0", "abc", None):
            assert (await c.post("/admin/prices/p0005", json={"price": bad})).status_code == 422
        assert (await c.post("/admin/prices/p9999", json={"price": "10"})).status_code == 404


def test_price_walk_stays_in_bounds_and_flash_sales_drop(catalog):
    store = PlatformStore("jd", catalog)
    rng = random.Random(3)
    for _ in range(50):
        store.walk_prices(rng, step=0.05, flash_sale_chance=0.02)
    for listing in store.listings.values():
        assert listing.base_price * Decimal("0.6") <= listing.price <= listing.original_price
    before = {k: v.price for k, v in store.listings.items()}
    changed = store.walk_prices(rng, flash_sale_chance=1.0)
    assert len(changed) > 0.9 * len(before)
    dropped = [k for k in changed if store.listings[k].price <= before[k] * Decimal("0.86")
               or store.listings[k].price == (store.listings[k].base_price * Decimal("0.6")).quantize(Decimal("0.01"))]
    assert len(dropped) == len(changed)


@pytest.mark.parametrize("platform", ["taobao", "jd", "pdd"])
async def test_orders_are_idempotent_and_fulfil_themselves(platform):
    now = [1000.0]
    demo = build_demo_marketplace(latency_ms=0, jitter_ms=0, timeout_seconds=30, fulfil_delay_seconds=30, clock=lambda: now[0],
                                  platforms=(platform,))
    await demo.start(in_process=True)
    try:
        connector = demo.connectors[platform]
        ppid = demo.servers[platform].store.by_catalog_id["p0010"].platform_product_id \
            if "p0010" in demo.servers[platform].store.by_catalog_id \
            else next(iter(demo.servers[platform].store.listings))
        request = PlatformOrderRequest(order_id="SO1", lines=(PlatformOrderLine(ppid, 2, Decimal(1)),),
                                       total=Decimal(2), receiver_name="张三", phone="13800138000",
                                       address="北京市朝阳区")
        first = await connector.place_order(request)
        again = await connector.place_order(request)
        assert first.platform_order_id == again.platform_order_id and first.status == "submitted"
        status = await connector.get_order_status(first.platform_order_id)
        assert status.status == "submitted" and status.tracking_number is None and status.order_id == "SO1"
        now[0] += 30
        shipped = await connector.get_order_status(first.platform_order_id)
        assert shipped.status == "shipped" and shipped.carrier_code == "sim"
        assert shipped.tracking_number and shipped.tracking_number.startswith("SIM")
    finally:
        await demo.stop()


async def test_real_servers_on_ephemeral_ports_answer_a_search():
    demo = build_demo_marketplace(latency_ms=0, jitter_ms=0, timeout_seconds=30)
    await demo.start()
    try:
        ports = {s.port for s in demo.servers.values()}
        assert len(ports) == 3 and 0 not in ports
        for platform, connector in demo.connectors.items():
            assert connector.base_url.startswith("http://127.0.0.1:")
            products = await connector.search(SearchQuery(product="iPhone 15"), limit=10)
            assert products and all(p.offers[0].platform == platform for p in products)
            assert all(p.id.startswith("p") for p in products)
        async with httpx.AsyncClient() as client:
            image = products[0].image_url
            assert (await client.get(image)).status_code == 200
    finally:
        await demo.stop()


async def test_server_stop_releases_hung_requests():
    import asyncio

    store = PlatformStore("jd", {"products": json.loads(CATALOG_PATH.read_text("utf-8"))["products"][:5]})
    server = DemoPlatformServer(store)
    server.behaviour.hang = True
    await server.start()
    async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as client:
        pending = asyncio.create_task(client.get("/jd/api/search"))
        for _ in range(200):  # bounded wait until the real server holds the request
            if server.behaviour.released is not None:
                break
            await asyncio.sleep(0.01)
        assert server.behaviour.released is not None
        await server.stop()
        response = await pending
    assert response.status_code == 503


async def test_in_process_platforms_mounted_in_the_bot_serve_their_images():
    from fastapi import FastAPI

    demo = build_demo_marketplace(latency_ms=0, jitter_ms=0, timeout_seconds=30, public_base_url="http://bot.local")
    bot = FastAPI()
    for platform, app in demo.apps().items():
        bot.mount(f"/demo/{platform}", app)
    await demo.start(in_process=True)
    try:
        listing = next(iter(demo.servers["pdd"].store.listings.values()))
        product = await demo.connectors["pdd"].get_product(listing.catalog_id)
        assert product is not None
        assert product.image_url.startswith("http://bot.local/demo/pdd/images/")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bot), base_url="http://bot.local") as c:
            response = await c.get(product.image_url.removeprefix("http://bot.local"))
        assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
    finally:
        await demo.stop()


async def test_pictures_are_pngs_that_tell_kinds_and_colours_apart(catalog, tmp_path):
    """Telegram and WeChat cannot show SVG: each listing's picture is a PNG drawn from its kind,
    brand and colour (kept on disk once drawn), and two products of another kind or colour look
    different where the product is drawn."""
    from io import BytesIO

    from PIL import Image

    from integrations.marketplaces.demo.images import PictureCache

    store = PlatformStore("jd", catalog)
    pictures = PictureCache(tmp_path / "pictures")
    app = create_platform_app(store, pictures=pictures)
    products = catalog["products"]

    def colour(p: dict) -> str | None:
        return next(iter(p.get("variants", {}).get("colour") or []), None)

    black_phone = next(p for p in products if p["category"] == "phones" and colour(p) == "黑色")
    white_phone = next(p for p in products if p["category"] == "phones" and colour(p) == "白色")
    shoes = next(p for p in products if p["category"] == "running_shoes")
    listed = [store.by_catalog_id[p["id"]] for p in (black_phone, white_phone, shoes)]
    got = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://jd.demo") as c:
        for listing in listed:
            response = await c.get(f"/images/{listing.platform_product_id}.png")
            assert response.status_code == 200 and response.headers["content-type"] == "image/png"
            assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
            got.append(response.content)
        search = (await c.get("/jd/api/search", params={"keyword": "手机"})).json()["result"]["skuList"]
        assert search and all(s["imageUrl"].endswith(".png") for s in search)
        assert (await c.get("/images/nope.png")).status_code == 404
    assert len(set(got)) == 3
    images = [Image.open(BytesIO(data)).convert("RGB") for data in got]
    assert images[0].size == (320, 320)

    def drawn_in(im: Image.Image) -> tuple[int, int, int]:
        """The colour the product is drawn in: the commonest one of the drawing area that is not the background."""
        background = im.getpixel((2, 2))
        area = im.crop((70, 30, 250, 210)).getcolors(180 * 180)
        return max((n, c) for n, c in area if c != background)[1]

    black, white = drawn_in(images[0]), drawn_in(images[1])
    assert sum(black) < 200 and sum(white) > 600  # the phone in its own colour
    assert images[0].getpixel((2, 2)) != images[2].getpixel((2, 2))  # another kind, another background
    assert len(list((tmp_path / "pictures").glob("*.png"))) == 3  # drawn once, kept on disk
