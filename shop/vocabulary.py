"""The shop's search vocabulary: categories (shop/taxonomy.py), brands (shop/brands.py), platforms.

Used by the search aggregator (query understanding) and by the demo-catalog generator
(`data/catalog/generate.py`), which also turns it into the NLU lookup tables.
Canonical brand names are the NLU's normalised `brand` values (contracts/nlu.md).
"""

from __future__ import annotations

import unicodedata

from shop.brands import ALIASES, BRANDS
from shop.taxonomy import LEXICON, NODES

# category key -> (Chinese name, English name, words that name it): every node of the taxonomy
CATEGORIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    key: (node.zh, node.en, node.words) for key, node in NODES.items()}

# canonical brand -> its other ways of writing (BRANDS maps canonical -> Chinese name)
EXTRA_BRAND_ALIASES: dict[str, tuple[str, ...]] = ALIASES

PLATFORM_NAMES: dict[str, tuple[str, str]] = {
    "taobao": ("淘宝", "Taobao"),
    "jd": ("京东", "JD"),
    "pdd": ("拼多多", "Pinduoduo"),
}


# Variant options the catalogs use, Chinese -> English, for any product whose platform gives no
# English form of its options (the demo catalog's, and a stored order's or cart line's option).
VARIANT_WORDS: dict[str, str] = {
    "黑色": "Black", "白色": "White", "灰色": "Grey", "蓝色": "Blue", "红色": "Red", "绿色": "Green",
    "粉色": "Pink", "紫色": "Purple", "银色": "Silver", "金色": "Gold", "米色": "Beige", "卡其色": "Khaki",
    "深空灰": "Space grey", "藏青色": "Navy", "藏青": "Navy", "原木色": "Natural wood", "奶油色": "Cream",
    "星光色": "Starlight", "胡桃色": "Walnut", "荧光绿": "Neon green", "钛金属原色": "Natural titanium",
    "黑白": "Black & white", "原味": "Original", "咸味": "Salted", "甜味": "Sweet", "香辣": "Spicy",
    "抹茶": "Matcha", "单件装": "Single", "2件装": "2-pack", "3件装": "3-pack", "家庭装": "Family pack",
}


def variant_word(option: str, language: str | None) -> str:
    """A variant option as a shopper of `language` reads it (白色 -> White; 42码 -> EU 42)."""
    if not (language or "zh").startswith("en"):
        return option
    if option in VARIANT_WORDS:
        return VARIANT_WORDS[option]
    if option.endswith("码") and option[:-1].isdigit():
        return f"EU {option[:-1]}"
    return option


def fold(text: str) -> str:
    """Lower-case, full-width to half-width, trimmed: the form every match compares."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def brand_aliases() -> dict[str, str]:
    """Every folded brand alias (Chinese, English, lower-case, common typos) -> canonical brand."""
    aliases: dict[str, str] = {}
    for canonical, zh in BRANDS.items():
        aliases[fold(canonical)] = canonical
        aliases[fold(zh)] = canonical
        for extra in EXTRA_BRAND_ALIASES.get(canonical, ()):
            aliases[fold(extra)] = canonical
    return aliases


_ALIASES = brand_aliases()


def canonical_brand(text: str | None) -> str | None:
    """The canonical brand for `text` (any alias), or None when it is not a brand we know."""
    if not text:
        return None
    return _ALIASES.get(fold(text))


def category_words() -> dict[str, str]:
    """Every folded category word (the product-type lexicon) -> taxonomy node (longer phrases
    win when matching)."""
    return dict(LEXICON)
