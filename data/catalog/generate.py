"""Generate the demo catalog (deterministic, seeded): `data/catalog/products.json` and the
NLU lookup tables `data/training/catalog.yml`.

Run from the repository root:  python data/catalog/generate.py
    --full [--per-leaf N] [--out FILE]   the full catalog of every kind (data/catalog/full.py)
    --lexicon                           shop/taxonomy_pinyin.py (pinyin of the lexicon; needs pypinyin)
Every product has zh + en titles, brand, category, specs, variants, keywords and offers on
one to three demo platforms (taobao, jd, pdd) with their own prices and promotions.
"""

from __future__ import annotations

import json
import random
import re
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from full import group_deal
from models import CATEGORY_MODELS
from models import LEGACY_CATEGORIES as CATEGORIES

from shop.taxonomy import LEAVES, NODES
from shop.vocabulary import BRANDS, EXTRA_BRAND_ALIASES, VARIANT_WORDS

SEED = 20261123
CHEAP_CATEGORIES = {"groceries", "baby", "sportswear", "beauty", "books", "kitchen", "toys"}


# English forms of the Chinese in model names: series with an English (or romanised) name, and
# descriptive words the English product word already says ("" drops them). An English shopper
# reads no Chinese (issue 15.2); the Chinese title keeps them.
MODEL_EN = {
    "小新": "Xiaoxin", "拯救者": "Legion", "灵越": "Inspiron", "星Book": "Xingbook", "暗影精灵": "Omen",
    "无畏": "Vivobook", "幻16": "Zephyrus G16", "赤兔": "Chitu", "飞电": "Feidian", "超轻": "Chaoqing",
    "马赫": "Mach", "风酷": "Fengku", "云佳": "Yunjia", "静悦": "Jingyue", "米家扫拖机器人": "Mijia",
    "地宝": "Deebot", "3000系列": "3000 Series", "米家空气净化器": "Mijia", "直流变频": "DC inverter",
    "新一级能效变频空调": "inverter", "十字对开门冰箱": "cross-door", "法式多门冰箱": "French-door",
    "滚筒洗衣机": "front-load", "球釜IH电饭煲": "IH ball-pot", "IH电饭煲": "IH", "免洗豆浆机": "self-cleaning",
    "可视": "see-through", "刀具六件套": "6-piece", "恒温电水壶": "temperature-control", "一级帮": "Ichiban",
    "妙而舒": "Merries", "皇家御裤": "Royal", "铂金装": "Platinum", "星飞帆": "Xingfeifan",
    "臻稚有机": "Zhenzhi organic", "爱他美卓萃": "Essensis", "皇室弱酸": "Royal pH-balanced",
    "轻便折叠": "foldable", "金典纯牛奶": "Satine", "安慕希酸奶": "Ambrosial", "特仑苏纯牛奶": "Deluxe",
    "东北大米": "Northeast", "现代简约": "modern", "小户型": "compact", "两门": "two-door",
    "机械组": "Technic", "保时捷": "Porsche", "城市系列": "City", "消防局": "Fire Station",
    "好朋友系列": "Friends", "心湖城学校": "Heartlake City School", "星球大战": "Star Wars",
    "千年隼": "Millennium Falcon", "哆啦A梦": "Doraemon", "时光机": "Time Machine", "强袭自由": "Strike Freedom",
    "独角兽": "Unicorn", "擎天柱": "Optimus Prime", "整盒": "whole set",
}
_UNITS_EN = ((r"^(\d+(?:\.\d+)?)匹$", r"\1 HP"), (r"^(\d+(?:\.\d+)?)升$", r"\1 L"),
             (r"^(\d+(?:\.\d+)?)公斤$", r"\1 kg"), (r"^(\d+(?:\.\d+)?)米$", r"\1 m"), (r"^(\d+)段$", r"Stage \1"),
             (r"^(\d+)片$", r"\1 pcs"), (r"^(X*[SML])码$", r"size \1"), (r"^(\d+)抽x(\d+)包$", r"\1 wipes x \2"),
             (r"^([\d.]+\w+)\*(\d+)[盒瓶袋]$", r"\1 x \2"), (r"^([\d.]+\w+)/(\d+)袋$", r"\1, \2 bags"))
# Variant options in English, in the same order as the catalog's (an order stores the Chinese one):
# the shop's own table of option words, so the question, the cart and the order card agree.
VARIANT_EN = VARIANT_WORDS
_CJK = re.compile(r"[\u4e00-\u9fff]")


def model_en(model: str) -> str:
    """A model name as an English shopper reads it: series names in English (or romanised), units
    in English, descriptive Chinese words dropped (the English product word says them)."""
    out: list[str] = []
    for token in model.split():
        if token in MODEL_EN:
            token = MODEL_EN[token]
        else:
            for pattern, repl in _UNITS_EN:
                token = re.sub(pattern, repl, token)
        if token and not _CJK.search(token):
            out.append(token)
    return " ".join(out)


def variants_en(variants: dict[str, list[str]]) -> dict[str, list[str]]:
    return {axis: [VARIANT_EN.get(v, v) for v in values] for axis, values in variants.items()}


def _yuan(value: float) -> Decimal:
    """A realistic shelf price: ends in 9 above 100 yuan, two decimals below."""
    if value >= 100:
        whole = int(value)
        return Decimal(whole - whole % 10 + 9 if whole % 10 != 9 else whole)
    return Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP) + Decimal("0.00")


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _promotions(rng: random.Random, platform: str, price: Decimal, category: str) -> list[dict]:
    promos: list[dict] = []
    p = float(price)
    if platform == "jd":
        if rng.random() < 0.55:
            if p >= 1000:
                threshold, amount = rng.choice([(1000, 100), (2000, 200), (3000, 300), (5000, 500)])
                promos.append({"kind": "full_reduction", "label": f"满{threshold}减{amount}",
                               "threshold": str(threshold), "amount": str(amount), "stackable": False})
            else:
                threshold, amount = rng.choice([(99, 10), (199, 20), (299, 30), (300, 40)])
                promos.append({"kind": "full_reduction", "label": f"每满{threshold}减{amount}",
                               "threshold": str(threshold), "amount": str(amount), "stackable": True})
        if rng.random() < 0.35:
            amount = max(5, int(p * rng.choice([0.02, 0.03, 0.05])) // 5 * 5)
            threshold = int(p * 0.9) // 10 * 10
            promos.append({"kind": "coupon", "label": f"满{threshold}减{amount}元券",
                           "threshold": str(threshold), "amount": str(amount)})
    elif platform == "taobao":
        if rng.random() < 0.5:
            threshold, amount = (300, 50) if rng.random() < 0.6 else (200, 30)
            promos.append({"kind": "full_reduction", "label": f"跨店每满{threshold}减{amount}",
                           "threshold": str(threshold), "amount": str(amount), "stackable": True})
        if rng.random() < 0.45:
            amount = rng.choice([5, 10, 20, 30, 50, 100, 200])
            amount = min(amount, max(5, int(p * 0.08) // 5 * 5))
            promos.append({"kind": "coupon", "label": f"{amount}元店铺券",
                           "threshold": "0", "amount": str(amount)})
    else:  # pdd
        if rng.random() < 0.45:
            amount = max(2, int(p * rng.choice([0.03, 0.05, 0.08])))
            promos.append({"kind": "direct_discount", "label": f"百亿补贴直降{amount}元",
                           "amount": str(amount)})
        if rng.random() < 0.3:
            amount = rng.choice([3, 5, 10, 20])
            promos.append({"kind": "coupon", "label": f"{amount}元无门槛券",
                           "threshold": "0", "amount": str(amount)})
    if category in CHEAP_CATEGORIES and rng.random() < 0.3:
        rate, label = rng.choice([("0.95", "2件95折"), ("0.9", "2件9折"), ("0.85", "3件85折")])
        promos.append({"kind": "multi_item", "label": label, "rate": rate,
                       "min_quantity": 3 if "3件" in label else 2})
    if platform != "pdd" and rng.random() < 0.12:
        amount = max(1, int(p * 0.04))
        promos.append({"kind": "direct_discount", "label": f"限时直降{amount}元", "amount": str(amount)})
    return promos


def _merchant(rng: random.Random, platform: str, brand: str) -> str:
    zh = BRANDS.get(brand, brand)
    if platform == "jd":
        return rng.choice([f"{zh}京东自营旗舰店", "京东自营", f"{zh}官方旗舰店"])
    if platform == "taobao":
        return rng.choice([f"{zh}官方旗舰店", f"{zh}天猫旗舰店", f"{zh}专卖店"])
    return rng.choice([f"{zh}官方旗舰店", "百亿补贴官方店", f"{zh}品牌专营店"])


def _offers(rng: random.Random, category: str, brand: str, base: Decimal) -> dict[str, dict]:
    roll = rng.random()
    if roll < 0.62:
        platforms = ["taobao", "jd", "pdd"]
    elif roll < 0.9:
        platforms = rng.sample(["taobao", "jd", "pdd"], 2)
    else:
        platforms = [rng.choice(["taobao", "jd", "pdd"])]
    factors = {"jd": (0.95, 1.02), "taobao": (0.92, 1.0), "pdd": (0.84, 0.95)}
    original = _yuan(float(base) * rng.uniform(1.05, 1.2))
    offers: dict[str, dict] = {}
    for platform in sorted(platforms):
        low, high = factors[platform]
        price = min(_yuan(float(base) * rng.uniform(low, high)), original)
        ids = {"jd": str(rng.randint(10_000_000_000, 100_099_999_999)),
               "taobao": str(rng.randint(600_000_000_000, 799_999_999_999)),
               "pdd": str(rng.randint(100_000_000, 999_999_999_999))}
        sales_scale = 200_000 / max(float(price), 10.0)
        offers[platform] = {
            "platform_product_id": ids[platform],
            "price": _money(price),
            "original_price": _money(original),
            "promotions": _promotions(rng, platform, price, category),
            "stock": 0 if rng.random() < 0.03 else rng.randint(5, 5000),
            "sales": int(sales_scale * rng.uniform(0.2, 30)),
            "rating": round(rng.uniform(4.5, 5.0), 1),
            "merchant": _merchant(rng, platform, brand),
        }
    return offers


def build_catalog(seed: int = SEED) -> dict:
    """The whole demo catalog as a JSON-ready dict (same seed, same catalog)."""
    rng = random.Random(seed)
    products: list[dict] = []
    for category, spec in CATEGORY_MODELS.items():
        cat_zh, cat_en, cat_words = CATEGORIES[category]
        for brand, model, word_zh, word_en, base_price, extra in spec["models"]:
            configs = spec["configs"]
            if brand == "Apple" and category == "phones":
                configs = spec["iphone_configs"]
            for config_zh, config_en, factor, config_specs in configs[: spec["per_model"]]:
                brand_zh = BRANDS[brand]
                brand_prefix = brand_zh if brand_zh.lower() == brand.lower() else f"{brand_zh} {brand}"
                title = f"{brand_prefix} {model} {config_zh} {word_zh}"
                title_en = " ".join(x for x in (brand, model_en(model), model_en(config_en), word_en) if x)
                base = _yuan(base_price * factor)
                specs = {"品牌": brand_zh, "型号": model, **config_specs}
                variants = {axis: rng.sample(values, k=min(len(values), rng.randint(2, 4)))
                            for axis, values in spec["variants"].items()}
                keywords = sorted({word_zh.lower(), word_en.lower(), cat_zh.lower(), cat_en.lower(),
                                   *[w.lower() for w in extra],
                                   *[w for w in cat_words if w in word_zh.lower() or w in word_en.lower()]})
                products.append({
                    "id": f"p{len(products) + 1:04d}",
                    "title": title,
                    "title_en": title_en,
                    "brand": brand,
                    "brand_zh": brand_zh,
                    "category": category,
                    "specs": specs,
                    "variants": variants,
                    "variants_en": variants_en(variants),
                    "keywords": keywords,
                    "offers": _offers(rng, category, brand, base),
                })
                for platform, offer in products[-1]["offers"].items():
                    deal = group_deal(products[-1]["id"], platform, offer["price"])
                    if deal is not None:
                        offer["group"] = deal
    return {"version": 1, "seed": seed, "currency": "CNY",
            "categories": {k: {"zh": v[0], "en": v[1]} for k, v in CATEGORIES.items()},
            "products": products}


# Brand names that are everyday English words: brands all the same, but not NLU lookup entries.
COMMON_ENGLISH = frozenset({
    "angel", "giant", "coach", "tide", "crest", "dove", "zebra", "pilot", "tiger", "hero", "brother",
    "raid", "bull", "omega", "breeze", "paradise", "mercury", "canon", "whisper", "mobil", "dole",
    "belle", "vans", "deli", "hema", "bear", "keep", "sofy", "a2", "pandora", "converse", "quaker",
})

# Words of the vocabulary too generic to tag as a product wherever they occur (who it is for,
# a book's genre, a room, verbs): the search still understands them, the NLU lookup does not.
NOT_PRODUCT_WORDS = frozenset({
    "宝宝", "婴儿", "历史", "管理", "计算机", "厨房", "美妆", "护肤",
    "baby", "water", "book", "kitchen", "beauty",
    "开关", "电源", "主机", "屏幕", "监控", "工具", "清洁", "收纳", "装饰", "健康", "运动", "户外", "保健",
    "controller", "contacts", "switch", "scale", "table", "watch", "watches", "fiction", "literature",
    "history", "philosophy", "psychology", "biography", "programming", "cleaner", "storage",
})


def build_nlu_lookups(catalog: dict) -> str:
    """Rasa NLU YAML: `brand` and `product` lookups plus brand synonyms (folded to canonical)."""
    brands: set[str] = set()
    for product in catalog["products"]:
        brands.update({product["brand"], product["brand_zh"]})
    for canonical, zh in BRANDS.items():  # every brand the shop knows, bar everyday English words
        brands.add(zh)
        if canonical.lower() not in COMMON_ENGLISH:
            brands.add(canonical)
    product_words: set[str] = set()
    for zh, en, words in CATEGORIES.values():
        product_words.update({zh, en.lower(), *words})
    for category, spec in CATEGORY_MODELS.items():
        for _brand, model, word_zh, word_en, _price, _extra in spec["models"]:
            product_words.add(word_zh)
            if category != "books":  # a book's English "word" is its title, not a product word
                product_words.add(word_en.lower())
            if model.isascii() and any(ch.isalpha() for ch in model) and len(model) <= 20:
                product_words.add(model)
    for leaf in LEAVES:  # the product-type lexicon: Chinese words, English names and phrases
        node = NODES[leaf]
        product_words.update(w for w in node.words if not w.isascii() or " " in w or len(w) >= 6)
        product_words.add(node.en.lower())
    product_words = {w for w in product_words
                     if 2 <= len(w) <= 24 and not (w.isascii() and len(w) < 3)
                     and w.lower() not in NOT_PRODUCT_WORDS}

    def block(name: str, kind: str, values: list[str]) -> list[str]:
        lines = [f"- {kind}: {name}", "  examples: |"]
        lines += [f"    - {value}" for value in values]
        return lines

    lines = ["# Generated by data/catalog/generate.py from the demo catalog: do not edit by hand.",
             'version: "3.1"', "nlu:"]
    lines += block("brand", "lookup", sorted(brands))
    lines += block("product", "lookup", sorted(product_words))
    for canonical in sorted(BRANDS):
        forms = {BRANDS[canonical], canonical.lower(), *EXTRA_BRAND_ALIASES.get(canonical, ())}
        forms.discard(canonical)
        if forms:
            lines += block(_quote(canonical), "synonym", sorted(forms))
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return f'"{text}"' if any(ch in text for ch in "'\":#") else text


def build_pinyin_module() -> str:
    """`shop/taxonomy_pinyin.py`: toneless pinyin of each leaf's Chinese words ("chongdianbao",
    "chong dian bao") -> the leaf, precomputed so that pypinyin is needed only here."""
    from pypinyin import lazy_pinyin

    from shop.taxonomy import LEXICON

    seen: dict[str, str | None] = {}
    for leaf in LEAVES:
        for word in NODES[leaf].words:
            if word.isascii() or len(word) < 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
                continue
            syllables = lazy_pinyin(word)
            for form in ("".join(syllables), " ".join(syllables)):
                if len(form) < 6:  # "yi fu", "bei zi": too easily an English word or a typo
                    continue
                if form in LEXICON and LEXICON[form] != leaf:
                    continue
                seen[form] = leaf if seen.get(form, leaf) == leaf else None  # ambiguous: dropped
    lines = ['"""Pinyin of the taxonomy\'s Chinese words -> leaf category. Generated by',
             '`python data/catalog/generate.py --lexicon` (pypinyin): do not edit by hand."""', "",
             "PINYIN: dict[str, str] = {"]
    lines += [f"    {form!r}: {leaf!r}," for form, leaf in sorted(seen.items()) if leaf]
    return "\n".join(lines + ["}", ""])


def main() -> None:
    if "--full" in sys.argv:  # the full catalog (also built by the bot at first start under var/)
        import time

        from full import PER_LEAF, build_full_catalog

        per_leaf = int(sys.argv[sys.argv.index("--per-leaf") + 1]) if "--per-leaf" in sys.argv else PER_LEAF
        out = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else ROOT / "var" / "catalog" / "full.json"
        started = time.perf_counter()
        full = build_full_catalog(per_leaf=per_leaf)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(full, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        print(f"{len(full['products'])} products over {per_leaf} per kind in "
              f"{time.perf_counter() - started:.1f} s -> {out}")
        return
    if "--lexicon" in sys.argv:
        out = ROOT / "shop" / "taxonomy_pinyin.py"
        out.write_text(build_pinyin_module(), encoding="utf-8")
        print(f"pinyin of the lexicon -> {out}")
        return
    catalog = build_catalog()
    out = Path(__file__).resolve().parent / "products.json"
    out.write_text(json.dumps(catalog, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    nlu = ROOT / "data" / "training" / "catalog.yml"
    nlu.write_text(build_nlu_lookups(catalog), encoding="utf-8")
    print(f"{len(catalog['products'])} products in {len(catalog['categories'])} categories -> {out}")


if __name__ == "__main__":
    main()
