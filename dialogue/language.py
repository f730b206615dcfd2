"""Which language to answer in: detected per message, sticky per conversation, switchable."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def choose_language(sticky: str | None, text: str, detected: str | None, explicit: str | None = None) -> str:
    """An explicit language wins; a message with clear evidence switches; short ones keep the sticky one."""
    if explicit in ("zh", "en"):
        return explicit
    cjk = len(_CJK.findall(text))
    words = len(_LATIN_WORD.findall(text))
    if cjk >= 2 or (cjk >= 1 and words == 0):
        evidence = "zh"
    elif words >= 2 and cjk == 0:
        evidence = "en"
    else:
        evidence = None
    if evidence is not None:
        return evidence
    if sticky in ("zh", "en"):
        return sticky
    return detected if detected in ("zh", "en") else "zh"
