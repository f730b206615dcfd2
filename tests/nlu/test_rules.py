"""Rule extractors and their trust: rules fire only where they agree with the data's annotations."""

from __future__ import annotations

from pathlib import Path

from nlu.rules import LookupMatcher, RuleExtractor, builtin_rules, measure_trust
from nlu.train import _rule_trust, split_languages


def _spans(text: str, matches) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(m.label, text[m.start:m.end]) for m in matches]


def test_builtin_rules_find_budgets_contacts_and_ordinals() -> None:
    ex = RuleExtractor(builtin_rules())
    text = "我想买5000到6000元的电脑，3千以上也行，第二个，电话138 0013 8000，订单SO2026112300017"
    found = _spans(text, ex.extract(text))
    assert ("price_min", "5000") in found and ("price_max", "6000元") in found
    assert ("price_min", "3千以上") in found
    assert ("ordinal", "第二个") in found
    assert ("phone", "138 0013 8000") in found
    assert ("order_id", "SO2026112300017") in found
    text = "running shoes under 500 yuan, between 300 and 400 dollars, the third one, mail li.lei@example.cn"
    found = _spans(text, ex.extract(text))
    assert ("price_max", "under 500 yuan") in found
    assert ("price_min", "300") in found and ("price_max", "400 dollars") in found
    assert ("ordinal", "the third one") in found
    assert ("email", "li.lei@example.cn") in found


def test_in_a_price_alert_the_budget_becomes_the_target_price() -> None:
    ex = RuleExtractor(builtin_rules())
    text = "提醒我 4000以内就买"
    labels = {"price_max", "target_price"}
    assert _spans(text, ex.extract(text, "set_price_alert", labels)) == [("target_price", "4000")]
    assert _spans(text, ex.extract(text, "search_product", labels)) == [("price_max", "4000以内")]


def test_lookup_matching_is_longest_first_and_respects_latin_word_boundaries() -> None:
    m = LookupMatcher({"brand": ["Apple", "华为", "华为荣耀"], "platform": ["jd"]})
    text = "华为荣耀 or apple? not pineapples, jd only"
    assert [(x.label, text[x.start:x.end]) for x in m.find(text)] == [
        ("brand", "华为荣耀"), ("brand", "apple"), ("platform", "jd")]


def test_a_rule_that_disagrees_with_the_annotations_is_not_trusted(tmp_path: Path) -> None:
    f = tmp_path / "nlu.yml"
    f.write_text(
        "nlu:\n- intent: search\n  examples: |\n"
        "    - 要[5000](price_max)以内的\n    - 找[300](price_max)以内的\n    - 有[800](price_max)以下的吗\n"
        "    - 订单[SO2026112300017](order_id)\n    - 查[SO2026112300018](order_id)\n", encoding="utf-8")
    merged, by_lang = split_languages([f])
    trusted = set(_rule_trust(merged, by_lang)["zh"])
    assert "order_id|order_id" in trusted
    assert "max_zh|price_max" not in trusted  # this data leaves 以内 outside the span


def test_measure_trust_needs_support_and_precision() -> None:
    ex = RuleExtractor(builtin_rules())
    gold = [("第二个", "show", {(0, 3, "ordinal")}), ("第三个", "show", {(0, 3, "ordinal")}),
            ("第一次来", "greet", set())]
    assert "ord_zh|ordinal" not in measure_trust(ex, gold, {"ordinal"})  # 2 of 3 right
    assert "ord_zh|ordinal" in measure_trust(ex, gold[:2], {"ordinal"})
