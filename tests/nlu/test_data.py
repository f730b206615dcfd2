"""Rasa NLU YAML loading: annotations, synonyms, lookups; invalid data names file, line, reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.data import load_data, load_file, parse_annotated
from nlu.errors import NluDataError


def test_inline_annotations_give_offsets_and_values() -> None:
    text, spans = parse_annotated('我想买[5000以内](price_max)的[华为]{"entity": "brand", "value": "Huawei"}[手机](product)')
    assert text == "我想买5000以内的华为手机"
    assert [(s.entity, text[s.start:s.end], s.value) for s in spans] == [
        ("price_max", "5000以内", "5000以内"), ("brand", "华为", "Huawei"), ("product", "手机", "手机")]


def test_list_and_short_value_forms() -> None:
    text, spans = parse_annotated('fly to [Paris][{"entity": "city"}, {"entity": "dest", "role": "to"}] or [NYC](city:New York)')
    assert text == "fly to Paris or NYC"
    assert [(s.entity, s.value, s.role) for s in spans] == [
        ("city", "Paris", None), ("dest", "Paris", "to"), ("city", "New York", None)]


def test_load_file_reads_intents_synonyms_lookups_regexes(tmp_path: Path) -> None:
    f = tmp_path / "nlu.yml"
    f.write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n    - hello\n'
        "- synonym: Huawei\n  examples: |\n    - 华为\n"
        "- lookup: brand\n  examples: |\n    - 小米\n"
        "- regex: phone\n  examples: |\n    - 1[3-9]\\d{9}\n"
        "- intent: search\n  examples:\n  - text: find [shoes](product)\n",
        encoding="utf-8")
    d = load_file(f)
    assert [(e.text, e.intent) for e in d.examples] == [("hi", "greet"), ("hello", "greet"), ("find shoes", "search")]
    assert d.synonyms["华为"] == "Huawei"
    assert d.lookups == {"brand": ["小米"]}
    assert d.regexes == {"phone": [r"1[3-9]\d{9}"]}


@pytest.mark.parametrize("content,line,reason", [
    ("nlu:\n- intent: greet\n  examples: |\n    - hi\n    hello\n", 5, "must start with '- '"),
    ("nlu:\n- intent: greet\n", 2, "has no 'examples'"),
    ("nlu:\n- intent: greet\n  exemples: |\n    - hi\n", 2, "unknown key"),
    ("nlu:\n- intent: greet\n  examples: |\n    - hi [x]{\"entity\": }\n", 4, "not valid JSON"),
    ("nlu:\n- intent: greet\n  examples: |\n    - hi\n- regex: r\n  examples: |\n    - ([a-z\n", 7, "invalid regex"),
    ("nlu:\n- intent: greet\n  examples: |\n    - hi\n\t- intent: x\n", 5, "invalid YAML"),
    ("stuff:\n  - 1\n", 1, "unknown top-level key"),
    ("nlu:\n- intent: greet\n  synonym: x\n  examples: |\n    - hi\n", 2, "exactly one of"),
])
def test_invalid_data_is_rejected_with_file_line_and_reason(tmp_path: Path, content: str, line: int,
                                                            reason: str) -> None:
    f = tmp_path / "bad.yml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(NluDataError) as err:
        load_file(f)
    assert f"{f}:{line}" in str(err.value)
    assert reason in str(err.value)


def test_directories_skip_the_test_folder(tmp_path: Path) -> None:
    (tmp_path / "zh").mkdir()
    (tmp_path / "test").mkdir()
    (tmp_path / "zh" / "nlu.yml").write_text("nlu:\n- intent: greet\n  examples: |\n    - 你好\n", encoding="utf-8")
    (tmp_path / "test" / "t.yml").write_text("nlu:\n- intent: bye\n  examples: |\n    - 再见\n", encoding="utf-8")
    assert [e.intent for e in load_data([tmp_path]).examples] == ["greet"]
