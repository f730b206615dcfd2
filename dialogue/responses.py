"""Response catalogs: every text the bot says, per language, kept out of code.

`dialogue/responses/<lang>.yml` maps a key to a template (str.format fields) or a list of
variants. Money is formatted by dialogue/presentation/money.py (¥5,999.00 in every language).
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CATALOG_DIR = Path(__file__).resolve().parent / "responses"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


class MissingResponse(KeyError):
    """A response key absent from a language's catalog (a bug: the catalog test catches it)."""


@cache
def load_catalog(language: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for path in sorted(CATALOG_DIR.glob(f"{language}*.yml")):
        texts = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        twice = sorted(set(texts) & set(data))
        if twice:  # one file's text would silently replace another's
            raise ValueError(f"{path.name} defines {', '.join(twice)} again (another {language} catalog has it)")
        data.update(texts)
    return data


_COUNTS = ("total", "count")  # the fields whose value 1 takes a key's `_one` form when the catalog has one


def text(key: str, language: str | None, rng: random.Random | None = None, **fields: Any) -> str:
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    catalog = load_catalog(lang)
    if key not in catalog:
        raise MissingResponse(f"{lang}:{key}")
    if f"{key}_one" in catalog and any(str(fields.get(f)) == "1" for f in _COUNTS):
        key = f"{key}_one"  # "Found 1 product", not "Found 1 products"
    template = catalog[key]
    if isinstance(template, list):
        template = (rng or random).choice(template)
    return str(template).format(**fields)

