"""Answers that are only an ordinal ("1", "the first", "two", "2nd", "第二个"), shared by the engine
(after a list: that item's details) and the buy flow (an option of a question)."""

from __future__ import annotations

import re

_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                  "eighth": 8, "last": -1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                  "seven": 7, "eight": 8, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                  "八": 8, "最后": -1}
_ORDINAL_ANSWER = re.compile(
    r"^(?:(?:the|option|number|no\.?|#)\s*)*(?:(\d)(?:st|nd|rd|th)?|(first|second|third|fourth|fifth|sixth|seventh|"
    r"eighth|last|one|two|three|four|five|six|seven|eight))(?:\s+(?:one|option|colou?r|size))?\s*(?:please)?[.!]?$|"
    r"^(?:选|要)?第?([1-8一二两三四五六七八]|最后)(?:个|种|款|号)?(?:吧|的)?$", re.IGNORECASE)


def ordinal_answer(said: str, count: int) -> int | None:
    """The option index an answer like "1", "the first", "two", "2nd", "第二个" picks among
    `count` options; None when the message is not just an ordinal or points past the options."""
    m = _ORDINAL_ANSWER.match(said.strip())
    if not m:
        return None
    word = next(g for g in m.groups() if g)
    n = int(word) if word.isdigit() else _ORDINAL_WORDS[word.lower()]
    idx = n - 1 if n > 0 else count + n
    return idx if 0 <= idx < count else None
