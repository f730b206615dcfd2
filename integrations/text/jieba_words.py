"""jieba behind shop.relevance's `WordCutter` port: Chinese runs cut in search mode, with the
shop's category and brand words known to it as words of their own.

    install()   # once, before the first search (the bootstrap and the demo platforms call it)
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from shop import relevance


class JiebaWordCutter:
    """jieba's search mode, loaded once (about a second) with `extra_words` added."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._extra = tuple(extra_words)
        self._lock = threading.Lock()
        self._jieba: Any = None

    def _loaded(self) -> Any:
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    import jieba

                    jieba.setLogLevel(60)
                    jieba.initialize()
                    for word in self._extra:
                        jieba.add_word(word, freq=20000)
                    self._jieba = jieba
        return self._jieba

    def warm_up(self) -> None:
        self._loaded()

    def cut(self, text: str) -> list[str]:
        return [w for w in self._loaded().lcut_for_search(text) if w.strip()]


def install() -> None:
    """Make jieba the word cutter of search relevance, unless one is installed already."""
    if not relevance.has_word_cutter():
        relevance.set_word_cutter(JiebaWordCutter(relevance.shop_words()))
