"""The full demo catalog: every leaf kind of shop/taxonomy.py, its brands (shop/brands.py), model
lines, specs and price ranges per kind, seeded randomness (same seed, same catalog).

    python data/catalog/generate.py --full [--per-leaf 150] [--out var/catalog/full.json]

Stdlib only (it runs at first start). Each product record has the shape of products.json
(id, title, title_en, brand, brand_zh, category, specs, variants, keywords, offers) plus
English specs and variants (`specs_en`, `variants_en`), stock per variant (`variant_stock`),
review snippets in both languages (`reviews`), English promotion labels (`label_en`) and, where
one platform sells a different edition of the same model, the offer's `edition` (国行/港版,
single/bundle, capacity) so that the trap can be flagged.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shop.brands import BRANDS, brands_for
from shop.taxonomy import LEAVES, NODES, ancestors

SEED = 20261207
PER_LEAF = 150
PLATFORMS = ("taobao", "jd", "pdd")
# Group buys (拼团, issue 18.6): the share of a platform's offers sold at a group price too, the
# group price's discount on the single price, the group sizes and the hours a group stays open.
GROUP_DEALS = {"pdd": (0.7, (0.82, 0.93), (2, 2, 3), 24), "taobao": (0.2, (0.85, 0.95), (3, 5), 24)}


def group_deal(product_id: str, platform: str, price: str) -> dict[str, object] | None:
    """The offer's group deal ({"price", "size", "hours"}) or None: drawn from its own seeded
    randomness, so adding it changes nothing else of the catalog. The group price is below the
    single price by at least one yuan (one fen for a price under 2 yuan)."""
    share, (low, high), sizes, hours = GROUP_DEALS.get(platform, (0.0, (1.0, 1.0), (2,), 24))
    rng = random.Random(f"group:{product_id}:{platform}")
    if rng.random() >= share:
        return None
    single = float(price)
    step = 1.0 if single >= 2 else 0.01
    group = min(round(single * rng.uniform(low, high), 0 if single >= 100 else 1), single - step)
    if group <= 0:
        return None
    return {"price": f"{group:.2f}", "size": rng.choice(sizes), "hours": hours}

# ---- what varies per kind: price range, the spec that tells models apart, variant axes ---------

V = list[tuple[str, str]]
COLOURS: V = [("黑色", "Black"), ("白色", "White"), ("灰色", "Grey"), ("蓝色", "Blue"), ("红色", "Red"),
              ("绿色", "Green"), ("粉色", "Pink"), ("紫色", "Purple"), ("银色", "Silver"), ("金色", "Gold"),
              ("米色", "Beige"), ("卡其色", "Khaki"), ("深空灰", "Space grey"), ("藏青色", "Navy")]
SIZES: V = [(s, s) for s in ("S", "M", "L", "XL", "XXL")]
SHOE_SIZES: V = [(f"{n}码", f"EU {n}") for n in range(36, 46)]
KID_SIZES: V = [(f"{n}cm", f"{n} cm") for n in (90, 100, 110, 120, 130, 140, 150)]
NAPPY_SIZES: V = [("NB", "Newborn"), ("S", "S"), ("M", "M"), ("L", "L"), ("XL", "XL")]
FLAVOURS: V = [("原味", "Original"), ("咸味", "Salted"), ("甜味", "Sweet"), ("香辣", "Spicy"), ("抹茶", "Matcha")]
PACKS: V = [("单件装", "Single"), ("2件装", "2-pack"), ("3件装", "3-pack"), ("家庭装", "Family pack")]

Spec = tuple[str, str, V]  # label zh, label en, values (zh, en)
PROFILES: dict[str, tuple[tuple[int, int], Spec | None, tuple[str, ...]]] = {
    # node: ((price low, price high), spec, variant axes)
    "groceries": ((9, 199), ("规格", "Pack", [("500g", "500 g"), ("1kg", "1 kg"), ("礼盒装", "Gift box"),
                                             ("6袋装", "6 bags"), ("12袋装", "12 bags")]), ("flavour",)),
    "drinks": ((15, 299), ("规格", "Pack", [("500ml*12瓶", "500 ml x 12"), ("1L*6瓶", "1 L x 6"),
                                           ("250ml*24盒", "250 ml x 24"), ("礼盒装", "Gift box")]), ()),
    "alcohol": ((59, 2999), ("容量", "Volume", [("500ml", "500 ml"), ("750ml", "750 ml"), ("1L", "1 L")]), ()),
    "fresh": ((19, 399), ("重量", "Weight", [("1kg", "1 kg"), ("2.5kg", "2.5 kg"), ("5kg", "5 kg")]), ()),
    "baby": ((39, 899), None, ("colour",)),
    "diapers": ((59, 299), ("片数", "Count", [("60片", "60 pcs"), ("90片", "90 pcs"), ("120片", "120 pcs")]),
                ("nappy_size",)),
    "baby_wipes": ((19, 99), ("包数", "Packs", [("10包", "10 packs"), ("20包", "20 packs")]), ()),
    "formula": ((199, 599), ("段数", "Stage", [("1段", "Stage 1"), ("2段", "Stage 2"), ("3段", "Stage 3")]), ()),
    "stroller": ((399, 4999), None, ("colour",)),
    "car_seat": ((599, 4999), None, ("colour",)),
    "beauty": ((59, 1599), ("容量", "Size", [("30ml", "30 ml"), ("50ml", "50 ml"), ("100ml", "100 ml")]), ()),
    "makeup": ((69, 599), ("色号", "Shade", [("01", "01"), ("02", "02"), ("03", "03"), ("05", "05")]), ()),
    "household": ((9, 199), ("规格", "Pack", [("单瓶", "Single"), ("2瓶装", "2 bottles"), ("家庭装", "Family pack")]), ()),
    "clothing": ((59, 899), None, ("colour", "size")),
    "down_jacket": ((299, 2999), None, ("colour", "size")),
    "kids_clothing": ((39, 599), None, ("colour", "kid_size")),
    "accessories": ((29, 599), None, ("colour",)),
    "shoes": ((99, 1299), None, ("colour", "shoe_size")),
    "running_shoes": ((199, 1599), None, ("colour", "shoe_size")),
    "kids_shoes": ((79, 599), None, ("colour", "kid_size")),
    "bags": ((69, 1999), None, ("colour",)),
    "suitcase": ((199, 2999), ("尺寸", "Size", [("20寸", "20-inch"), ("24寸", "24-inch"), ("28寸", "28-inch")]),
                 ("colour",)),
    "sports": ((59, 1999), None, ("colour",)),
    "sportswear": ((69, 899), None, ("colour", "size")),
    "treadmill": ((1299, 6999), None, ()),
    "exercise_bike": ((899, 4999), None, ()),
    "bicycle": ((699, 8999), ("尺寸", "Frame", [("24寸", "24-inch"), ("26寸", "26-inch"), ("27.5寸", "27.5-inch")]),
                ("colour",)),
    "tent": ((199, 2999), ("人数", "Sleeps", [("2人", "2 people"), ("3-4人", "3-4 people"), ("5-8人", "5-8 people")]),
             ("colour",)),
    "home": ((49, 2999), None, ("colour",)),
    "furniture": ((299, 6999), None, ("colour",)),
    "mattress": ((999, 8999), ("尺寸", "Size", [("1.5m", "1.5 m"), ("1.8m", "1.8 m")]), ()),
    "home_textiles": ((59, 999), ("尺寸", "Size", [("1.5m床", "1.5 m bed"), ("1.8m床", "1.8 m bed")]), ("colour",)),
    "kitchen": ((49, 999), None, ("colour",)),
    "kitchen_appliances": ((129, 1999), ("容量", "Capacity", [("3L", "3 L"), ("4L", "4 L"), ("5L", "5 L")]), ("colour",)),
    "coffee_machine": ((599, 6999), None, ("colour",)),
    "home_appliances": ((199, 4999), None, ("colour",)),
    "air_conditioner": ((1999, 8999), ("匹数", "Power", [("1匹", "1 HP"), ("1.5匹", "1.5 HP"), ("2匹", "2 HP"),
                                                       ("3匹", "3 HP")]), ()),
    "fridge": ((1499, 12999), ("容量", "Capacity", [("300L", "300 L"), ("450L", "450 L"), ("600L", "600 L")]), ("colour",)),
    "washing_machine": ((1099, 7999), ("容量", "Capacity", [("8kg", "8 kg"), ("10kg", "10 kg"), ("12kg", "12 kg")]), ()),
    "tv": ((1299, 19999), ("尺寸", "Screen", [("55英寸", "55-inch"), ("65英寸", "65-inch"), ("75英寸", "75-inch"),
                                            ("85英寸", "85-inch")]), ()),
    "robot_vacuum": ((1299, 5999), None, ("colour",)),
    "massage_chair": ((2999, 19999), None, ("colour",)),
    "vacuum": ((499, 4999), None, ("colour",)),
    "phones": ((999, 9999), ("存储", "Storage", [("128GB", "128GB"), ("256GB", "256GB"), ("512GB", "512GB"),
                                                ("1TB", "1TB")]), ("colour",)),
    "phone_accessories": ((19, 299), None, ("colour",)),
    "power_bank": ((59, 399), ("容量", "Capacity", [("10000mAh", "10000mAh"), ("20000mAh", "20000mAh"),
                                                   ("30000mAh", "30000mAh")]), ("colour",)),
    "charger": ((39, 399), ("功率", "Power", [("20W", "20W"), ("65W", "65W"), ("100W", "100W")]), ("colour",)),
    "computers_office": ((299, 3999), None, ("colour",)),
    "laptops": ((3499, 14999), ("配置", "Config", [("16GB+512GB", "16GB/512GB"), ("16GB+1TB", "16GB/1TB"),
                                                  ("32GB+1TB", "32GB/1TB")]), ("colour",)),
    "desktop": ((2999, 12999), ("配置", "Config", [("16GB+512GB", "16GB/512GB"), ("32GB+1TB", "32GB/1TB")]), ()),
    "tablets": ((999, 7999), ("存储", "Storage", [("128GB", "128GB"), ("256GB", "256GB"), ("512GB", "512GB")]),
                ("colour",)),
    "monitor": ((699, 4999), ("尺寸", "Screen", [("24英寸", "24-inch"), ("27英寸", "27-inch"), ("32英寸", "32-inch")]), ()),
    "storage_drive": ((49, 1299), ("容量", "Capacity", [("256GB", "256GB"), ("512GB", "512GB"), ("1TB", "1TB"),
                                                       ("2TB", "2TB")]), ()),
    "peripherals": ((49, 999), None, ("colour",)),
    "office": ((399, 4999), None, ()),
    "digital": ((199, 4999), None, ("colour",)),
    "camera": ((2999, 19999), None, ()),
    "books_stationery": ((15, 199), None, ()),
    "musical_instrument": ((299, 5999), None, ("colour",)),
    "toys": ((29, 999), None, ()),
    "pets": ((29, 499), ("重量", "Weight", [("1.5kg", "1.5 kg"), ("2kg", "2 kg"), ("10kg", "10 kg")]), ()),
    "pet_toys": ((9, 299), None, ("colour",)),
    "pet_bed": ((49, 599), None, ("colour", "size")),
    "health": ((49, 599), ("规格", "Pack", [("60粒", "60 tablets"), ("120粒", "120 tablets"), ("礼盒装", "Gift box")]), ()),
    "medical": ((29, 699), None, ()),
    "car": ((29, 999), None, ("colour",)),
    "tyres": ((299, 1499), ("规格", "Size", [("205/55R16", "205/55R16"), ("225/45R17", "225/45R17")]), ()),
    "jewellery": ((199, 19999), None, ()),
    "fashion_jewellery": ((39, 999), None, ("colour",)),
    "luxury": ((2999, 49999), None, ("colour",)),
    "watch": ((399, 59999), None, ()),
    "handcraft": ((39, 999), None, ()),
}

# model line names: (中文, English); names with no English form are romanised, never left in Chinese
SERIES: dict[str, V] = {
    "tech": [("Pro", "Pro"), ("Max", "Max"), ("Air", "Air"), ("Lite", "Lite"), ("Ultra", "Ultra"), ("SE", "SE"),
             ("Plus", "Plus"), ("Mini", "Mini"), ("Neo", "Neo"), ("青春版", "Youth"), ("小新", "Xiaoxin"),
             ("星耀", "Xingyao"), ("灵动", "Lingdong")],
    "wear": [("基础款", "Basic"), ("经典款", "Classic"), ("修身款", "Slim fit"), ("宽松款", "Relaxed fit"),
             ("加厚款", "Thick"), ("轻薄款", "Lightweight"), ("新款", "New"), ("联名款", "Collab"),
             ("国潮款", "Guochao"), ("复古款", "Retro")],
    "food": [("原味", "Original"), ("经典装", "Classic"), ("家庭装", "Family pack"), ("礼盒装", "Gift box"),
             ("有机", "Organic"), ("低糖", "Low sugar"), ("每日", "Daily"), ("臻选", "Zhenxuan")],
    "home": [("北欧风", "Nordic"), ("简约款", "Minimal"), ("经典款", "Classic"), ("奶油风", "Cream style"),
             ("实木", "Solid wood"), ("加厚款", "Thick"), ("升级款", "Upgraded"), ("大号", "Large")],
    "craft": [("青瓷", "Qingci"), ("汝窑", "Ruyao"), ("建盏", "Jianzhan"), ("苏绣", "Suxiu"), ("竹韵", "Zhuyun"),
              ("古法", "Gufa"), ("手作", "Handmade"), ("非遗", "Heritage"), ("山居", "Shanju")],
    "care": [("修护", "Repair"), ("保湿", "Hydrating"), ("焕亮", "Brightening"), ("舒缓", "Soothing"),
             ("抗皱", "Anti-wrinkle"), ("清爽", "Fresh"), ("滋润", "Nourishing"), ("小棕瓶", "Advanced Night Repair")],
    "kids": [("宝宝款", "Baby"), ("萌趣款", "Cute"), ("经典款", "Classic"), ("升级款", "Upgraded"), ("益智款", "Smart play")],
}
SERIES_OF_TOP = {"groceries": "food", "baby": "kids", "beauty": "care", "household": "home", "clothing": "wear",
                 "shoes_bags": "wear", "sports": "wear", "home": "home", "kitchen": "home",
                 "home_appliances": "tech", "phones_accessories": "tech", "computers_office": "tech",
                 "digital": "tech", "books_stationery": "home", "toys": "kids", "pets": "food",
                 "health": "food", "car": "tech", "jewellery_luxury": "craft", "handcraft": "craft"}

REVIEWS: dict[str, V] = {
    "good": [("质量很好,和描述一致", "Good quality, as described"), ("物流很快,包装完好", "Fast delivery, well packed"),
             ("性价比高,推荐购买", "Great value, recommended"), ("用了一段时间,很满意", "Used it for a while, very happy"),
             ("做工精细,颜色正", "Well made, true colours"), ("第二次回购了", "Bought it again")],
    "mixed": [("还行,就是有点贵", "OK, a bit pricey"), ("尺码偏小,建议拍大一码", "Runs small, size up"),
              ("客服回复有点慢", "Customer service was slow"), ("包装一般,东西没问题", "Plain packaging, item is fine")],
}

RUNS_SMALL = REVIEWS["mixed"][1]
NOT_SIZED = ("用着还行,做工一般", "Works fine, average finish")
SIZED_TOPS = {"clothing", "shoes_bags", "sports", "baby"}

PLURAL_ONLY = {"glasses", "jeans", "trousers", "shorts", "tights", "leggings", "scissors", "chips", "crisps", "pyjamas",
               "sunglasses", "headphones", "earphones", "earbuds", "nuts", "sweets", "oats", "clothes", "supplies"}


def _profile(leaf: str) -> tuple[tuple[int, int], Spec | None, tuple[str, ...]]:
    for node in ancestors(leaf):
        if node in PROFILES:
            return PROFILES[node]
    return ((29, 499), None, ())


ACRONYM = re.compile(r"[A-Z]{2,}")


def noun(en: str) -> str:
    """The singular English noun of a category name: "Power banks" -> "power bank"."""
    head = en.split(" & ")[0].split(" (")[0]
    words = [w if ACRONYM.fullmatch(w.rstrip("s")) else w.lower() for w in head.split()]  # TV, PC, VR stay
    last = words[-1]
    if ACRONYM.fullmatch(last.rstrip("s")):
        last = last.rstrip("s")  # "TVs" -> "TV"
    elif last not in PLURAL_ONLY and len(last) > 3:
        if last.endswith("ies"):
            last = last[:-3] + "y"
        elif last.endswith(("ches", "shes", "xes", "sses")):
            last = last[:-2]
        elif last.endswith("s") and not last.endswith("ss"):
            last = last[:-1]
    return " ".join([*words[:-1], last])


def _yuan(value: float) -> int:
    whole = int(value)
    return whole - whole % 10 + 9 if whole >= 100 else max(whole, 3)


def _promotions(rng: random.Random, platform: str, price: int) -> list[dict]:
    promos: list[dict] = []
    if platform == "jd" and rng.random() < 0.5:
        t, a = (1000, 100) if price >= 1000 else (199, 20) if price >= 199 else (99, 10)
        promos.append({"kind": "full_reduction", "label": f"每满{t}减{a}", "label_en": f"{a} off every {t}",
                       "threshold": str(t), "amount": str(a), "stackable": True})
    if platform == "taobao" and rng.random() < 0.45:
        a = max(5, int(price * 0.05) // 5 * 5)
        promos.append({"kind": "coupon", "label": f"{a}元店铺券", "label_en": f"{a} yuan shop coupon",
                       "threshold": "0", "amount": str(a)})
    if platform == "pdd" and rng.random() < 0.45:
        a = max(2, int(price * rng.choice([0.03, 0.05, 0.08])))
        promos.append({"kind": "direct_discount", "label": f"百亿补贴直降{a}元",
                       "label_en": f"Subsidy: {a} yuan off", "amount": str(a)})
    if price < 300 and rng.random() < 0.15:
        promos.append({"kind": "multi_item", "label": "2件9折", "label_en": "10% off 2 or more",
                       "rate": "0.9", "min_quantity": 2})
    return promos


def _variants(rng: random.Random, axes: tuple[str, ...]) -> tuple[dict, dict, dict]:
    pools = {"colour": COLOURS, "size": SIZES, "shoe_size": SHOE_SIZES, "kid_size": KID_SIZES,
             "nappy_size": NAPPY_SIZES, "flavour": FLAVOURS, "pack": PACKS}
    zh: dict[str, list[str]] = {}
    en: dict[str, list[str]] = {}
    stock: dict[str, dict[str, int]] = {}
    for axis in axes:
        pool = pools[axis]
        if axis in ("size", "shoe_size", "kid_size", "nappy_size"):
            start = rng.randrange(0, max(1, len(pool) - 3))
            chosen = pool[start:start + rng.randint(3, min(5, len(pool) - start))]
        else:
            chosen = rng.sample(pool, k=min(len(pool), rng.randint(2, 4)))
        name = "size" if axis.endswith("size") else axis
        zh[name] = [z for z, _ in chosen]
        en[name] = [e for _, e in chosen]
        stock[name] = {z: (0 if rng.random() < 0.08 else rng.randint(1, 500)) for z, _ in chosen}
    return zh, en, stock


def build_full_catalog(per_leaf: int = PER_LEAF, seed: int = SEED) -> dict:
    """The full catalog as a JSON-ready dict (same arguments, same catalog)."""
    rng = random.Random(seed)
    products: list[dict] = []
    for leaf in LEAVES:
        node = NODES[leaf]
        top = ancestors(leaf)[-1]
        (lo, hi), spec, axes = _profile(leaf)
        series = SERIES[SERIES_OF_TOP.get(top, "home")]
        brands = brands_for(leaf)
        kind_en = noun(node.en)
        made = 0
        line = 0
        while made < per_leaf:
            brand = brands[line % len(brands)]
            series_zh, series_en = series[(line // len(brands)) % len(series)]
            number = 1 + (line // (len(brands) * len(series))) + rng.randint(0, 8) * 10
            model_zh, model_en = f"{series_zh} {number}", f"{series_en} {number}"
            base = rng.uniform(lo, hi)
            values = spec[2] if spec else [("", "")]
            for n, (value_zh, value_en) in enumerate(values[: max(1, min(len(values), per_leaf - made))]):
                brand_zh = BRANDS[brand]
                prefix = brand_zh if brand_zh.lower() == brand.lower() else f"{brand_zh} {brand}"
                title = " ".join(x for x in (prefix, model_zh, value_zh, node.zh) if x)
                title_en = " ".join(x for x in (brand, model_en, value_en, kind_en) if x)
                price = _yuan(base * (1 + 0.18 * n))
                specs = {"品牌": brand_zh, "型号": model_zh}
                specs_en = {"Brand": brand, "Model": model_en}
                if spec:
                    specs[spec[0]] = value_zh
                    specs_en[spec[1]] = value_en
                variants, variants_en, variant_stock = _variants(rng, axes)
                offers = {}
                roll = rng.random()
                platforms = list(PLATFORMS) if roll < 0.45 else sorted(rng.sample(PLATFORMS, 2)) if roll < 0.8 \
                    else [rng.choice(PLATFORMS)]
                original = _yuan(price * rng.uniform(1.05, 1.25))
                for platform in platforms:
                    factor = {"jd": (0.97, 1.03), "taobao": (0.93, 1.0), "pdd": (0.85, 0.96)}[platform]
                    own = min(_yuan(price * rng.uniform(*factor)), original)
                    offer = {
                        "platform_product_id": str(rng.randint(10**11, 10**12 - 1)),
                        "price": f"{own}.00", "original_price": f"{original}.00",
                        "promotions": _promotions(rng, platform, own),
                        "stock": 0 if rng.random() < 0.03 else rng.randint(5, 5000),
                        "sales": int(200_000 / max(own, 10) * rng.uniform(0.1, 30)),
                        "rating": round(rng.uniform(4.3, 5.0), 1),
                        "merchant": f"{brand_zh}官方旗舰店" if platform != "pdd" else f"{brand_zh}品牌店",
                    }
                    if leaf == "phones" and platform == "pdd" and rng.random() < 0.3:
                        offer["edition"] = {"zh": "港版", "en": "Hong Kong version"}
                    elif platform == "pdd" and rng.random() < 0.08:
                        offer["edition"] = {"zh": "2件装", "en": "2-pack bundle"}
                    offers[platform] = offer
                for platform, offer in offers.items():
                    deal = group_deal(f"f{len(products) + 1:05d}", platform, offer["price"])
                    if deal is not None:
                        offer["group"] = deal
                reviews = [rng.choice(REVIEWS["good"]), rng.choice(REVIEWS["good" if rng.random() < 0.7 else "mixed"])]
                if top not in SIZED_TOPS:  # "runs small" is said of clothes and shoes only
                    reviews = [NOT_SIZED if r == RUNS_SMALL else r for r in reviews]
                products.append({
                    "id": f"f{len(products) + 1:05d}", "title": title, "title_en": title_en, "brand": brand,
                    "brand_zh": brand_zh, "category": leaf, "specs": specs, "specs_en": specs_en,
                    "variants": variants, "variants_en": variants_en, "variant_stock": variant_stock,
                    "keywords": _keywords(value_zh, value_en),
                    "reviews": {"zh": [r[0] for r in reviews], "en": [r[1] for r in reviews]},
                    "offers": offers,
                })
                made += 1
            line += 1
    return {"version": 2, "seed": seed, "currency": "CNY",
            "categories": {k: {"zh": n.zh, "en": n.en, "parent": n.parent} for k, n in NODES.items()},
            "products": products}


def _keywords(value_zh: str, value_en: str) -> list[str]:
    """Other ways to write the spec value: 27英寸 = 27寸 = 27 inch; 256GB = 256G; 1.5匹 = 1.5hp."""
    out = {value_zh.lower(), value_en.lower()} - {""}
    for unit_zh, forms in (("英寸", ("寸", "inch", "-inch")), ("寸", ("英寸", "inch")), ("匹", ("hp",)),
                           ("码", ("eu",))):
        if value_zh.endswith(unit_zh):
            number = value_zh[: -len(unit_zh)]
            out.update(f"{number}{f}" if f != "eu" else f"eu{number}" for f in forms)
    if value_zh.upper().endswith("GB"):
        out.add(value_zh[:-1].lower())  # 256GB -> 256g
    return sorted(out)
