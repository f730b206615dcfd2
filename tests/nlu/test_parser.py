"""End to end on the tiny model: intents, entities with normalised values, language, fallback,
and garbage input that must still give a parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.parser import load_parser
from nlu.types import FALLBACK_INTENT


def _ents(result) -> list[tuple[str, object, str]]:  # type: ignore[no-untyped-def]
    return [(e.entity, e.value, result.text[e.start:e.end]) for e in result.entities]


def test_chinese_search_with_budget_brand_and_product(tiny_parser) -> None:  # type: ignore[no-untyped-def]
    r = tiny_parser.parse("我想买5000以内的华为手机")
    assert r.language == "zh"
    assert r.intent.name == "search_product"
    assert ("price_max", 5000, "5000以内") in _ents(r)
    assert ("brand", "Huawei", "华为") in _ents(r)


def test_english_search_with_bound_and_brand(tiny_parser) -> None:  # type: ignore[no-untyped-def]
    r = tiny_parser.parse("show me huawei phones under 800 yuan")
    assert r.language == "en"
    assert r.intent.name == "search_product"
    assert ("price_max", 800, "under 800 yuan") in _ents(r)
    assert ("brand", "Huawei", "huawei") in _ents(r)


def test_values_are_normalised(tiny_parser) -> None:  # type: ignore[no-untyped-def]
    r = tiny_parser.parse("我的手机号是13912345678")
    assert ("phone", "13912345678", "13912345678") in _ents(r)
    r = tiny_parser.parse("第二个详细说说")
    assert r.intent.name == "show_details"
    assert ("ordinal", 2, "第二个") in _ents(r)
    assert isinstance(r.first("ordinal").value, int)


def test_synonyms_fold_to_canonical_values(tiny_parser) -> None:  # type: ignore[no-untyped-def]
    r = tiny_parser.parse("天猫有苹果耳机吗")
    values = {(e.entity, e.value) for e in r.entities}
    assert ("platform", "taobao") in values
    assert ("brand", "Apple") in values


def test_ranking_is_sorted_and_to_rasa_has_the_contract_shape(tiny_parser) -> None:  # type: ignore[no-untyped-def]
    out = tiny_parser.parse("你好").to_rasa()
    assert set(out) == {"text", "intent", "intent_ranking", "entities", "language"}
    confs = [i["confidence"] for i in out["intent_ranking"]]
    assert confs == sorted(confs, reverse=True)
    assert out["intent"]["name"] == "greet"


def test_below_the_threshold_the_intent_is_nlu_fallback(tiny_model_dir: Path) -> None:
    strict = load_parser(tiny_model_dir, fallback_threshold=1.01)
    r = strict.parse("你好")
    assert r.intent.name == FALLBACK_INTENT
    assert r.intent_ranking[0].name == FALLBACK_INTENT
    assert load_parser(tiny_model_dir, fallback_threshold=0.0).parse("你好").intent.name == "greet"


@pytest.mark.parametrize("text", [
    "", "   ", "\n\t", "a" * 10_000, "买" * 10_000, "5000以内 " * 2_000, "\x00\x01\x02\x1b[31m\x7f",
    "😀😀😀🎉", "👍🏽👨‍👩‍👧", "مرحبا بك في المتجر", "\u202eשלום עולם\u202c", "\ufeff\u200b\u200d",
    "[5000](price_max)", "/greet{\"x\": 1}", "\ud800", "ｓｈｏｗ　ｍｅ　５０００", "𠀀𠀁𪚥",
    "1" * 10_000, "五" * 10_000, "五千到" * 3_000, "x@" * 5_000, "9" * 400 + "元以内", "第99999999999999999999个",
])
def test_garbage_always_gives_a_parse(tiny_parser, text: str) -> None:  # type: ignore[no-untyped-def]
    r = tiny_parser.parse(text)
    assert r.text == text
    assert r.language in ("zh", "en")
    assert isinstance(r.intent.name, str) and 0.0 <= r.intent.confidence <= 1.0
    for e in r.entities:
        assert 0 <= e.start < e.end <= len(text)
        assert text[e.start:e.end] == e.text
    r.to_rasa()


def test_language_can_be_forced(tiny_parser) -> None:  # type: ignore[no-untyped-def]
    assert tiny_parser.parse("hello", language="zh").language == "zh"


def test_statistical_entities_of_a_label_the_intent_never_carries_are_dropped(tiny_model_dir: Path) -> None:
    parser = load_parser(tiny_model_dir, fallback_threshold=0.0)
    # a sentence whose product the tiny model learns whatever words jieba knows at the time (other tests
    # add catalog words to jieba's global dictionary; "华为手机" may then be cut differently)
    text = "帮我找一款3000以内的小米手机"
    r = parser.parse(text)
    assert r.intent.name == "search_product"
    learnt = {e.entity for e in r.entities if e.extractor == "SpacyEntityExtractor"}
    assert learnt, "the tiny model should find something statistically here"
    assert set(parser.intent_entities["search_product"]) >= learnt
    parser.intent_entities["search_product"] = {}
    stripped = parser.parse(text)
    assert not [e for e in stripped.entities if e.extractor == "SpacyEntityExtractor"]
    # trusted rules (confidence 1.0) are not judged by the intent
    assert {e.entity for e in stripped.entities if e.confidence >= 1.0} == \
        {e.entity for e in r.entities if e.confidence >= 1.0}


def test_the_model_records_which_labels_each_intent_carries(tiny_model_dir: Path) -> None:
    parser = load_parser(tiny_model_dir)
    assert "price_max" in parser.intent_entities["search_product"]
    assert "greet" not in parser.intent_entities or not parser.intent_entities["greet"]


def test_full_width_digits_read_as_ascii_with_offsets_into_the_original(tiny_parser) -> None:  # type: ignore[no-untyped-def]
    text = "我想买５０００以内的华为手机"
    r = tiny_parser.parse(text)
    price = r.first("price_max")
    assert price is not None and price.value == 5000
    assert text[price.start:price.end] == price.text == "５０００以内"


def test_parse_many_gives_what_parse_gives_in_the_same_order(tiny_parser) -> None:  # type: ignore[no-untyped-def]
    texts = ["我想买5000以内的华为手机", "show me huawei phones under 800 yuan", "", "🙂🙂", "第二个详细说说",
             "x" * 3000, "\u202eשלום", "你好"]
    one_by_one = [tiny_parser.parse(t) for t in texts]
    together = tiny_parser.parse_many(texts)
    assert [r.text for r in together] == texts
    for a, b in zip(one_by_one, together, strict=True):
        assert (a.intent.name, a.language, [(e.entity, e.value, e.start, e.end) for e in a.entities]) == \
            (b.intent.name, b.language, [(e.entity, e.value, e.start, e.end) for e in b.entities])
        assert abs(a.intent.confidence - b.intent.confidence) < 1e-4
    forced = tiny_parser.parse_many(["hello", "你好"], ["zh", None])
    assert [r.language for r in forced] == ["zh", "zh"]
