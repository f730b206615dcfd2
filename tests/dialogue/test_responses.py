"""The response catalogs: both languages say the same things, and every key the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialogue import responses
from dialogue.presentation.money import format_money

DIALOGUE = Path(responses.__file__).resolve().parent
KEY_USE = re.compile(r"""(?:say|\.t)\(\s*["']([a-z0-9_]+)["']""")


def test_chinese_and_english_catalogs_have_the_same_keys():
    zh, en = responses.load_catalog("zh"), responses.load_catalog("en")
    assert set(zh) - set(en) == set(), "missing in English"
    assert set(en) - set(zh) == set(), "missing in Chinese"


def test_every_key_used_in_the_code_is_in_the_catalogs():
    used: set[str] = set()
    for path in DIALOGUE.rglob("*.py"):
        used.update(KEY_USE.findall(path.read_text(encoding="utf-8")))
    catalog = responses.load_catalog("zh")
    assert used, "the scan found no keys: the pattern is broken"
    assert sorted(used - set(catalog)) == []


def test_templates_format_with_the_fields_they_name():
    for lang in responses.LANGUAGES:
        for key, template in responses.load_catalog(lang).items():
            for variant in template if isinstance(template, list) else [template]:
                fields = {name: "x" for name in re.findall(r"{(\w+)}", str(variant))}
                assert str(variant).format(**fields), f"{lang}:{key}"


def test_money_is_formatted_per_locale_from_decimal_strings():
    assert format_money("5999") == "¥5,999.00"
    assert format_money("0.1") == "¥0.10"
    assert format_money("1234567.891", "en") == "¥1,234,567.89"
    assert format_money("300", "en", "USD") == "$300.00"
    assert format_money(None) == "-"


def test_a_key_defined_in_two_catalog_files_is_refused(tmp_path, monkeypatch):
    # two helpers once both wrote `rating_thanks`: the second file's text replaced the first's and the
    # agent-rating thanks failed for want of a {title}
    (tmp_path / "zh_a.yml").write_text("thanks: 谢谢\n", encoding="utf-8")
    (tmp_path / "zh_b.yml").write_text("thanks: '谢谢 {title}'\n", encoding="utf-8")
    monkeypatch.setattr(responses, "CATALOG_DIR", tmp_path)
    responses.load_catalog.cache_clear()
    try:
        with pytest.raises(ValueError, match="thanks"):
            responses.load_catalog("zh")
    finally:
        monkeypatch.undo()
        responses.load_catalog.cache_clear()
