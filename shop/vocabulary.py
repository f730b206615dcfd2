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
