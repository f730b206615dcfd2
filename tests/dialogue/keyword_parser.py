"""A keyword parser for engine tests that should not depend on the trained NLU.

It knows greet, goodbye, thank and help by keywords and calls everything else `nlu_fallback`.
"""

from __future__ import annotations

import re

from nlu.types import FALLBACK_INTENT, IntentScore, ParseResult

_KEYWORDS = {
    "greet": re.compile(r"^\s*(你好|您好|嗨|哈喽|hi|hello|hey)\b", re.IGNORECASE),
    "goodbye": re.compile(r"(再见|拜拜|\bbye\b|goodbye)", re.IGNORECASE),
    "thank": re.compile(r"(谢谢|多谢|thanks|thank you|\bthx\b)", re.IGNORECASE),
    "help": re.compile(r"(你能做什么|帮助|怎么用|\bhelp\b|what can you do)", re.IGNORECASE),
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


class KeywordParser:
    def parse(self, text: str, language: str | None = None) -> ParseResult:
        lang = language or ("zh" if _CJK.search(text) else "en")
        for intent, pattern in _KEYWORDS.items():
            if pattern.search(text):
                return ParseResult(text, IntentScore(intent, 1.0), (IntentScore(intent, 1.0),), (), lang)
        return ParseResult(text, IntentScore(FALLBACK_INTENT, 0.0), (), (), lang)
