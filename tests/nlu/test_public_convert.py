"""The public-set converters (benchmarks/nlu_public/convert.py) on small files written here in each
set's published format: the Rasa YAML they write loads back with the same texts, intents and
entity spans, and a split taken off with the fixed seed is the same on every run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from benchmarks.nlu_public import convert
from nlu.data import load_file


def _spans(path: Path) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    data = load_file(path)
    return {e.text: (e.intent, sorted((s.entity, s.text) for s in e.entities)) for e in data.examples}


def test_smp2019_slots_become_entities_and_the_split_is_fixed(tmp_path: Path) -> None:
    rows = [{"text": f"从北京{i}到上海的火车", "domain": "train", "intent": "QUERY",
             "slots": {"startLoc_city": f"北京{i}", "endLoc_city": "上海"}} for i in range(20)]
    rows += [{"text": f"打开微信{i}", "domain": "app", "intent": "LAUNCH", "slots": {"name": f"微信{i}"}}
             for i in range(10)]
    rows.append({"text": "讲个笑话", "domain": "joke", "intent": "QUERY", "slots": {}})
    source = tmp_path / "repo" / "dataSet"
    source.mkdir(parents=True)
    (source / "train.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")

    conv = convert.smp2019(tmp_path / "repo")
    train_dir, test_file = convert.write(conv, tmp_path / "out")
    got = _spans(train_dir / "nlu.yml") | _spans(test_file)
    assert got["从北京3到上海的火车"] == ("train.QUERY", [("endLoc_city", "上海"), ("startLoc_city", "北京3")])
    assert got["打开微信7"] == ("app.LAUNCH", [("name", "微信7")])
    assert len(_spans(test_file)) == 2 + 1  # 10 % of 20, of 10; a one-example label stays in training
    assert "讲个笑话" in _spans(train_dir / "nlu.yml")
    again = convert.smp2019(tmp_path / "repo")
    assert [e.text for e in again.test] == [e.text for e in conv.test]


def test_snips_bio_tags_become_spans(tmp_path: Path) -> None:
    for split in ("train", "test"):
        d = tmp_path / "data" / "snips" / split
        d.mkdir(parents=True)
        (d / "seq.in").write_text("play the new album by taylor swift\nwill it rain in new york\n")
        (d / "seq.out").write_text("O O B-sort B-music_item O B-artist I-artist\nO O B-condition O B-city I-city\n")
        (d / "label").write_text("PlayMusic\nGetWeather\n")
    conv = convert.snips(tmp_path)
    _train_dir, test_file = convert.write(conv, tmp_path / "out")
    got = _spans(test_file)
    assert got["play the new album by taylor swift"] == (
        "PlayMusic", [("artist", "taylor swift"), ("music_item", "album"), ("sort", "new")])
    assert got["will it rain in new york"] == ("GetWeather", [("city", "new york"), ("condition", "rain")])


def test_bitext_offsets_are_checked_and_markup_is_kept_out(tmp_path: Path) -> None:
    path = tmp_path / "bitext.csv"
    fields = ["instruction", "intent", "entity_type", "entity_value", "start_offset", "end_offset", "category"]
    rows = [
        # offsets right
        {"instruction": "how can I cancel purchase 113542617735902?", "intent": "cancel_order",
         "entity_type": "order_id", "entity_value": "113542617735902", "start_offset": "26", "end_offset": "41"},
        # the value sits inside a longer number: the whole number is the entity
        {"instruction": "need to cancel order 00004587345", "intent": "cancel_order",
         "entity_type": "order_id", "entity_value": "4587345", "start_offset": "21", "end_offset": "28"},
        {"instruction": "i [really] want a refund (now)", "intent": "get_refund",
         "entity_type": "", "entity_value": "", "start_offset": "", "end_offset": ""},
    ]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({**r, "category": "ORDER"})
    conv = convert.bitext(path)
    train_dir, test_file = convert.write(conv, tmp_path / "out")
    got = _spans(train_dir / "nlu.yml") | _spans(test_file)
    assert got["how can I cancel purchase 113542617735902?"] == ("cancel_order", [("order_id", "113542617735902")])
    assert got["need to cancel order 00004587345"] == ("cancel_order", [("order_id", "00004587345")])
    assert got["i [really] want a refund (now)"] == ("get_refund", [])
