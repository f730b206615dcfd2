"""Tokenisation shared by both pipelines, and language detection.

Chinese characters become one token each (so entity spans never depend on jieba's word
boundaries); each character's NORM is the jieba word it belongs to, which feeds the entity
recogniser with word context. Latin letters, digit runs (with decimals) and every other
non-space character become tokens too, split at letter/digit boundaries ("256G" -> 256 | G).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
_TOKEN_RE = re.compile(
    rf"[{CJK}]"
    r"|[0-9\uff10-\uff19]+(?:[.,\uff0e][0-9\uff10-\uff19]+)*"
    rf"|(?:(?![{CJK}])[^\W\d_])+"
    r"|\S"
)
_LATIN_WORD = re.compile(r"[A-Za-z]+")

_GAZ_MIN_CHARS = 2  # shorter entries (one letter, one character) would tag half of every text
_gazetteer: dict[str, str] = {}  # lowercased entry -> its tag ("city", "dishName|v:dishName")
_gaz_max = 0

_jieba_lock = threading.Lock()
_jieba: Any = None


def jieba_module() -> Any:
    """The jieba module, initialised once on first use (its dictionary loads lazily)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def add_words(words: Iterable[str]) -> None:
    """Teach jieba extra words (brands, product words from the lookup tables)."""
    jb = jieba_module()
    for w in words:
        if w and _CJK_RE.search(w) and len(w) <= 12:
            jb.add_word(w, freq=2000)


def set_gazetteer(tables: dict[str, Iterable[str]]) -> None:
    """The dictionaries whose matches the entity recogniser sees as a token feature (LEMMA):
    each entry (2 characters or more) is tagged with the sorted names of the tables holding it."""
    global _gaz_max
    classes: dict[str, set[str]] = {}
    for name, words in tables.items():
        for w in words:
            k = " ".join(str(w).split()).lower()
            if len(k) >= _GAZ_MIN_CHARS:
                classes.setdefault(k, set()).add(name)
    _gazetteer.clear()
    _gazetteer.update({k: "|".join(sorted(v)) for k, v in classes.items()})
    _gaz_max = max((len(k) for k in _gazetteer), default=0)


def gazetteer_spans(text: str, starts: list[int], ends: list[int],
                    skip: frozenset[str] = frozenset()) -> list[tuple[int, int, str]]:
    """Longest dictionary matches, left to right, over whole tokens: (first token, last token + 1,
    tag). `skip` holds entries to ignore (training leaves an example's own values out)."""
    out: list[tuple[int, int, str]] = []
    if not _gazetteer:
        return out
    low = text.lower()
    n, i = len(starts), 0
    while i < n:
        best = None
        j = i
        while j < n and ends[j] - starts[i] <= _gaz_max:
            key = " ".join(low[starts[i]:ends[j]].split())
            tag = _gazetteer.get(key)
            if tag is not None and key not in skip:
                best = (i, j + 1, tag)
            j += 1
        if best is None:
            i += 1
        else:
            out.append(best)
            i = best[1]
    return out


def tag_gazetteer(doc: Doc, skip: frozenset[str] = frozenset()) -> None:
    """Write each token's dictionary tag into its LEMMA ("B-city" / "I-city", "" outside)."""
    for tok in doc:
        tok.lemma_ = ""
    starts = [t.idx for t in doc]
    ends = [t.idx + len(t.text) for t in doc]
    for a, b, tag in gazetteer_spans(doc.text, starts, ends, skip):
        for k in range(a, b):
            doc[k].lemma_ = ("B-" if k == a else "I-") + tag


_MEMORY_MAX_CHARS = 24
_memory: dict[str, str] = {}  # lowercased entity value -> the intents it was annotated in ("a|b")


def set_memory(tables: dict[str, Iterable[str]]) -> None:
    """Entity values seen in training, per intent (see `memory_tags`)."""
    intents: dict[str, set[str]] = {}
    for intent, values in tables.items():
        for v in values:
            k = " ".join(str(v).split()).lower()
            if _GAZ_MIN_CHARS <= len(k) <= _MEMORY_MAX_CHARS:
                intents.setdefault(k, set()).add(intent)
    _memory.clear()
    _memory.update({k: "|".join(sorted(v)) for k, v in intents.items()})


def memory_tags(text: str, skip: frozenset[str] = frozenset()) -> set[str]:
    """The intents whose training examples named a value written somewhere in `text` ("打开百度"
    -> website.OPEN when 百度 was a website's name there); `skip`: values to ignore."""
    out: set[str] = set()
    if not _memory:
        return out
    low = " ".join(text.split()).lower()
    n = len(low)
    for i in range(n):
        for j in range(i + _GAZ_MIN_CHARS, min(n, i + _MEMORY_MAX_CHARS) + 1):
            tag = _memory.get(low[i:j])
            if tag is not None and low[i:j] not in skip:
                out.update(tag.split("|"))
    return out


def detect_language(text: str, available: Iterable[str] = ("zh", "en")) -> str:
    """'zh' when the message holds Chinese characters in a fair share, else 'en'."""
    avail = list(available)
    n_cjk = len(_CJK_RE.findall(text))
    n_lat = len(_LATIN_WORD.findall(text))
    lang = "zh" if n_cjk > 0 and n_cjk * 2 >= n_lat else ("en" if n_lat else "")
    if lang in avail:
        return lang
    return avail[0] if avail else "zh"


def split_tokens(text: str) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags that reproduce `text` exactly."""
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for m in _TOKEN_RE.finditer(text):
        gap = text[pos:m.start()]
        _push_gap(gap, words, spaces)
        words.append(m.group(0))
        spaces.append(False)
        pos = m.end()
    _push_gap(text[pos:], words, spaces)
    return words, spaces


def _push_gap(gap: str, words: list[str], spaces: list[bool]) -> None:
    if not gap:
        return
    if gap == " " and words and not spaces[-1]:
        spaces[-1] = True
        return
    if gap.endswith(" ") and len(gap) > 1 and words:
        words.append(gap[:-1])
        spaces.append(True)
        return
    words.append(gap)
    spaces.append(False)


def jieba_words(text: str) -> list[tuple[str, int, int]]:
    """jieba segmentation of `text` as (word, start, end)."""
    if not _CJK_RE.search(text):
        return []
    return list(jieba_module().tokenize(text))


class CharWordTokenizer:
    """spaCy tokenizer: char tokens for Chinese, word tokens for the rest (see module doc)."""

    def __init__(self, vocab: Vocab, use_jieba: bool = True, gazetteer: bool = False) -> None:
        self.vocab = vocab
        self.use_jieba = use_jieba
        self.gazetteer = gazetteer

    def __call__(self, text: str) -> Doc:
        words, spaces = split_tokens(text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        if self.use_jieba and _CJK_RE.search(text):
            owner: dict[int, str] = {}
            for word, s, e in jieba_words(text):
                if len(word) > 1:
                    for i in range(s, e):
                        owner[i] = word
            for tok in doc:
                found = owner.get(tok.idx)
                if found is not None:
                    tok.norm_ = found
        if self.gazetteer and _gazetteer:
            tag_gazetteer(doc)
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for t in texts:
            yield self(t)

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        """Nothing to save: the tokenizer has no state beyond its settings in the config."""

    def from_disk(self, path: Any, **kwargs: Any) -> CharWordTokenizer:
        return self

    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> CharWordTokenizer:
        return self


@registry.tokenizers("shopbot.CharWordTokenizer.v1")
def create_char_word_tokenizer(use_jieba: bool = True, gazetteer: bool = False) -> Any:
    """Config entry point: `[nlp.tokenizer] @tokenizers = "shopbot.CharWordTokenizer.v1"`;
    `gazetteer = true` tags dictionary matches into LEMMA (see `set_gazetteer`)."""

    def make(nlp: Any) -> CharWordTokenizer:
        return CharWordTokenizer(nlp.vocab, use_jieba=use_jieba, gazetteer=gazetteer)

    return make
