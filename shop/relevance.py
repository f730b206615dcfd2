"""Query understanding and relevance scoring for the search aggregator.

Chinese runs are cut by a `WordCutter` (the port: jieba's search mode in
integrations/text/jieba_words.py, installed by the bootstrap); English is lower-cased and split on words;
category words ("笔记本", "轻薄本", "running shoes") name a category, brand aliases
("华为", "nike", "addidas") fold to the canonical brand, and the remaining words must
match the product's title, English title or keywords.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from shop.brands import BRANDS, brands_for
from shop.catalog import Product
from shop.taxonomy import NODES, ancestors, fix_typos
from shop.vocabulary import brand_aliases, category_words, fold

MAX_QUERY_CHARS = 100
_WORD = re.compile(r"[a-z0-9][a-z0-9.+'\-]*|[\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
STOPWORDS = frozenset({
    "的", "了", "我", "想", "买", "要", "一个", "一台", "一双", "一件", "一款", "一部", "个", "台", "双",
    "件", "款", "部", "有", "吗", "呢", "请", "帮", "找", "推荐", "给", "看看", "什么", "好", "便宜",
    "价格", "元", "块", "以内", "以下", "左右", "想要", "需要", "和", "与", "或",
    "a", "an", "the", "i", "want", "need", "buy", "for", "me", "some", "any", "of", "with", "and",
    "or", "to", "in", "on", "under", "below", "cheap", "good", "best", "new", "please", "find",
    "show", "yuan", "rmb",
})



class WordCutter(Protocol):
    """Cuts a run of Chinese characters into search words (the port; jieba is its adapter)."""

    def cut(self, text: str) -> list[str]: ...

    def warm_up(self) -> None:
        """Load what cutting needs (a dictionary) now rather than on the first search."""
        ...


class _NoWordCutter:
    def cut(self, text: str) -> list[str]:
        raise RuntimeError("no word cutter installed: call integrations.text.jieba_words.install() "
                           "(bot/bootstrap.py does)")

    def warm_up(self) -> None:
        self.cut("")


_cutter: WordCutter = _NoWordCutter()


def set_word_cutter(cutter: WordCutter) -> None:
    """Install the word cutter every search uses (once, at start: the caches are cleared)."""
    global _cutter
    _cutter = cutter
    _tokens.cache_clear()
    _cut.cache_clear()
    understand.cache_clear()
    _index_cache.clear()


def has_word_cutter() -> bool:
    return not isinstance(_cutter, _NoWordCutter)


def shop_words() -> Iterator[str]:
    """The shop's Chinese category and brand words, for the cutter to keep whole."""
    return (w for w in [*category_words(), *BRANDS.values()] if _CJK.search(w))


def warm_up() -> None:
    """Load the cutter's dictionary now (about a second) rather than on the first search."""
    _cutter.warm_up()


def tokens(text: str) -> list[str]:
    """Folded search tokens of `text`: jieba words for Chinese runs, words for the rest."""
    return list(_tokens(text))


@functools.lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    return _tokens_of(text)


@functools.lru_cache(maxsize=65536)
def _cut(chunk: str) -> tuple[str, ...]:
    """The cutter's words of one run of Chinese characters. Product texts are made of few
    distinct runs (hundreds over a 40,000-product catalog: brand, kind and spec words), so
    cutting each run once makes indexing a product cheap."""
    return tuple(w for w in _cutter.cut(chunk) if w.strip())


def _tokens_of(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for chunk in _WORD.findall(fold(text)):
        if _CJK.match(chunk):
            out.extend(_cut(chunk))
        else:
            word = chunk.strip(".-'")
            out.append(word)
            glued = _GLUED_MODEL.fullmatch(word)
            if glued:  # "iphone15" is also "iphone" "15", as "iPhone 15" is written
                out.extend(glued.groups())
    return tuple(t for t in out if t)


_GLUED_MODEL = re.compile(r"([a-z]{3,})(\d{1,4})")


_CATEGORY_WORDS = category_words()
_CATEGORY_PHRASES = sorted(_CATEGORY_WORDS, key=len, reverse=True)
_BRAND_ALIASES = brand_aliases()
_BRAND_PHRASES = sorted(_BRAND_ALIASES, key=len, reverse=True)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(phrase: str) -> re.Pattern[str]:
    pattern = _PATTERNS.get(phrase)
    if pattern is None:
        pattern = _PATTERNS[phrase] = re.compile(r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])")
    return pattern


def _find_phrases(text: str, phrases: list[str]) -> tuple[list[str], str]:
    """Longest-first phrase matches in `text` (whole words for ASCII), and the text left over."""
    found: list[str] = []
    for phrase in phrases:
        if phrase not in text:
            continue
        if phrase.isascii():
            pattern = _pattern(phrase)
            if pattern.search(text):
                found.append(phrase)
                text = pattern.sub(" ", text)
        else:
            found.append(phrase)
            text = text.replace(phrase, " ")
    return found, text


@dataclass(frozen=True)
class UnderstoodQuery:
    """What the shopper's product text asks for."""

    text: str
    categories: frozenset[str] = frozenset()
    category_phrases: tuple[str, ...] = ()  # as written: "轻薄本", "air fryer"
    brands_in_text: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()  # the remaining content words
    truncated: bool = False


# A product line names its brand and its kind: "iPhone 15" is an Apple phone, whatever model
# numbers the catalog has (the number then ranks, it does not filter).
MODEL_LINES: dict[str, tuple[str, str]] = {
    "iphone": ("Apple", "phones"), "ipad": ("Apple", "tablets"), "macbook": ("Apple", "laptops"),
    "airpods": ("Apple", "earphones"), "galaxy": ("Samsung", "phones"),
    "thinkpad": ("Lenovo", "laptops"), "matebook": ("Huawei", "laptops"),
}
# A brand and a bare model number ("苹果15", "小米 14", "huawei 60") with no kind named: the
# brand's phones, when it makes phones.
_MODEL_NUMBER = re.compile(r"\d{1,3}")


def _line_words(words: tuple[str, ...]) -> tuple[set[str], set[str], tuple[str, ...]]:
    """(brands, kinds) the product-line words among `words` name, and the words left."""
    brands: set[str] = set()
    kinds: set[str] = set()
    left = []
    for word in words:
        line = MODEL_LINES.get(word)
        if line is not None:
            brands.add(line[0])
            kinds.add(line[1])
        else:
            left.append(word)
    return brands, kinds, tuple(left)


@functools.lru_cache(maxsize=4096)
def understand(product_text: str | None) -> UnderstoodQuery:
    """Split the product text into categories, brands named in it, and other words."""
    raw = product_text or ""
    truncated = len(raw) > MAX_QUERY_CHARS
    text = fix_typos(fold(raw[:MAX_QUERY_CHARS]))
    cats, rest = _find_phrases(text, _CATEGORY_PHRASES)
    brands, rest = _find_phrases(rest, _BRAND_PHRASES)
    words = tuple(dict.fromkeys(t for t in tokens(rest) if t not in STOPWORDS))
    categories = {_CATEGORY_WORDS[c] for c in cats}
    named = {_BRAND_ALIASES[b] for b in brands}
    line_brands, line_kinds, words = _line_words(words)
    if not categories:
        categories = line_kinds
    named |= line_brands
    if not categories and named and words and all(_MODEL_NUMBER.fullmatch(w) for w in words) \
            and all(b in brands_for("phones") for b in named):
        categories = {"phones"}
    return UnderstoodQuery(text=text, categories=frozenset(categories),
                           category_phrases=tuple(cats),
                           brands_in_text=frozenset(named),
                           words=words, truncated=truncated)


class ProductIndex:
    """A product's folded text (title, English title, keywords, spec values) and its search
    tokens, cut only when a query word is found in the text: a search naming a kind alone
    ("充电宝") reads the text only, and a word the text lacks can be no token of it."""

    __slots__ = ("_keywords", "_text", "_tokens", "haystack")

    def __init__(self, text: str, keywords: tuple[str, ...]) -> None:
        self.haystack = fold(text)
        self._text = text
        self._keywords = keywords
        self._tokens: frozenset[str] | None = None

    @property
    def tokens(self) -> frozenset[str]:
        if self._tokens is None:
            toks = set(_tokens_of(self._text))  # not through `_tokens`: product texts would crowd queries out
            toks.update(fold(k) for k in self._keywords)
            self._tokens = frozenset(toks)
        return self._tokens

    def has_token(self, word: str) -> bool:
        """Whether `word` is one of the product's tokens (every token is a part of its text)."""
        return word in self.haystack and word in self.tokens


_index_cache: dict[tuple[str, str], ProductIndex] = {}
_INDEX_CACHE_SIZE = 4096  # cheap to rebuild (the Chinese runs' cuts are cached): keep few


def index_product(product: Product) -> ProductIndex:
    """The product's search text (memoised by id and title)."""
    key = (product.id, product.title)
    cached = _index_cache.get(key)
    if cached is not None:
        return cached
    idx = ProductIndex(" ".join([product.title, product.title_en, *product.keywords, *product.specs.values()]),
                       product.keywords)
    if len(_index_cache) >= _INDEX_CACHE_SIZE:
        del _index_cache[next(iter(_index_cache))]  # the oldest
    _index_cache[key] = idx
    return idx


_MEASURE = re.compile(r"\d+(?:\.\d+)?(?:g|gb|t|tb|寸|英寸|码|匹|l|ml|升|mah|w|kg|cm|mm|inch)")


def score(product: Product, query: UnderstoodQuery) -> float:
    """Relevance of `product` to the query's product text; 0 means it does not match.

    A kind named in the query must be the product's (3): its category lies under the named
    node, or it is filed under a coarser node and its own text names the kind (`_of_kind`); a category phrase found in the
    product's own text ("空调" for an air conditioner, not a fridge) adds 2; each other word
    scores when it is one of the product's tokens (2) or appears in its text (1). Most of the
    other words must match when no category is named. Brand filtering is the caller's.
    """
    if not query.words and not query.categories:
        return 1.0  # no product words: everything of the wanted brand matches equally
    idx = index_product(product)
    if query.categories and not any(_of_kind(product.category, asked, idx) for asked in query.categories):
        return 0.0
    total = 3.0 if query.categories else 0.0
    for phrase in query.category_phrases:
        if phrase in idx.haystack:  # a token of the product is a part of its text
            total += 2.0
    matched = 0
    for word in query.words:
        if idx.has_token(word):
            total += 2.0
            matched += 1
        elif len(word) >= 2 and word in idx.haystack:
            total += 1.0
            matched += 1
        elif _MEASURE.fullmatch(word):
            return 0.0  # a size or capacity asked for ("512g", "27寸", "42码") is not a preference: it must be there
    if not query.categories and matched * 2 < len(query.words):
        return 0.0
    return total


def _of_kind(category: str, asked: str, idx: ProductIndex) -> bool:
    """Whether a product filed under `category` is of the asked kind: its category lies under
    the asked node, or (a product filed coarsely, e.g. under "kitchen" for an air fryer) its
    own text names the asked kind."""
    if asked in ancestors(category):
        return True
    if category not in ancestors(asked):
        return False
    return any((word in idx.haystack if not word.isascii() else idx.has_token(word)) for word in NODES[asked].words)
