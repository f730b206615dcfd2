"""The category tree and the product-type lexicon, as a shopper writes product words."""

from __future__ import annotations

from collections import Counter

import pytest

from integrations.text import jieba_words
from shop.brands import BRANDS, GROUP_BRANDS, brands_for
from shop.relevance import understand
from shop.taxonomy import LEAVES, NODES, TOP_GROUPS, nearest, related, resolve
from shop.vocabulary import canonical_brand


def test_the_tree_covers_the_whole_range_with_over_two_hundred_kinds():
    assert len(LEAVES) >= 200
    assert len(TOP_GROUPS) >= 18
    for top in ("groceries", "baby", "beauty", "household", "clothing", "shoes_bags", "sports", "home",
                "kitchen", "home_appliances", "phones_accessories", "computers_office", "digital",
                "books_stationery", "toys", "pets", "health", "car", "jewellery_luxury", "handcraft"):
        assert NODES[top].level == 1, top
    for leaf in LEAVES:
        node = NODES[leaf]
        assert node.zh and node.en and node.parent, leaf
        assert node.en.isascii() and not node.zh.isascii(), leaf


def test_no_word_names_two_kinds():
    claims = Counter(word for leaf in LEAVES for word in NODES[leaf].words)
    assert [w for w, n in claims.items() if n > 1] == []


@pytest.mark.parametrize("words, kind", [
    (("充电宝", "移动电源", "power bank", "Powerbank", "POWER BANKS", "充電寶", "chongdianbao"), "power_bank"),
    (("尿不湿", "纸尿裤", "nappies", "diapers", "Nappy", "niaobushi"), "diapers"),
    (("吸尘器", "vacuum", "vacuum cleaner", "Hoover", "vaccum"), "vacuum"),
    (("蓝牙耳机", "蓝芽耳机", "earbuds", "headphones", "ear buds"), "earphones"),
    (("空气炸锅", "air fryer", "airfryer", "air frier"), "air_fryer"),
    (("笔记本电脑", "laptop", "labtop", "轻薄本"), "laptops"),
])
def test_a_kind_written_any_way_resolves_to_one_category(words, kind):
    for word in words:
        assert resolve(word) == kind, word


def test_a_product_phrase_is_resolved_and_kept_as_written():
    jieba_words.install()  # the word cutter of Chinese text
    q = understand("小米充电宝")
    assert q.categories == {"power_bank"} and q.brands_in_text == {"Xiaomi"}
    assert q.category_phrases == ("充电宝",)
    q = understand("i need some nappies for my little one")
    assert q.categories == {"diapers"}


def test_brands_per_kind_in_both_languages():
    for brand in ("Anker", "Xiaomi", "Romoss"):
        assert brand in brands_for("power_bank")
    for brand in ("Pampers", "Moony", "Huggies"):
        assert brand in brands_for("diapers")
    assert "Uniqlo" in brands_for("jeans") and "Estee Lauder" in brands_for("serum")
    assert canonical_brand("优衣库") == canonical_brand("uniqlo") == "Uniqlo"
    assert canonical_brand("罗马仕") == "Romoss" and canonical_brand("帮宝适") == "Pampers"
    assert resolve("小棕瓶") == "serum"
    assert all(leaf for leaf in LEAVES if brands_for(leaf))
    assert all(b in BRANDS for group in GROUP_BRANDS.values() for b in group)


def test_kinds_nest_and_have_neighbours():
    assert related("power_bank", "phones_accessories") and not related("earphones", "power_bank")
    assert related("kitchen", "air_fryer")  # a product filed coarsely may still be an air fryer
    assert "charger" in nearest("power_bank")


def test_the_pinyin_table_is_the_generators():
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("catalog_generate", root / "data" / "catalog" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build_pinyin_module() == (root / "shop" / "taxonomy_pinyin.py").read_text("utf-8")
