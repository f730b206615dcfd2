"""The "general" config set (`shopbot nlu train --profile general`, used for public NLU sets):
dictionary matches (Rasa lookup tables) are a token feature of the entity recogniser."""

from __future__ import annotations

import json
from pathlib import Path

import spacy
from typer.testing import CliRunner

from bot.cli_nlu import nlu_app
from nlu.data import EntitySpan, TrainingExample
from nlu.tokenizer import CharWordTokenizer, set_gazetteer, tag_gazetteer
from nlu.train import CONFIG_DIR, _own_values, config_for

CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "重庆", "天津", "苏州",
          "长沙", "郑州", "青岛", "大连", "厦门", "宁波", "合肥", "昆明", "济南", "福州", "哈尔滨", "沈阳",
          "石家庄", "齐齐哈尔", "张家口", "连云港", "秦皇岛", "马鞍山", "驻马店", "平顶山", "牡丹江", "西双版纳"]
UNSEEN = ["乌鲁木齐", "呼和浩特"]  # in the dictionary, never in a training example
APPS = ["微信", "支付宝", "淘宝", "抖音", "快手", "微博", "美团", "高德地图", "网易云音乐", "百度"]


def _line(template: str, **spans: str) -> str:
    return template.format(**{k: f'[{v}]{{"entity": "{k}"}}' for k, v in spans.items()})


def _write_data(path: Path) -> None:
    trains, buses = [], []
    for i, a in enumerate(CITIES):
        b = CITIES[(i * 7 + 3) % len(CITIES)]
        trains.append(_line("从{startLoc_city}到{endLoc_city}的火车票", startLoc_city=a, endLoc_city=b))
        trains.append(_line("{startLoc_city}去{endLoc_city}的高铁有哪些", startLoc_city=b, endLoc_city=a))
        buses.append(_line("{Src}到{Dest}的汽车", Src=a, Dest=b))
    apps = [_line("打开{name}", name=a) for a in APPS] + [_line("帮我启动{name}", name=a) for a in APPS]
    lines = ['version: "3.1"', "nlu:"]
    for intent, examples in (("train.QUERY", trains), ("bus.QUERY", buses), ("app.LAUNCH", apps)):
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {e}" for e in examples]
    lines += ["- lookup: city", "  examples: |"] + [f"    - {c}" for c in CITIES + UNSEEN]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_dictionary_matches_are_whole_tokens_and_tagged_b_i() -> None:
    nlp = spacy.blank("en")
    tok = CharWordTokenizer(nlp.vocab, use_jieba=False, gazetteer=True)
    set_gazetteer({"city": ["New York", "York"], "airport": ["new york"]})
    try:
        doc = tok("fly to new york, not newyorker or yorks")
        assert [(t.text, t.lemma_) for t in doc][2:5] == [
            ("new", "B-airport|city"), ("york", "I-airport|city"), (",", "")]
        assert all(t.lemma_ == "" for t in doc[5:])  # no match inside a longer word
        tag_gazetteer(doc, frozenset({"new york"}))  # training leaves an example's own value out
        assert doc[3].lemma_ == "B-city"
    finally:
        set_gazetteer({})


def test_values_only_one_example_names_are_left_out_of_its_dictionary_feature() -> None:
    exs = [TrainingExample("去北京", "t", (EntitySpan(1, 3, "city", "北京", "北京"),)),
           TrainingExample("到北京", "t", (EntitySpan(1, 3, "city", "北京", "北京"),)),
           TrainingExample("去拉萨", "t", (EntitySpan(1, 3, "city", "拉萨", "拉萨"),)),
           TrainingExample("去昆明", "t", (EntitySpan(1, 3, "city", "昆明", "昆明"),))]
    assert _own_values(exs, {"city": ["昆明"]}) == [frozenset(), frozenset(), frozenset({"拉萨"}), frozenset()]


def test_the_shop_keeps_its_own_configs() -> None:
    assert config_for("zh") == CONFIG_DIR / "zh.cfg"
    assert config_for("zh", "general") == CONFIG_DIR / "general" / "zh.cfg"
    shop = spacy.util.load_config(config_for("zh"))
    assert shop["nlp"]["pipeline"] == ["textcat", "ner"]


def test_general_profile_trains_through_the_cli_and_reads_dictionary_cities(tmp_path: Path) -> None:
    data = tmp_path / "train.yml"
    _write_data(data)
    out = tmp_path / "m"
    runner = CliRunner()
    res = runner.invoke(nlu_app, ["train", "--data", str(data), "--out", str(out), "--sequential",
                                  "--profile", "general"])
    assert res.exit_code == 0, res.output
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["profile"] == "general" and "乌鲁木齐" in meta["gazetteer"]["city"]
    saved = spacy.util.load_config(out / "zh" / "config.cfg")
    assert "LEMMA" in saved["components"]["ner"]["model"]["tok2vec"]["embed"]["attrs"]

    res = runner.invoke(nlu_app, ["parse", f"从{UNSEEN[0]}到{UNSEEN[1]}的火车票", "--model", str(out)])
    assert res.exit_code == 0, res.output
    parsed = json.loads(res.output)
    assert parsed["intent"]["name"] == "train.QUERY"
    # a model this small learns where the cities are, not yet how long an unseen one is
    got = sorted((e["start"], e["entity"]) for e in parsed["entities"])
    assert got == [(1, "startLoc_city"), (6, "endLoc_city")]

    res = runner.invoke(nlu_app, ["train", "--data", str(data), "--out", str(out), "--profile", "nope"])
    assert res.exit_code == 2
